/**
 * Ctrl-C in the middle of `llm-speed bench`: METHODOLOGY §6 says an invocation's results travel
 * together and none is dropped, so the workloads that never started are reported as interrupted,
 * and the partial run is kept locally but never uploaded as if it were complete. Also: --dry-run
 * still writes the file --json PATH asks for, and saves and uploads nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Driver, DriverContext, DriverSession, GenerationEvent } from '../../src/contract/driver.js';
import { check } from '../../src/contract/validate.js';
import { runBench } from '../../src/harness/bench.js';
import { now } from '../../src/harness/clock.js';
import { publishRun, type PublishOptions } from '../../src/harness/publish.js';
import type { RunnableWorkload } from '../../src/harness/plan.js';
import { sampleRun } from '../../src/testing/sample-run.js';
import { startReplayServer, type ReplayServer } from '../../src/testing/replay-server.js';
import { publishOptions } from '../helpers/publish-options.js';

const workloads: RunnableWorkload[] = [
  { id: 'W1', name: 'chat-short', kind: 'single', prompt: 'one', outputTokens: 4 },
  { id: 'W2', name: 'chat-long', kind: 'single', prompt: 'two', outputTokens: 4 },
  { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 4, turns: [[{ role: 'user', content: 'three' }]] },
];

/** Four tokens per request, stamped 10 ms apart. */
function scriptedDriver(): Driver {
  let t = 0;
  const session: DriverSession = {
    model: { identifier: 'scripted', name: 'scripted' },
    backendVersion: '1',
    capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: false, exact_output_length: true },
    extras: {},
    async *generate(): AsyncGenerator<GenerationEvent> {
      t = now();
      for (let i = 0; i < 4; i++) yield { type: 'tokens', t: (t += 10), count: 1 };
      yield { type: 'usage', promptTokens: 3, outputTokens: 4 };
      yield { type: 'done', t: (t += 1), stopReason: 'length' };
    },
    async close() {},
  };
  return {
    name: 'scripted',
    detect: async () => ({ name: 'scripted', available: true }),
    listModels: async () => [],
    open: async () => session,
  };
}

describe('an interrupted bench run', () => {
  let dir: string;
  let server: ReplayServer;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-interrupted-'));
    server = await startReplayServer([]);
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (extra: Partial<PublishOptions>): PublishOptions => publishOptions({ apiUrl: server.url, configDir: join(dir, 'config'), runsDir: join(dir, 'runs') }, { yes: true, ...extra });

  it('reports every workload, the unstarted ones as interrupted, and keeps the run without uploading it', async () => {
    const abort = new AbortController();
    const driver = scriptedDriver();
    const ctx: DriverContext = { config: {}, cacheDir: dir, env: {}, signal: abort.signal, log: () => {} };
    const outcome = await runBench({
      detected: [{ driver, detection: { name: 'scripted', available: true } }],
      ctx,
      workloads,
      suiteVersion: 'suite-v1',
      suiteDigest: 'ab'.repeat(32),
      power: { read: async () => ({}) },
      // Ctrl-C as soon as the first workload has finished.
      progress: { note: () => {}, workloadStarted: () => {}, workloadFinished: () => abort.abort() },
      collectFingerprint: async () => sampleRun().fingerprint,
    });
    assert.equal(outcome.interrupted, true);
    assert.deepEqual(
      outcome.run.results.map((r) => r.workload),
      ['chat-short', 'chat-long', 'agent-trace'],
    );
    assert.equal(outcome.run.results[0]!.error, null);
    assert.equal(outcome.run.results[0]!.output_tokens, 4);
    for (const r of outcome.run.results.slice(1)) {
      assert.match(r.error ?? '', /interrupted/);
      assert.ok(r.flags.includes('interrupted'), `${r.workload} carries the interrupted flag`);
    }
    assert.deepEqual(check('run', outcome.run), []);

    const published = await publishRun(outcome.run, options({ interrupted: true }));
    assert.ok(published.savedPath && existsSync(published.savedPath), 'the partial run is kept');
    assert.equal(published.upload, undefined);
    assert.match(published.uploadSkipped ?? '', /interrupted.*not uploaded/);
    assert.equal(server.requests.length, 0, 'nothing was sent');
  });

  it('a workload stopped mid-generation is flagged interrupted, even when the driver reported its own error', async () => {
    const abort = new AbortController();
    const driver = scriptedDriver();
    const session = await driver.open(undefined, { maxContextTokens: 0, streams: 1 } as never, {} as DriverContext);
    session.generate = async function* (request): AsyncGenerator<GenerationEvent> {
      yield { type: 'tokens', t: now(), count: 1 };
      abort.abort();
      if (request.signal?.aborted) throw new Error('This operation was aborted');
    };
    const ctx: DriverContext = { config: {}, cacheDir: dir, env: {}, signal: abort.signal, log: () => {} };
    const outcome = await runBench({
      detected: [{ driver: { ...driver, open: async () => session }, detection: { name: 'scripted', available: true } }],
      ctx,
      workloads: workloads.slice(0, 2),
      suiteVersion: 'suite-v1',
      suiteDigest: 'ab'.repeat(32),
      power: { read: async () => ({}) },
      collectFingerprint: async () => sampleRun().fingerprint,
    });
    const [stopped, unstarted] = outcome.run.results;
    assert.equal(stopped!.error, 'This operation was aborted', "the driver's own words are kept");
    assert.ok(stopped!.flags.includes('interrupted'));
    assert.ok(unstarted!.flags.includes('interrupted'));
  });

  it('--dry-run writes the --json file but saves and uploads nothing', async () => {
    const jsonPath = join(dir, 'out.json');
    const published = await publishRun(sampleRun() as never, options({ dryRun: true, jsonPath }));
    assert.equal(JSON.parse(readFileSync(jsonPath, 'utf8')).cli_version, sampleRun().cli_version);
    assert.equal(published.savedPath, undefined);
    assert.ok(!existsSync(join(dir, 'runs')) || readdirSync(join(dir, 'runs')).length === 0);
    assert.equal(server.requests.length, 0);
  });
});
