/**
 * The bandwidth roofline and the plausibility check (METHODOLOGY §13.4, §13.5). Expected figures
 * are worked out by hand from the spec sheets the table cites (H200 4.8 TB/s, RTX 4090 1,008 GB/s,
 * Ryzen 7000: 2 channels × DDR5-5200 × 8 bytes = 83.2 GB/s) and the byte counts given here.
 */
import assert from 'node:assert/strict';
import type { ModelShape } from '../../src/contract/driver.js';
import type { WorkloadResult } from '../../src/contract/generated/workload-result.js';
import { comparability } from '../../src/compare/comparable.js';
import { BANDWIDTH_TABLE, bandwidthEntry } from '../../src/roofline/bandwidth-table.js';
import { CACHE_ALLOWANCE_BYTES, plausibility, PLAUSIBILITY_MARGIN } from '../../src/roofline/plausibility.js';
import { bytesPerToken, deviceLimitOf, rooflineOf } from '../../src/roofline/roofline.js';
import { shapeFromHfConfig } from '../../src/roofline/model-config.js';
import { sampleResult, sampleRun } from '../../src/testing/sample-run.js';

const H200 = { kind: 'cuda' as const, devices: ['NVIDIA H200'] };
/** The 1b Q4_0 figure: about 0.6 GB of weights a token, with a small KV cache. */
const SHAPE: ModelShape = { weightBytesPerToken: 600e6, kvBytesPerContextToken: 32_768, kvElementBytes: 2, source: 'gguf' };

function result(over: Partial<WorkloadResult>): WorkloadResult {
  return { ...sampleResult(), ...over } as WorkloadResult;
}

describe('the bandwidth table', () => {
  it('every entry cites its spec sheet and finds itself by name', () => {
    for (const e of BANDWIDTH_TABLE) {
      assert.match(e.source, /^https:\/\//, e.name);
      assert.ok(e.gbps > 0, e.name);
      assert.equal(e.fixed, e.kind !== 'cpu', `${e.name}: only CPU platform figures are maxima`);
    }
  });

  it('maps device names as backends, the fingerprint and vendors spell them', () => {
    const cases: Array<[string, string, number]> = [
      ['NVIDIA H200', 'H200', 4800],
      ['H200 NVL', 'H200', 4800],
      ['NVIDIA H100 80GB HBM3', 'H100 SXM', 3350],
      ['NVIDIA H100 PCIe', 'H100 PCIe', 2000],
      ['NVIDIA H100 NVL', 'H100 NVL', 3900],
      ['NVIDIA A100-SXM4-80GB', 'A100 80GB SXM', 2039],
      ['NVIDIA A100 80GB PCIe', 'A100 80GB PCIe', 1935],
      ['NVIDIA A100-PCIE-40GB', 'A100 40GB', 1555],
      ['NVIDIA GeForce RTX 4090', 'RTX 4090', 1008],
      ['NVIDIA GeForce RTX 4080 SUPER', 'RTX 4080 SUPER', 736],
      ['NVIDIA GeForce RTX 4070 Ti SUPER', 'RTX 4070 Ti SUPER', 672],
      ['NVIDIA GeForce RTX 3060', 'RTX 3060', 360],
      ['Tesla T4', 'T4', 320],
      ['NVIDIA L4', 'L4', 300],
      ['NVIDIA L40S', 'L40S', 864],
      ['NVIDIA A10G', 'A10', 600],
      ['AMD Instinct MI300X', 'MI300X', 5300],
      ['AMD Radeon RX 7900 XTX', 'Radeon RX 7900 XTX', 960],
      ['Apple M3 Max', 'M3 Max', 400],
      ['M2 Ultra', 'M2 Ultra', 800],
      ['Apple M4', 'M4', 120],
    ];
    for (const [name, entry, gbps] of cases) {
      const found = bandwidthEntry(name);
      assert.equal(found?.name, entry, name);
      assert.equal(found?.gbps, gbps, name);
    }
    assert.equal(bandwidthEntry('NVIDIA GeForce GT 710'), undefined);
    assert.equal(bandwidthEntry('AMD EPYC 9654', 'cpu')?.gbps, 460.8); // 12 × 4,800 MT/s × 8 B
    assert.equal(bandwidthEntry('AMD Ryzen 9 7950X3D', 'cpu')?.gbps, 83.2);
    assert.equal(bandwidthEntry('Intel(R) Xeon(R) Platinum 8480+', 'cpu')?.name, 'Intel Xeon 4th gen');
    assert.equal(bandwidthEntry('Apple M3 Pro', 'cpu')?.gbps, 150, 'an Apple CPU build reads the same unified memory');
    assert.equal(bandwidthEntry('Intel Xeon', 'cpu'), undefined);
  });
});

describe('the roofline of a result', () => {
  it("W1 on an H200: decode_tps × bytes a token ÷ 4,800 GB/s (the issue's 908 tok/s, about 11 %)", () => {
    // Depth 131 + 256 / 2 = 259; bytes 600,000,000 + 32,768 × 259 = 608,486,912; × 908 = 552.51 GB/s; / 4,800 = 0.1151.
    const r = rooflineOf(result({ workload: 'chat-short', decode_tps: 908, prompt_tokens: 131, output_tokens: 256, backend_build: H200 }), SHAPE);
    assert.equal(r.depth_tokens, 259);
    assert.equal(r.bytes_per_token, 608_487_000);
    assert.equal(r.implied_gb_s, 552.51);
    assert.equal(r.bandwidth_share, 0.1151);
    assert.equal(r.device, 'H200');
    assert.equal(r.peak_gb_s, 4800);
    assert.equal(r.reason, null);
  });

  it('W4 divides the weights by the batch; W5 weights each turn by the tokens it decoded', () => {
    // W4, 16 streams of 1,020 prompt and 256 output tokens: depth 1,020 + 128 = 1,148;
    // 600,000,000 / 16 + 32,768 × 1,148 = 37,500,000 + 37,617,664 = 75,117,664 bytes a token.
    const w4 = rooflineOf(result({ workload: 'concurrent-decode', batch_size: 16, decode_tps: 4000, prompt_tokens: 16 * 1020, output_tokens: 16 * 256, backend_build: H200 }), SHAPE);
    assert.equal(w4.bytes_per_token, 75_117_700);
    // W5, two turns: 1,000 prompt + 100 out (depth 1,050), 2,000 + 300 (depth 2,150).
    // Bytes: (100 × (6e8 + 32,768 × 1,050) + 300 × (6e8 + 32,768 × 2,150)) / 400 = 6e8 + 32,768 × 1,875 = 661,440,000.
    const turns = [
      { turn: 1, ttft_ms: 1, decode_tps: 1, prompt_tokens: 1000, output_tokens: 100, wall_ms: 1 },
      { turn: 2, ttft_ms: 1, decode_tps: 1, prompt_tokens: 2000, output_tokens: 300, wall_ms: 1 },
    ];
    const w5 = rooflineOf(result({ workload: 'agent-trace', decode_tps: 500, turns, backend_build: H200 }), SHAPE);
    assert.equal(w5.depth_tokens, 1875);
    assert.equal(w5.bytes_per_token, 661_440_000);
  });

  it("W3's tiers: each tier's prompt is its context less the headline tier's margin", () => {
    // Headline tier 65,536 with 65,024 prompt tokens: a margin of 512. The 32,768 tier's prompt is
    // 32,256, its depth 32,256 + 128 = 32,384; bytes 6e8 + 32,768 × 32,384 = 1,661,158,912; × 50 tok/s = 83.058 GB/s.
    const tiers = [
      { context_tokens: 32768, prefill_tps: 1, decode_tps: 50, ttft_ms: 1, output_tokens: 256 },
      { context_tokens: 65536, prefill_tps: 1, decode_tps: 40, ttft_ms: 1, output_tokens: 256 },
      { context_tokens: 131072, prefill_tps: null, decode_tps: null, ttft_ms: null, output_tokens: null, skipped: 'needs 131072 tokens' },
    ];
    const r = rooflineOf(result({ workload: 'long-context-decay', decode_tps: 40, prompt_tokens: 65024, output_tokens: 256, tiers, backend_build: H200 }), SHAPE);
    assert.equal(r.tiers!.length, 2);
    assert.deepEqual(r.tiers![0], { context_tokens: 32768, depth_tokens: 32384, bytes_per_token: 1_661_160_000, implied_gb_s: 83.058, bandwidth_share: 0.0173 });
  });

  it('says why when the shape or the device is unknown', () => {
    assert.match(rooflineOf(result({ backend_build: H200 }), undefined).reason!, /the model's shape is not known/);
    const remote = rooflineOf(result({ backend_build: { kind: 'remote' } }), SHAPE);
    assert.equal(remote.bandwidth_share, null);
    assert.match(remote.reason!, /hosted API/);
    assert.deepEqual(deviceLimitOf(result({ backend_build: { kind: 'unknown' } })), { reason: 'the backend does not say which device it ran on' });
    assert.deepEqual(deviceLimitOf(result({ backend_build: { kind: 'cuda' } })), { reason: 'the cuda build does not name its devices' });
    assert.match((deviceLimitOf(result({ backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce GT 710'] } })) as { reason: string }).reason, /no memory bandwidth figure for NVIDIA GeForce GT 710/);
  });

  it('two GPUs add their bandwidth; Metal without device names uses the Apple chip of the fingerprint', () => {
    const two = deviceLimitOf(result({ backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce RTX 4090', 'NVIDIA GeForce RTX 4090'] } }));
    assert.deepEqual(two, { limit: { name: 'RTX 4090', kind: 'gpu', count: 2, gbps: 2016, fixed: true } });
    const mac = deviceLimitOf(result({ backend_build: { kind: 'metal' } }), { cpu_model: 'Apple M3 Pro', gpus: [{ name: 'M3 Pro', kind: 'apple', memory_gb: 40 }] });
    assert.deepEqual(mac, { limit: { name: 'M3 Pro', kind: 'apple', count: 1, gbps: 150, fixed: true } });
    assert.equal(bytesPerToken(SHAPE, 0, 4), 150e6);
  });
});

describe('physical plausibility', () => {
  // Weights 1,256,000,000 B a token; less the 256 MB a GPU cache could hold: at least 1 GB read from memory a token.
  const roofline = { weight_bytes_per_token: 1_256_000_000, bandwidth_share: null, reason: null };
  const h200 = (decode: number, over: Partial<WorkloadResult> = {}) => result({ decode_tps: decode, backend_build: H200, roofline, ...over });

  it('at the edge: 1.1 × 4,800 GB/s = 5,280 GB/s is 5,280 tok/s at 1 GB a token; one more is impossible', () => {
    assert.equal(CACHE_ALLOWANCE_BYTES.gpu, 256e6);
    assert.equal(PLAUSIBILITY_MARGIN, 1.1);
    assert.equal(plausibility(h200(5280)).verdict, 'ok');
    const over = plausibility(h200(5281));
    assert.equal(over.verdict, 'impossible');
    assert.ok(over.verdict === 'impossible');
    assert.equal(over.figure, 'decode_tps');
    assert.equal(over.limitGbS, 4800);
    assert.equal(over.impliedGbS, 5281);
    assert.equal(over.message, "decode_tps 5281 tok/s reading at least 1.00 GB of weights per decode step implies 5281 GB/s, over 1.1 × the H200's 4800 GB/s memory bandwidth");
    // The real run: 908 tok/s of a 0.6 GB model is nowhere near.
    assert.equal(plausibility(h200(908, { roofline: { weight_bytes_per_token: 600e6, bandwidth_share: null, reason: null } })).verdict, 'ok');
  });

  it('W4 divides by the batch; W3 tiers and W4 batch points are checked too', () => {
    // 16 streams: 5,280 × 16 = 84,480 tok/s aggregate is the edge.
    assert.equal(plausibility(h200(84_480, { batch_size: 16 })).verdict, 'ok');
    assert.equal(plausibility(h200(84_500, { batch_size: 16 })).verdict, 'impossible');
    const tier = plausibility(h200(10, { tiers: [{ context_tokens: 32768, prefill_tps: 1, decode_tps: 6000, ttft_ms: 1 }] }));
    assert.ok(tier.verdict === 'impossible' && tier.figure === 'tiers[0].decode_tps');
    const batch = plausibility(h200(10, { batches: [{ batch: 4, aggregate_tps: 30_000, per_stream_tps: 7500, p50_ms: 1, p95_ms: 1 }] }));
    assert.ok(batch.verdict === 'impossible' && batch.figure === 'batches[0].aggregate_tps');
  });

  it('a CPU platform maximum is not a hard limit: implausible (flagged), not impossible', () => {
    // Ryzen 7000: 83.2 GB/s, × 1.1 = 91.52 GB/s; weights 1.256 GB less 1.5 GB of cache allowance: nothing counts.
    const cpu = { cpu_model: 'AMD Ryzen 9 7950X3D', gpus: [] };
    assert.equal(plausibility(result({ decode_tps: 1e6, backend_build: { kind: 'cpu' }, roofline }), cpu).verdict, 'ok');
    // 10 GB of weights: 8.5 GB a token from memory; 10.77 tok/s is 91.545 GB/s, just over.
    const big = { weight_bytes_per_token: 10e9, bandwidth_share: null, reason: null };
    assert.equal(plausibility(result({ decode_tps: 10.76, backend_build: { kind: 'cpu' }, roofline: big }), cpu).verdict, 'ok');
    const flagged = plausibility(result({ decode_tps: 10.77, backend_build: { kind: 'cpu' }, roofline: big }), cpu);
    assert.equal(flagged.verdict, 'implausible');
  });

  it('a backend that names no device is held to the fastest memory of the machine, and only flagged', () => {
    // The sample fingerprint's one RTX 4090: 1,008 GB/s × 1.1 = 1,108.8 GB/s; at 1 GB a token, 1,108 tok/s is the edge.
    const fp = sampleRun().fingerprint;
    assert.equal(plausibility(result({ decode_tps: 1108, backend_build: { kind: 'unknown' }, roofline }), fp).verdict, 'ok');
    const v = plausibility(result({ decode_tps: 1110, backend_build: { kind: 'unknown' }, roofline }), fp);
    assert.equal(v.verdict, 'implausible');
    assert.match(v.message, /this machine \(RTX 4090\)/);
  });

  it('unchecked without a shape, for speculative decoding, or without any known device', () => {
    assert.equal(plausibility(result({ decode_tps: 1e6, backend_build: H200 })).verdict, 'unchecked');
    assert.equal(plausibility(h200(1e6, { extras: { draft_n: 120 } })).verdict, 'unchecked');
    assert.equal(plausibility(result({ decode_tps: 1e6, backend_build: { kind: 'unknown' }, roofline })).verdict, 'unchecked');
  });

  it('the comparability rule keeps throttled and implausible results out of the ranking', () => {
    const base = {
      workload: 'chat-short' as const,
      suite_version: 'suite-v1',
      error: null,
      output_tokens: 256,
      batch_size: 1,
      ttft_ms: 100,
      decode_tps: 50,
      backend_decode_tps: null,
      backend_build: { kind: 'cpu' as const },
    };
    assert.deepEqual(comparability({ ...base, flags: ['throttled'] }, { suite: null }).reasons, ['throttled (the GPU or CPU slowed its clocks for heat or power while it was measured)']);
    assert.deepEqual(comparability({ ...base, flags: ['busy-machine'] }, { suite: null }), { comparable: true, reasons: [], codes: [] });
    const cpu = comparability({ ...base, flags: [], roofline: { weight_bytes_per_token: 10e9, device: 'AMD Ryzen 7000', devices: 1, bandwidth_share: null, reason: null } }, { suite: null });
    assert.equal(cpu.comparable, false);
    assert.match(cpu.reasons[0]!, /^physically implausible: decode_tps 50 tok\/s/);
  });
});

describe('the shape from a model config (non-GGUF backends)', () => {
  it("Llama 3.2 1B's config.json in bfloat16", () => {
    // Per layer: q 2,048 × 2,048 = 4,194,304; k and v 2,048 × 512 = 1,048,576 each; o 4,194,304;
    // MLP 3 × 2,048 × 8,192 = 50,331,648; two norms 4,096: 60,821,504. × 16 layers = 973,144,064.
    // Plus the final norm 2,048, the tied output (128,256 × 2,048 = 262,668,288) and one embedding
    // row 2,048: 1,235,816,448 weights × 2 bytes = 2,471,632,896. KV: 16 × 8 × (64 + 64) × 2 = 32,768.
    const config = { hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, intermediate_size: 8192, vocab_size: 128256, tie_word_embeddings: true };
    assert.deepEqual(shapeFromHfConfig(config, 2), { shape: { weightBytesPerToken: 2_471_632_896, kvBytesPerContextToken: 32_768, kvElementBytes: 2, source: 'config' } });
  });

  it('Mixtral 8x7B: the router and the two experts a token uses', () => {
    // Attention 4,096² × 2 + 4,096 × 1,024 × 2 = 41,943,040; router 4,096 × 8 = 32,768; 2 experts
    // × 3 × 4,096 × 14,336 = 352,321,536; norms 8,192: 394,305,536 a layer, × 32 = 12,617,777,152;
    // + 4,096 + 32,000 × 4,096 + 4,096 = 12,748,857,344 weights a token (the model card's ~12.9B active).
    const config = {
      hidden_size: 4096,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      intermediate_size: 14336,
      vocab_size: 32000,
      num_local_experts: 8,
      num_experts_per_tok: 2,
    };
    const outcome = shapeFromHfConfig(config, 1);
    assert.ok('shape' in outcome);
    assert.equal(outcome.shape.weightBytesPerToken, 12_748_857_344);
  });

  it('says which dimension is missing', () => {
    assert.deepEqual(shapeFromHfConfig({ hidden_size: 1 }, 2), { reason: 'the model config lacks hidden_size, num_hidden_layers, num_attention_heads or vocab_size' });
    assert.deepEqual(shapeFromHfConfig({ hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, vocab_size: 10 }, 2), { reason: 'the model config lacks intermediate_size' });
  });
});
