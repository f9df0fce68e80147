/**
 * Energy, cost and the roofline through the real CLI and a real llama-server (METHODOLOGY §13):
 * bad energy settings are refused before anything runs; a run with the meters turned off (and, on
 * this machine, a run with whatever it has) still completes with `energy` saying why; the roofline
 * reads the synthetic model's GGUF; the tariff prices the table and is never in the run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { check } from '@llm-speed/framework';
import { sandbox, type Sandbox } from '../helpers/cli.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../../../../scripts/build-llama-server.sh', import.meta.url));

describe('llm-speed bench: energy and the roofline (e2e, real llama.cpp)', function () {
  this.timeout(10 * 60_000);
  let box: Sandbox;
  before(() => {
    box = sandbox();
  });
  after(() => box.cleanup());

  it('refuses a bad tariff or meter, from the flag (exit 2) or the variable, before running anything', async () => {
    const flag = await box.run(['bench', '--quick', '--energy-price', 'abc', '--dry-run']);
    assert.equal(flag.exitCode, 2, String(flag.stderr));
    assert.match(String(flag.stderr), /--energy-price: "abc" is not a price per kWh: give a positive number such as 0\.15/);
    const meter = await box.run(['bench', '--quick', '--power-meter', 'nvml', '--dry-run']);
    assert.equal(meter.exitCode, 2, String(meter.stderr));
    assert.match(String(meter.stderr), /--power-meter/);
    const env = await box.run(['bench', '--quick', '--dry-run'], { env: { LLM_SPEED_ENERGY_PRICE_PER_KWH: '-1' } });
    assert.notEqual(env.exitCode, 0);
    assert.match(String(env.stderr), /LLM_SPEED_ENERGY_PRICE_PER_KWH: "-1" is not a price per kWh/);
  });

  it('--power-meter none: energy says so; the roofline comes from the GGUF; the tariff prices the table only', async () => {
    const { stdout } = await execa('bash', [BUILD_SCRIPT], { timeout: 30 * 60_000, env: { LLM_SPEED_CACHE_DIR: '' } });
    const bin = stdout.trim().split('\n').pop()!;
    const out = join(box.root, 'energy-none.json');
    const result = await box.run(['bench', '--quick', '--power-meter', 'none', '--energy-price', '0.25', '--no-upload', '--json', out, '--llama-cpp-path', bin], { timeoutMs: 8 * 60_000 });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const run = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(check('run', run), []);
    const r = run.results[0];
    assert.deepEqual(r.energy, { meter: 'none', meters: [], reason: 'energy not measured (--power-meter none)' });
    // The synthetic tiny F16 model (synth/shapes.ts: 4 layers, width 256, FFN 768, 4 heads of 64,
    // 2 KV heads, 32,000 tokens, output not tied). A layer, in F16 (2 bytes): q 256×256 = 131,072 B,
    // k and v 256×128 = 65,536 B each, o 131,072 B, three FFN matrices 256×768 = 393,216 B each
    // (1,179,648 B); plus two F32 norms of 256 (2,048 B): 1,574,912 B. Four layers: 6,299,648 B.
    // Plus the output norm (1,024 B), the output matrix 256 × 32,000 × 2 = 16,384,000 B and one
    // embedding row 256 × 2 = 512 B: 22,685,184 bytes a token.
    // KV: 4 layers × 2 heads × (64 + 64) × 2 bytes = 2,048 bytes per token of context.
    assert.equal(r.roofline.shape_source, 'gguf');
    assert.equal(r.roofline.weight_bytes_per_token, 22_685_184);
    assert.equal(r.roofline.kv_bytes_per_context_token, 2048);
    // Depth: the prompt + half the output; bytes = weights + 2,048 × depth.
    const depth = r.prompt_tokens + r.output_tokens / 2;
    assert.equal(r.roofline.depth_tokens, depth);
    assert.ok(Math.abs(r.roofline.bytes_per_token - (22_685_184 + 2048 * depth)) < 50);
    assert.ok(Math.abs(r.roofline.implied_gb_s - (r.decode_tps * (22_685_184 + 2048 * depth)) / 1e9) < 0.001 * r.roofline.implied_gb_s + 1e-4);
    // This machine's CPU is a device the table may or may not know: either a share, or the reason.
    assert.ok(r.roofline.bandwidth_share !== null || /no memory bandwidth figure/.test(r.roofline.reason), JSON.stringify(r.roofline));
    // What else the machine did is recorded whatever the meters.
    assert.equal(typeof r.machine.cpus, 'number');
    assert.ok(r.machine.other_cpu_share >= 0 && r.machine.other_cpu_share <= 1);
    assert.equal(r.flags.includes('busy-machine'), r.machine.other_cpu_share > 0.1);
    // The table says it, the run file never carries the tariff.
    assert.match(String(result.stdout), /energy: not measured \(energy not measured \(--power-meter none\)\)/);
    assert.match(String(result.stdout), /W1 decode/);
    assert.ok(!readFileSync(out, 'utf8').includes('0.25'), 'the tariff is not in the run');
  });

  it('the default meters on this machine: the run completes, with energy figures or the reason there are none', async () => {
    const { stdout } = await execa('bash', [BUILD_SCRIPT], { timeout: 30 * 60_000, env: { LLM_SPEED_CACHE_DIR: '' } });
    const bin = stdout.trim().split('\n').pop()!;
    const out = join(box.root, 'energy-auto.json');
    const result = await box.run(['bench', '--quick', '--no-upload', '--json', out, '--llama-cpp-path', bin], { timeoutMs: 8 * 60_000 });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const r = JSON.parse(readFileSync(out, 'utf8')).results[0];
    if (r.energy.meter === 'none') assert.ok(r.energy.reason.length > 0);
    else {
      assert.ok(r.energy.meters.length > 0 && r.energy.meters.every((m: { samples: number }) => m.samples >= 0));
      for (const phase of [r.energy.prefill, r.energy.decode, r.energy.total]) assert.ok(phase.j_per_token !== null || phase.reason, JSON.stringify(phase));
    }
  });
});
