/**
 * End to end through the real CLI and real llama.cpp (no mocks): the embedded default, the default
 * workloads in suite-v1-test's short shapes and in suite-v1's real shapes against a real
 * llama-server, and the bad-input paths of `llm-speed bench`.
 * The llama-server binary is the one scripts/build-llama-server.sh builds (npm test builds it first).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { check } from '@llm-speed/framework';
import { sandbox, type Sandbox } from '../helpers/cli.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../../../../scripts/build-llama-server.sh', import.meta.url));

async function llamaServerBin(): Promise<string> {
  const { stdout } = await execa('bash', [BUILD_SCRIPT], { timeout: 30 * 60_000 });
  const dir = stdout.trim().split('\n').pop()!;
  return dir;
}

/**
 * The spread a repeated result carries (METHODOLOGY §6.3): the headline of each figure is the
 * median of its samples and one of them, its interval holds the median, and n counts the samples.
 */
function assertSpread(r: Record<string, any>): void {
  assert.equal(r.samples.length, r.repetitions, r.workload);
  for (const key of ['ttft_ms', 'prefill_tps', 'decode_tps']) {
    if (r.repetitions === 1) {
      // One repetition: a point, no interval.
      assert.deepEqual([r.spread[key].n, r.spread[key].ci_low, r.spread[key].ci_high], [1, null, null], `${r.workload} ${key}`);
      continue;
    }
    const spread = r.spread[key];
    assert.ok(spread, `${r.workload}: spread of ${key}`);
    assert.equal(spread.median, r[key], `${r.workload}: the headline ${key} is the median`);
    assert.equal(spread.n, r.repetitions);
    assert.ok(
      r.samples.some((s: Record<string, number>) => s[key] === r[key]),
      `${r.workload}: the headline ${key} is one of the repetitions`,
    );
    assert.ok(spread.ci_low <= spread.median && spread.median <= spread.ci_high, `${r.workload} ${key}: ${JSON.stringify(spread)}`);
  }
}

/** What every llama-server result carries besides its figures (METHODOLOGY §3.2–§3.4, §4). */
function assertProvenance(r: Record<string, any>): void {
  assert.deepEqual(r.backend_build, { kind: 'cpu' }, `${r.workload}: this machine's llama-server is a CPU build`);
  assert.match(r.backend_version, /^\d+\.\d+\.\d+ \([0-9a-f]{7}\)$/);
  assert.equal(r.token_counts, 'backend');
  assert.ok(r.backend_decode_tps > 0 && r.backend_prefill_tps > 0, `${r.workload}: llama-server's own clock`);
  assert.equal(r.extras.warmup, true, `${r.workload}: warmed up before timing`);
  // What measuring cost (METHODOLOGY §3.5): the CLI's own CPU, read from the real process meter.
  assert.ok(r.extras.client_cpu_us_per_token > 0, `${r.workload}: client CPU per token ${r.extras.client_cpu_us_per_token}`);
  assert.ok(r.extras.client_cpu_core_share > 0 && r.extras.client_cpu_core_share < 2, `${r.workload}: client share of a core ${r.extras.client_cpu_core_share}`);
  if (r.workload !== 'agent-trace') {
    assert.equal(r.cached_prompt_tokens, 0, `${r.workload} ran on a cold prefix`);
    assert.ok(!r.flags.includes('warm-cache'));
  }
}

describe('llm-speed bench (e2e, real llama.cpp)', function () {
  this.timeout(15 * 60_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
  });
  after(() => box.cleanup());

  it('--quick --no-upload --json on the embedded default writes a schema-valid run', async () => {
    const out = join(box.root, 'out.json');
    // No llama-server anywhere on PATH: the embedded engine and the synthetic tiny model are the default.
    const result = await box.run(['bench', '--quick', '--no-upload', '--json', out], { env: { PATH: '/usr/bin:/bin' }, timeoutMs: 10 * 60_000 });
    assert.equal(result.exitCode, 0, `${result.stderr}`);
    const run = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(check('run', run), []);
    assert.equal(run.results[0].backend, 'llama.cpp');
    assert.equal(run.results[0].extras.engine, 'embedded');
    assert.match(run.results[0].model.identifier, /^llm-speed\/synth-llama-tiny/);
    assert.ok(run.results[0].decode_tps > 0, 'real tokens were generated');
    assert.ok(run.results[0].flags.includes('quick'));
    // Provenance: the engine's build and version as node-llama-cpp reports them, counts by the model's tokenizer.
    assert.deepEqual(run.results[0].backend_build, { kind: 'cpu' });
    assert.match(run.results[0].backend_version, /^\d+\.\d+\.\d+ \([0-9a-f]{7}\), node-llama-cpp \d/);
    assert.equal(run.results[0].token_counts, 'tokenizer');
    assert.equal(run.results[0].extras.warmup, true);
    // The embedded engine computes inside the CLI's process: no client CPU figure, no client-load.
    assert.equal(run.results[0].extras.client_cpu_us_per_token, undefined);
    assert.ok(!run.results[0].flags.includes('client-load'));
    assert.match(String(result.stderr), /embedded/i, 'the user is told the embedded default is in use');
    // signed, and raw timings stay out of the payload
    assert.ok(run.signature && run.public_key);
    assert.equal(run.results[0].raw_timings_ms, undefined);
    // and it was kept in the local runs folder too
    const runs = join(box.env.LLM_SPEED_CACHE_DIR!, 'runs');
    assert.ok(existsSync(runs) && readdirSync(runs).some((f) => f.endsWith('.json')));
  });

  it("runs the default workloads (W1, W2, W4, W5) in suite-v1-test's short shapes (8–16 tokens) against a real llama-server", async () => {
    const bin = await llamaServerBin();
    const out = join(box.root, 'full.json');
    const result = await box.run(['bench', '--suite', 'suite-v1-test', '--no-upload', '--json', out, '--llama-cpp-path', bin], {
      timeoutMs: 12 * 60_000,
    });
    assert.equal(result.exitCode, 0, `${result.stderr}`);
    const run = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(check('run', run), []);
    assert.deepEqual(
      run.results.map((r: { workload: string }) => r.workload),
      ['chat-short', 'chat-long', 'concurrent-decode', 'agent-trace'],
    );
    for (const r of run.results) {
      assert.equal(r.error, null, `${r.workload}: ${r.error}`);
      assert.equal(r.extras.engine, 'server');
      assert.ok(r.decode_tps > 0 && r.ttft_ms > 0 && r.prefill_tps > 0, `${r.workload} has real figures`);
      assertProvenance(r);
    }
    const w4 = run.results.find((r: { workload: string }) => r.workload === 'concurrent-decode');
    assert.ok(w4.batches.length >= 2 && w4.batches.every((b: { aggregate_tps: number }) => b.aggregate_tps > 0));
    const w5 = run.results.find((r: { workload: string }) => r.workload === 'agent-trace');
    assert.ok(w5.turns.length >= 2);
    // llama-server reports cache_n: later turns reuse the growing prefix
    assert.ok(w5.prefix_cache_hit_rate > 0, 'prefix cache reuse measured from llama-server timings');
    assert.match(String(result.stdout), /chat-short/);
    // The default repetitions (METHODOLOGY §6.3): W1 and W2 adaptive, up to 8 and 4 times; W4 and
    // W5 three times — each within its time budget, which on this shared 2-core machine can stop
    // a series early (the rules themselves are pinned with a scripted clock in the runner tests).
    assert.equal(run.schema_version, 2);
    const reps = Object.fromEntries(run.results.map((r: { workload: string; repetitions: number }) => [r.workload, r.repetitions]));
    const caps: Record<string, number> = { 'chat-short': 8, 'chat-long': 4, 'concurrent-decode': 3, 'agent-trace': 3 };
    for (const [workload, cap] of Object.entries(caps)) assert.ok(reps[workload] >= 1 && reps[workload] <= cap, JSON.stringify(reps));
    for (const r of run.results) assertSpread(r);
  });

  it('--reps 2: every repetition of W1 and W4 runs on a cold prefix, and every repetition of W5 starts cold and then reuses its own prefix', async () => {
    const bin = await llamaServerBin();
    const out = join(box.root, 'reps.json');
    const result = await box.run(['bench', '--suite', 'suite-v1-test', '--reps', '2', '--workload', 'W1,W4,W5', '--no-upload', '--json', out, '--llama-cpp-path', bin], { timeoutMs: 10 * 60_000 });
    assert.equal(result.exitCode, 0, `${result.stderr}`);
    const run = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(check('run', run), []);
    for (const r of run.results) {
      assert.equal(r.error, null, `${r.workload}: ${r.error}`);
      assert.equal(r.repetitions, 2);
      assert.equal(r.samples.length, 2);
      assertSpread(r);
      assertProvenance(r);
    }
    const [w1, w4, w5] = run.results;
    // The same prompt went out twice: llama-server served none of it from its slot or its RAM prompt cache.
    for (const s of [...w1.samples, ...w4.samples]) assert.equal(s.cached_prompt_tokens, 0, JSON.stringify(s));
    for (const b of w4.batches) assert.equal(b.samples.length, 2, `batch ${b.batch} ran in both repetitions`);
    // W5: turn 1 of each repetition processed its whole prompt (even the second, whose prompt the
    // server held from the first); turn 2 reused the prefix turn 1 built.
    const [turn1, turn2] = w5.turns;
    assert.deepEqual(
      turn1.samples.map((t: { prefix_cache_hit_rate: number }) => t.prefix_cache_hit_rate),
      [0, 0],
    );
    assert.ok(
      turn2.samples.every((t: { prefix_cache_hit_rate: number }) => t.prefix_cache_hit_rate > 0.5),
      JSON.stringify(turn2.samples),
    );
    assert.ok(!w5.flags.includes('warm-cache'), w5.flags.join(', '));
    assert.match(String(result.stdout), /^workload\s+n\s/m, 'the table gives each row its repetitions');
    assert.match(String(result.stdout), /^chat-short\s+2\s/m);
  });

  it('refuses --reps 0, abc and 1e9 with exit 2 and a message saying what it takes', async () => {
    for (const bad of ['0', 'abc', '1e9', '2.5', '-1']) {
      const r = await box.run(['bench', '--reps', bad, '--dry-run']);
      assert.equal(r.exitCode, 2, `--reps ${bad}: ${r.stderr}`);
      assert.match(String(r.stderr), /--reps must be a whole number of repetitions from 1 to 100; got "/, `--reps ${bad}`);
    }
    const env = await box.run(['bench', '--dry-run'], { env: { LLM_SPEED_REPS: 'abc' } });
    assert.notEqual(env.exitCode, 0);
    assert.match(String(env.stderr), /LLM_SPEED_REPS/);
  });

  it("runs suite-v1's real shapes (W1 256, W2 1,024, W4 batches 1–16 × 256, W5 11 turns) against a real llama-server", async () => {
    const bin = await llamaServerBin();
    const out = join(box.root, 'suite-v1.json');
    const result = await box.run(['bench', '--no-upload', '--json', out, '--llama-cpp-path', bin], { timeoutMs: 14 * 60_000 });
    assert.equal(result.exitCode, 0, `${result.stderr}`);
    const run = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(check('run', run), []);
    const by = (name: string) => run.results.find((r: { workload: string }) => r.workload === name);
    assert.deepEqual(
      run.results.map((r: { workload: string }) => r.workload),
      ['chat-short', 'chat-long', 'concurrent-decode', 'agent-trace'],
    );
    for (const r of run.results) {
      assert.equal(r.error, null, `${r.workload}: ${r.error}`);
      assert.equal(r.suite_version, 'suite-v1');
      // harness-gap, client-load, noisy, busy-machine and throttled depend on how loaded this machine
      // is and what else it does while it runs, and the synthetic model decodes fast enough for the
      // client's share of a core to pass 5 %: not asserted here (runner.test.ts, client-cpu.test.ts
      // and the machine sampler's tests pin them).
      assert.deepEqual(
        r.flags.filter((f: string) => !['harness-gap', 'client-load', 'noisy', 'busy-machine', 'throttled'].includes(f)),
        [],
        `${r.workload}: ${r.flags.join(', ')}`,
      );
      assertProvenance(r);
    }
    // The suite's shapes, exactly: output lengths forced, prompts near their reference sizes.
    assert.equal(by('chat-short').output_tokens, 256);
    assert.ok(Math.abs(by('chat-short').prompt_tokens - 131) <= 2, `W1 prompt ${by('chat-short').prompt_tokens}`);
    assert.equal(by('chat-long').output_tokens, 1024);
    assert.ok(Math.abs(by('chat-long').prompt_tokens - 4057) <= 2, `W2 prompt ${by('chat-long').prompt_tokens}`);
    const w4 = by('concurrent-decode');
    assert.deepEqual(
      w4.batches.map((b: { batch: number }) => b.batch),
      [1, 4, 8, 16],
    );
    assert.equal(w4.batch_size, 16);
    assert.equal(w4.output_tokens, 16 * 256);
    assert.equal(w4.decode_tps, w4.batches[3].aggregate_tps, "the headline is batch 16's aggregate");
    assert.equal(w4.extras.parallel, 16, 'sixteen slots, one stream each');
    const w5 = by('agent-trace');
    assert.equal(w5.turns.length, 11);
    assert.equal(w5.output_tokens, 11 * 128);
    assert.ok(w5.context_tokens > 15_000, `W5 grows to ~16k tokens (${w5.context_tokens})`);
    assert.ok(w5.cached_prompt_tokens > w5.prompt_tokens / 2, 'later turns reuse the growing prefix');
    assert.equal(
      w5.prompt_tokens,
      w5.turns.reduce((s: number, t: { prompt_tokens: number }) => s + t.prompt_tokens, 0),
    );
  });

  it('refuses an unknown workload and --quick with long-context-decay', async () => {
    const unknown = await box.run(['bench', '--workload', 'W9', '--dry-run']);
    assert.notEqual(unknown.exitCode, 0);
    assert.match(String(unknown.stderr), /W9/);
    assert.match(String(unknown.stderr), /chat-short/);
    const quickW3 = await box.run(['bench', '--quick', '--workload', 'long-context-decay', '--dry-run']);
    assert.notEqual(quickW3.exitCode, 0);
    assert.match(String(quickW3.stderr), /quick/i);
  });

  it('refuses --anon together with --strict-anon', async () => {
    const r = await box.run(['bench', '--anon', '--strict-anon', '--dry-run']);
    assert.notEqual(r.exitCode, 0);
    assert.match(String(r.stderr), /--anon.*--strict-anon|--strict-anon.*--anon/);
  });
});
