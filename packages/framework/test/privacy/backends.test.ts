/**
 * fingerprint.extras.backends must not reveal what else is installed, nor which hosted-API
 * providers the user holds keys for (the hosted driver's detected "version" lists them).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Driver, DriverContext, DriverSession, GenerationEvent } from '../../src/contract/driver.js';
import type { Fingerprint } from '../../src/contract/generated/run.js';
import { runBench } from '../../src/harness/bench.js';
import { now } from '../../src/harness/clock.js';
import type { RunnableWorkload } from '../../src/harness/plan.js';
import { publishRun } from '../../src/harness/publish.js';
import { buildUploadPayload, type PrivacyMode } from '../../src/privacy/index.js';
import { verifyCompactJws } from '../../src/signing/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';
import { publishOptions } from '../helpers/publish-options.js';
import { recordingServer } from '../upload/recording-server.js';

const HOSTED_VERSION = 'providers: openai, anthropic';
const workloads: RunnableWorkload[] = [{ id: 'W1', name: 'chat-short', kind: 'single', prompt: 'one', outputTokens: 2 }];

function driverNamed(name: string, backendVersion: string): Driver {
  const session: DriverSession = {
    model: { identifier: `${name}-model`, name: `${name}-model` },
    backendVersion,
    capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: false, exact_output_length: true },
    extras: {},
    async *generate(): AsyncGenerator<GenerationEvent> {
      let t = now();
      for (let i = 0; i < 2; i++) yield { type: 'tokens', t: (t += 10), count: 1 };
      yield { type: 'usage', promptTokens: 3, outputTokens: 2 };
      yield { type: 'done', t: t + 1, stopReason: 'length' };
    },
    async close() {},
  };
  return { name, detect: async () => ({ name, available: true }), listModels: async () => [], open: async () => session };
}

/** llama.cpp, ollama and the hosted driver are all available; `backend` is the one that runs. */
async function benchWith(backend: string, strictAnon: boolean) {
  const detected = [
    { driver: driverNamed('llama.cpp', 'b7410'), detection: { name: 'llama.cpp', available: true, version: 'b7410' } },
    { driver: driverNamed('ollama', '0.12.3'), detection: { name: 'ollama', available: true, version: '0.12.3' } },
    // As plugin-hosted reports itself; a session names only the provider it talks to.
    { driver: driverNamed('hosted-api', 'openai'), detection: { name: 'hosted-api', available: true, version: HOSTED_VERSION } },
  ];
  const ctx: DriverContext = { config: {}, cacheDir: tmpdir(), env: {}, signal: new AbortController().signal, log: () => {} };
  return runBench({
    detected,
    ctx,
    workloads,
    suiteVersion: 'suite-v1',
    suiteDigest: 'ab'.repeat(32),
    backend,
    model: backend === 'hosted-api' ? 'openai:gpt-4o-mini' : undefined,
    strictAnon,
    power: { read: async () => ({}) },
    collectFingerprint: async ({ backends, strictAnon: strict }): Promise<Fingerprint> => {
      const { fingerprint_hash, ...rest } = sampleRun().fingerprint;
      return { ...rest, ...(strict ? {} : { fingerprint_hash }), extras: { backends } };
    },
  });
}

describe('fingerprint.extras.backends', () => {
  it('the run names only the backend that ran, at its session version', async () => {
    assert.deepEqual((await benchWith('llama.cpp', false)).run.fingerprint.extras.backends, { 'llama.cpp': 'b7410' });
    assert.deepEqual((await benchWith('hosted-api', false)).run.fingerprint.extras.backends, { 'hosted-api': 'openai' });
  });

  it('--strict-anon: empty (each result already says backend and backend_version)', async () => {
    assert.deepEqual((await benchWith('hosted-api', true)).run.fingerprint.extras.backends, {});
  });

  it('buildUploadPayload keeps only what the results show, whatever the fingerprint came with', () => {
    const run = sampleRun([sampleResult({ backend: 'hosted-api', backend_version: 'openai' })]);
    run.fingerprint.extras.backends = { 'hosted-api': HOSTED_VERSION, 'llama.cpp': 'b7410', ollama: '0.12.3' };
    assert.deepEqual(buildUploadPayload(run, { mode: 'default' }).fingerprint.extras.backends, { 'hosted-api': 'openai' });
    assert.deepEqual(buildUploadPayload(run, { mode: 'anon' }).fingerprint.extras.backends, { 'hosted-api': 'openai' });
    assert.deepEqual(buildUploadPayload(run, { mode: 'strict-anon' }).fingerprint.extras.backends, {});
    assert.equal(run.fingerprint.extras.backends['hosted-api'], HOSTED_VERSION, "the caller's run is not changed");
  });

  for (const mode of ['default', 'anon', 'strict-anon'] as const satisfies readonly PrivacyMode[]) {
    it(`${mode}: no upload says which provider keys or other backends exist`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'llm-speed-backends-'));
      const server = await recordingServer();
      try {
        for (const backend of ['llama.cpp', 'hosted-api']) {
          const { run } = await benchWith(backend, mode === 'strict-anon');
          await publishRun(run, publishOptions({ apiUrl: server.url, configDir: join(dir, 'config'), runsDir: join(dir, 'runs', backend) }, { mode, yes: true }));
        }
        assert.equal(server.requests.length, 2);
        for (const request of server.requests) {
          const { payload } = await verifyCompactJws(request.body);
          const text = JSON.stringify(payload);
          for (const secret of ['anthropic', 'providers', 'ollama']) assert.ok(!text.includes(secret), `${secret} in ${text}`);
        }
      } finally {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
