/**
 * Energy per phase (METHODOLOGY §13.2) on readings made up here, with every expected figure worked
 * out by hand in the comments: constant power P over a window of d ms is P × d / 1000 J; the idle
 * baseline subtracts idle W × d / 1000; joules per token divide the net figure by the phase's
 * tokens (prompt tokens for prefill, output tokens minus one per request for decode).
 */
import assert from 'node:assert/strict';
import type { GenerationRecord } from '../../src/harness/measure.js';
import { energyComparable, energyOf, MIN_PHASE_SAMPLES, meterKind } from '../../src/meters/energy.js';
import { batchesOf, phaseWindows } from '../../src/meters/phases.js';
import { EnergyTrack } from '../../src/meters/track.js';
import { costPerMillionTokens, parsePricePerKwh, REFERENCE_PRICE_PER_KWH } from '../../src/meters/cost.js';

/** A power track read every `every` ms from `from` to `to` (inclusive) at `watts(t)`. */
function powerTrack(every: number, from: number, to: number, watts: (t: number) => number, meter: 'nvidia-smi-power' | 'rapl' = 'nvidia-smi-power'): EnergyTrack {
  const track = new EnergyTrack(meter, meter === 'rapl' ? 'cpu-package' : 'gpu', 'test', every);
  for (let t = from; t <= to; t += every) track.addPower(t, watts(t));
  return track;
}

/** One request: sent at `sent`, `tokens` arriving one each 10 ms from `first`. */
function record(sent: number, first: number, tokens: number, prompt?: number): GenerationRecord {
  const arrivals = Array.from({ length: tokens }, (_, i) => ({ t: first + i * 10, count: 1 }));
  return { sentAt: sent, endedAt: first + (tokens - 1) * 10 + 5, arrivals, arrivedTokens: tokens, ...(prompt !== undefined ? { promptTokens: prompt } : {}), outputTokens: tokens, extras: {} };
}

describe('energy per phase', () => {
  // Idle at 100 W until t = 1000, then 250 W while the workload runs.
  const watts = (t: number) => (t < 1000 ? 100 : 250);
  // Sent at 1100, first token at 1300, 51 tokens to 1800; 400 prompt tokens. The timed part: 1050–1850.
  const windows = phaseWindows([record(1100, 1300, 51, 400)]);
  const total = { from: 1050, to: 1850 };

  it('splits prefill (sent → first token) and decode (first → last token) and subtracts the idle baseline', () => {
    const track = powerTrack(10, 0, 2000, watts);
    const energy = energyOf({ tracks: [track], idle: new Map([[track, 100]]), idleMs: 3000, total, windows });
    assert.equal(energy.meter, 'nvidia-smi-power');
    assert.deepEqual(energy.meters, [{ meter: 'nvidia-smi-power', domain: 'gpu', devices: 1, interval_ms: 10, samples: 80, idle_w: 100 }]);
    assert.equal(energy.idle_w, 100);
    // Prefill: 200 ms at 250 W = 50 J gross; idle 100 W × 0.2 s = 20 J; net 30 J over 400 prompt
    // tokens = 0.075 J a token; 400 / 30 = 13.333 tokens per second per watt. Readings at
    // 1100, 1110, … 1290: 20.
    assert.deepEqual(energy.prefill, {
      ms: 200,
      samples: 20,
      tokens: 400,
      gross_j: 50,
      net_j: 30,
      avg_w: 250,
      peak_w: 250,
      j_per_token: 0.075,
      gross_j_per_token: 0.125,
      tokens_per_s_per_w: 13.333,
      reason: null,
    });
    // Decode: 500 ms → 125 J gross, 75 J net, over 50 decode steps (51 tokens − 1) = 1.5 J a token.
    assert.equal(energy.decode!.gross_j, 125);
    assert.equal(energy.decode!.net_j, 75);
    assert.equal(energy.decode!.tokens, 50);
    assert.equal(energy.decode!.j_per_token, 1.5);
    assert.equal(energy.decode!.tokens_per_s_per_w, 0.66667);
    // The whole timed part: 800 ms → 200 J gross, 120 J net, over 51 output tokens = 2.3529 J.
    assert.equal(energy.total!.gross_j, 200);
    assert.equal(energy.total!.net_j, 120);
    assert.equal(energy.total!.j_per_token, 2.3529);
    assert.equal(energy.reason, null);
  });

  it(`fewer than ${MIN_PHASE_SAMPLES} readings in a phase: null with the reason, never an estimate`, () => {
    // Read every 100 ms: prefill (200 ms) holds 2 readings, decode (500 ms) 5, the timed part (800 ms) 8.
    const track = powerTrack(100, 0, 2000, watts);
    const energy = energyOf({ tracks: [track], idle: new Map([[track, 100]]), idleMs: 3000, total, windows });
    for (const phase of [energy.prefill!, energy.decode!, energy.total!]) {
      assert.equal(phase.gross_j, null);
      assert.equal(phase.j_per_token, null);
    }
    assert.equal(energy.prefill!.reason, '2 readings in 200 ms of prefill (the meter reads every 100 ms): at least 10 are needed to split it off');
    assert.equal(energy.decode!.samples, 5);
    assert.equal(energy.reason, '3 of 3 phases without joules per token (each phase says why)');
  });

  it('without an idle baseline the gross figures stay and the net ones are null, with the reason', () => {
    const track = powerTrack(10, 0, 2000, watts);
    const energy = energyOf({ tracks: [track], idle: new Map([[track, null]]), idleMs: 3000, idleReason: 'too few idle readings', total, windows });
    assert.equal(energy.idle_w, null);
    assert.equal(energy.decode!.gross_j, 125);
    assert.equal(energy.decode!.gross_j_per_token, 2.5);
    assert.equal(energy.decode!.net_j, null);
    assert.equal(energy.decode!.j_per_token, null);
    assert.match(energy.decode!.reason!, /net figures need the idle baseline: too few idle readings/);
  });

  it('a phase that draws no more than idle has no net figure', () => {
    const track = powerTrack(10, 0, 2000, () => 100);
    const energy = energyOf({ tracks: [track], idle: new Map([[track, 100]]), idleMs: 3000, total, windows });
    assert.equal(energy.decode!.net_j, null);
    assert.match(energy.decode!.reason!, /drew no more than the idle baseline/);
  });

  it('several meters add up; the phase counts the readings of the sparsest one; peak is summed at each reading', () => {
    const gpu = powerTrack(10, 0, 2000, watts);
    // RAPL every 20 ms at 60 W (idle 40 W); its counter gives cumulative joules.
    const cpu = new EnergyTrack('rapl', 'cpu-package', 'package-0', 20);
    for (let t = 0; t <= 2000; t += 20) cpu.addEnergy(t, 5000 + (t * 60) / 1000);
    const energy = energyOf({
      tracks: [cpu, gpu],
      idle: new Map([
        [gpu, 100],
        [cpu, 40],
      ]),
      idleMs: 3000,
      total,
      windows,
    });
    assert.equal(energy.meter, 'nvidia-smi-power+rapl', 'a fixed order, whatever order the tracks came in');
    assert.equal(meterKind([cpu, gpu]), meterKind([gpu, cpu]));
    // Decode, 500 ms: GPU 125 J + CPU 30 J = 155 J gross; idle (100 + 40) W × 0.5 s = 70 J; net 85 J / 50 = 1.7.
    assert.equal(energy.decode!.gross_j, 155);
    assert.equal(energy.decode!.net_j, 85);
    assert.equal(energy.decode!.j_per_token, 1.7);
    assert.equal(energy.decode!.samples, 25, 'RAPL read 25 times in 500 ms, the GPU 50');
    assert.equal(energy.decode!.peak_w, 310);
    assert.equal(energy.idle_w, 140);
  });

  it('readings that stop before the phase ends give no figure rather than an extrapolation', () => {
    const track = powerTrack(10, 0, 1600, watts);
    const energy = energyOf({ tracks: [track], idle: new Map([[track, 100]]), idleMs: 3000, total, windows });
    // Decode's window runs to 1800; the last reading is at 1600. 30 readings from 1300 to 1590 is enough, the coverage is not.
    assert.equal(energy.decode!.gross_j, null);
    assert.match(energy.decode!.reason!, /do not cover the whole decode phase/);
  });

  it('energy is compared only between results measured with the same meters', () => {
    assert.equal(energyComparable({ meter: 'nvidia-smi-power' }, { meter: 'nvidia-smi-power' }), true);
    assert.equal(energyComparable({ meter: 'nvidia-smi-power' }, { meter: 'nvidia-smi-power+rapl' }), false);
    assert.equal(energyComparable({ meter: 'none' }, { meter: 'none' }), false);
    assert.equal(energyComparable(undefined, { meter: 'rapl' }), false);
  });

  it('no meters: energy says why', () => {
    assert.deepEqual(energyOf({ tracks: [], idle: new Map(), idleMs: null, total, windows }), { meter: 'none', meters: [], reason: 'no power meter was read' });
  });
});

describe('phase windows', () => {
  it('repetitions and turns add their own windows; overlapping streams are one batch (W4)', () => {
    // Two sequential requests, then a batch of two overlapping streams.
    const a = record(0, 100, 11, 50); // prefill 0–100, decode 100–200
    const b = record(300, 350, 6, 50); // prefill 300–350, decode 350–400
    const s1 = record(1000, 1200, 41, 1000); // first 1200, last 1600
    const s2 = record(1005, 1250, 46, 1000); // first 1250, last 1700
    assert.deepEqual(
      batchesOf([s2, b, a, s1]).map((batch) => batch.length),
      [1, 1, 2],
    );
    const w = phaseWindows([a, b, s1, s2]);
    // The batch's prefill runs from its first request to its last stream's first token (§1.4), decode from there to its last token.
    assert.deepEqual(w.prefill, [
      { from: 0, to: 100 },
      { from: 300, to: 350 },
      { from: 1000, to: 1250 },
    ]);
    assert.deepEqual(w.decode, [
      { from: 100, to: 200 },
      { from: 350, to: 400 },
      { from: 1250, to: 1700 },
    ]);
    assert.equal(w.prefillTokens, 2100);
    // Decode steps: 10 + 5 + 40 + 45.
    assert.equal(w.decodeTokens, 100);
    assert.equal(w.outputTokens, 104);
  });

  it('cached prompt tokens are not prefill work; an unknown prompt count makes prefill tokens unknown', () => {
    const cached = { ...record(0, 100, 3, 1000), cachedPromptTokens: 900 };
    assert.equal(phaseWindows([cached]).prefillTokens, 100);
    assert.equal(phaseWindows([cached, record(500, 600, 3)]).prefillTokens, null);
  });
});

describe('cost per million tokens', () => {
  it('joules per token × 10^6 / 3.6 × 10^6 J per kWh × the tariff', () => {
    // 2.3529 J a token: a million tokens is 2,352,900 J = 0.6535833 kWh; at 0.30 a kWh, 0.196075.
    assert.equal(Number(costPerMillionTokens(2.3529, 0.3).toFixed(6)), 0.196075);
    assert.equal(REFERENCE_PRICE_PER_KWH, 0.15);
  });

  it('a tariff must be a positive number', () => {
    assert.equal(parsePricePerKwh('0.15'), 0.15);
    for (const bad of ['abc', '0', '-1', '', 'Infinity', '1e9']) assert.ok(typeof parsePricePerKwh(bad) === 'object', bad);
  });
});
