import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRuns, loadRunRef, renderComparison } from '../../src/tools/compare-runs.js';
import { jsonResponse, startReplayServer } from '../../src/testing/replay-server.js';
import { guessSchema, validateFile } from '../../src/tools/validate-files.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';

describe('compare', () => {
  it('computes % differences per workload and metric, with "better" per metric direction', () => {
    const a = sampleRun([sampleResult({ decode_tps: 100, ttft_ms: 200 })]);
    const b = sampleRun([sampleResult({ decode_tps: 110, ttft_ms: 250 })]);
    const c = compareRuns([
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]);
    assert.deepEqual(c.warnings, []);
    const decode = c.rows.find((r) => r.metric === 'decode_tps')!;
    assert.deepEqual(decode.values, [100, 110]);
    assert.ok(Math.abs(decode.diff_pct[1]! - 10) < 1e-9);
    assert.equal(decode.better[1], true);
    const ttft = c.rows.find((r) => r.metric === 'ttft_ms')!;
    assert.ok(Math.abs(ttft.diff_pct[1]! - 25) < 1e-9);
    assert.equal(ttft.better[1], false, 'a higher TTFT is worse');
    assert.match(renderComparison(c, false), /decode_tps\s+100\.00\s+110\.00 \(\+10\.0%\)/);
    assert.match(renderComparison(c, true), /\x1b\[32m110\.00 \(\+10\.0%\)/);
  });

  it('never compares different suites or model digests silently', () => {
    const a = sampleRun([sampleResult()]);
    const b = sampleRun([sampleResult({ suite_version: 'suite-v2', model: { identifier: 'x', name: 'x', digest: 'ee'.repeat(32) } })]);
    const c = compareRuns([
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]);
    assert.deepEqual(c.warnings, [`chat-short: a and b are in different groups (suite version: suite-v1 vs suite-v2; model: digest ${'cd'.repeat(6)} vs digest ${'ee'.repeat(6)})`]);
    assert.match(renderComparison(c, false), /^warning: chat-short: a and b are in different groups/);
    assert.equal(c.comparability[0]!.comparable, false);
    assert.ok(c.rows.length > 0, 'shown anyway');
  });

  it("warns per workload, by the server's rule, when a run is not comparable or the runs are in different groups", () => {
    const full = sampleRun([sampleResult({ extras: { engine: 'server' } }), sampleResult({ workload: 'chat-long', output_tokens: 1024, extras: { engine: 'server' } })]);
    const quick = sampleRun([
      sampleResult({ flags: ['quick'], output_tokens: 32, extras: { engine: 'embedded' } }),
      sampleResult({ workload: 'chat-long', output_tokens: 1024, extras: { engine: 'embedded' } }),
    ]);
    const c = compareRuns([
      { label: 'full.json', run: full },
      { label: 'quick.json', run: quick },
    ]);
    assert.deepEqual(c.warnings, [
      'chat-short: quick.json is not comparable: quick run (32 of 256 tokens)',
      'chat-short, chat-long: full.json and quick.json are in different groups (engine: server vs embedded)',
    ]);
    const [short, long] = c.comparability;
    assert.deepEqual(
      short!.runs.map((r) => r && r.comparable),
      [true, false],
    );
    assert.deepEqual(short!.runs[1]!.reasons, ['quick run (32 of 256 tokens)']);
    assert.deepEqual(long!.runs[1]!.differences, ['engine: server vs embedded']);
    assert.equal(long!.runs[0]!.group === long!.runs[1]!.group, false);
    assert.equal(long!.comparable, false);

    // Same group, both comparable: no warning, and the standing says so.
    const again = compareRuns([
      { label: 'a', run: full },
      { label: 'b', run: sampleRun(full.results.map((r) => ({ ...r, decode_tps: 200 }))) },
    ]);
    assert.deepEqual(again.warnings, []);
    assert.ok(again.comparability.every((w) => w.comparable));
  });

  it('names two machines by their hardware, once for all workloads', () => {
    const a = sampleRun([sampleResult(), sampleResult({ workload: 'chat-long', output_tokens: 1024 })]);
    const b = sampleRun(a.results);
    b.fingerprint = { ...b.fingerprint, fingerprint_hash: '0011223344556677', accelerator_summary: 'NVIDIA H200 141 GB' };
    const c = compareRuns([
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]);
    assert.deepEqual(c.warnings, [`chat-short, chat-long: a and b are in different groups (hardware class: ${a.fingerprint.accelerator_summary} vs NVIDIA H200 141 GB)`]);
  });

  it('loads local files and refuses what is not a run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-speed-compare-'));
    try {
      writeFileSync(join(dir, 'a.json'), JSON.stringify(sampleRun()));
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ results: [] }));
      assert.equal((await loadRunRef(join(dir, 'a.json'), 'http://127.0.0.1:1')).run.cli_version, '0.1.0');
      await assert.rejects(loadRunRef(join(dir, 'bad.json'), 'http://127.0.0.1:1'), /run .*bad\.json is invalid/);
      await assert.rejects(loadRunRef('not-a-run', 'http://127.0.0.1:1'), /neither a file nor a run id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a self-hosted permalink from its own server, as verify-run does', async () => {
    const server = await startReplayServer([{ method: 'GET', path: '/v1/results/r_AAAAAAAAAAA', response: jsonResponse(200, sampleRun()) }]);
    try {
      const loaded = await loadRunRef(`${server.url}/r/r_AAAAAAAAAAA`);
      assert.equal(loaded.run.cli_version, '0.1.0');
      assert.deepEqual(
        server.requests.map((r) => r.path),
        ['/v1/results/r_AAAAAAAAAAA'],
      );
    } finally {
      await server.close();
    }
  });
});

describe('validate', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-validate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('guesses the schema from the shape', () => {
    assert.equal(guessSchema(sampleRun()), 'run');
    assert.equal(guessSchema(sampleResult()), 'workload-result');
    assert.equal(guessSchema({ api_url: 'http://x' }), 'config');
    assert.equal(guessSchema([1]), null);
  });

  it('accepts a valid run and the METHODOLOGY §3 example result', async () => {
    writeFileSync(join(dir, 'run.json'), JSON.stringify(sampleRun()));
    assert.deepEqual(await validateFile(join(dir, 'run.json')), { file: join(dir, 'run.json'), kind: 'run', schema: 'run', valid: true, errors: [] });
  });

  it('names each problem with its path; a hostname in the fingerprint is refused', async () => {
    const run = sampleRun() as unknown as { fingerprint: Record<string, unknown> };
    run.fingerprint.hostname = 'alice-laptop';
    writeFileSync(join(dir, 'leaky.json'), JSON.stringify(run));
    const v = await validateFile(join(dir, 'leaky.json'));
    assert.equal(v.valid, false);
    assert.deepEqual(v.errors, ['/fingerprint: unexpected field "hostname" (expected one of: os_name, os_version, cpu_model, cpu_cores, ram_gb, gpus, accelerator_summary, fingerprint_hash, extras)']);
  });

  it('reads YAML configs and reports a typo in a key', async () => {
    writeFileSync(join(dir, 'c.yaml'), 'api_url: http://127.0.0.1:8787\nmdoe: anon\n');
    const v = await validateFile(join(dir, 'c.yaml'), 'config');
    assert.deepEqual(v.errors, ['(root): unexpected field "mdoe" (did you mean "mode"?)']);
  });

  it('reports unreadable files', async () => {
    writeFileSync(join(dir, 'broken.json'), '{ nope');
    const v = await validateFile(join(dir, 'broken.json'));
    assert.equal(v.valid, false);
    assert.match(v.errors[0]!, /^cannot read: /);
  });
});

describe('schemas', () => {
  it('the METHODOLOGY §3 example validates as a workload result', async () => {
    const { check } = await import('../../src/contract/validate.js');
    const example = {
      workload: 'chat-short',
      ttft_ms: 142.3,
      prefill_tps: 8421.1,
      decode_tps: 187.4,
      decode_p50_latency_ms: 5.3,
      decode_p95_latency_ms: 7.1,
      prompt_tokens: 128,
      output_tokens: 256,
      wall_ms: 1530,
      prefix_cache_hit_rate: null,
      backend: 'llama.cpp',
      backend_version: '7410',
      model: { identifier: 'Qwen/Qwen2.5-7B-Instruct-GGUF', name: 'Qwen2.5-7B-Instruct', size: '7B', quant: 'Q4_K_M', digest: '<sha256 prefix of the weights file>' },
    };
    assert.deepEqual(check('workload-result', example), []);
    // but an upload needs the whole provenance of each result
    const run = sampleRun([example as never]);
    assert.ok(check('run', run).some((e) => /must have required property 'suite_digest'/.test(e)));
  });
});
