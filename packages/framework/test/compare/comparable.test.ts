/**
 * The one comparability rule (METHODOLOGY §6.1): what a group is, and which
 * results are kept out of every group and why. The server and `compare` both call this.
 */
import assert from 'node:assert/strict';
import type { MeasuredResult } from '../../src/contract/generated/run.js';
import { comparability, groupDifferences, groupKey, groupOf, isInterrupted, NOT_COMPARABLE_FLAGS } from '../../src/index.js';
import { loadSuite } from '../../src/suite/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';

const fingerprint = sampleRun().fingerprint;
const w4 = (overrides: Partial<MeasuredResult> = {}) => sampleResult({ workload: 'concurrent-decode', batch_size: 16, output_tokens: 16 * 256, decode_tps: 640, ...overrides });

describe('comparable groups', () => {
  it('a group is suite version × workload × model × backend × engine × build × hardware class, and nothing else', () => {
    const base = sampleResult({ extras: { engine: 'server' }, backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } });
    const key = groupKey(groupOf(base, fingerprint));
    // Figures, versions and device names are not part of the group. (Typed as a whole result: groupOf
    // takes only the grouped fields, so a literal naming backend_version would be an excess property.)
    const otherVersion: MeasuredResult = { ...base, backend_version: '9999', backend_build: { kind: 'cuda' } };
    assert.equal(groupKey(groupOf(otherVersion, fingerprint)), key);
    const variants: Array<[string, MeasuredResult, typeof fingerprint]> = [
      ['suite version', { ...base, suite_version: 'suite-v2' }, fingerprint],
      ['workload', { ...base, workload: 'chat-long' }, fingerprint],
      ['model digest', { ...base, model: { ...base.model, digest: 'ee'.repeat(32) } }, fingerprint],
      ['backend', { ...base, backend: 'ollama' }, fingerprint],
      ['engine', { ...base, extras: { engine: 'embedded' } }, fingerprint],
      ['build', { ...base, backend_build: { kind: 'cpu' } }, fingerprint],
      ['hardware class', base, { ...fingerprint, fingerprint_hash: '0011223344556677' }],
    ];
    const keys = new Set([key]);
    for (const [what, result, fp] of variants) {
      const other = groupKey(groupOf(result, fp));
      assert.notEqual(other, key, `${what} must split the group`);
      keys.add(other);
      assert.equal(groupDifferences(groupOf(base, fingerprint), groupOf(result, fp)).length, 1, what);
    }
    assert.equal(keys.size, variants.length + 1);
    assert.deepEqual(groupDifferences(groupOf(base, fingerprint), groupOf({ ...base, extras: { engine: 'embedded' } }, fingerprint)), ['engine: server vs embedded']);
  });

  it('long-context-decay: the context of the headline tier is part of the group, skipped tiers are not', () => {
    const tier = (context_tokens: number, skipped?: string) => ({
      context_tokens,
      prefill_tps: skipped ? null : 900,
      decode_tps: skipped ? null : 40,
      ttft_ms: skipped ? null : 35,
      output_tokens: skipped ? null : 128,
      ...(skipped ? { skipped } : {}),
    });
    const w3 = (tiers: ReturnType<typeof tier>[]) => sampleResult({ workload: 'long-context-decay', tiers });
    const upTo64k = groupOf(w3([tier(32768), tier(65536), tier(131072, 'needs 131072 tokens of context; the model/backend holds 65536')]), fingerprint);
    const upTo128k = groupOf(w3([tier(32768), tier(65536), tier(131072)]), fingerprint);
    assert.equal(upTo64k.workload, 'long-context-decay @ 65536 tokens');
    assert.equal(upTo128k.workload, 'long-context-decay @ 131072 tokens');
    assert.notEqual(groupKey(upTo64k), groupKey(upTo128k), 'a 64k and a 128k headline are not one measurement');
    assert.equal(groupKey(upTo64k), groupKey(groupOf(w3([tier(32768), tier(65536), tier(131072, 'another reason')]), fingerprint)));
    assert.deepEqual(groupDifferences(upTo64k, upTo128k), ['workload: long-context-decay @ 65536 tokens vs long-context-decay @ 131072 tokens']);
    // Workloads without tiers keep their plain name.
    assert.equal(groupOf(sampleResult(), fingerprint).workload, sampleResult().workload);
  });

  it('falls back where a result says less: engine = backend, build = unknown, model = identifier + quant, hardware = summary', () => {
    const bare = sampleResult({ model: { identifier: 'llama3.1:8b', name: 'llama3.1', quant: 'Q4_0' }, backend: 'ollama', extras: {} });
    const { fingerprint_hash: _, ...strictAnon } = fingerprint;
    const g = groupOf(bare, strictAnon);
    assert.equal(g.engine, 'ollama');
    assert.equal(g.build, 'unknown');
    assert.equal(g.model, 'model:llama3.1:8b|Q4_0');
    assert.equal(g.hardware_class, `summary:${fingerprint.accelerator_summary}`);
    assert.notEqual(groupKey(g), groupKey(groupOf({ ...bare, model: { ...bare.model, quant: 'Q8_0' } }, strictAnon)), 'another quant is another model');
  });

  it('a complete, clean result is comparable', () => {
    assert.deepEqual(comparability(sampleResult()), { comparable: true, reasons: [] });
    assert.deepEqual(comparability(w4()), { comparable: true, reasons: [] });
    assert.deepEqual(comparability(sampleResult({ flags: ['thermal-throttled'] })).comparable, true);
  });

  it('each excluding flag keeps a result out, with its reason in words', () => {
    const quick = comparability(sampleResult({ flags: ['quick'], output_tokens: 32 }));
    assert.deepEqual(quick, { comparable: false, reasons: ['quick run (32 of 256 tokens)'] });
    const cases: Array<[Partial<MeasuredResult>, RegExp]> = [
      [{ flags: ['interrupted'], error: 'interrupted', output_tokens: 100 }, /^interrupted run/],
      [{ flags: ['short-output'], output_tokens: 200 }, /^short output \(200 of 256 tokens\)$/],
      [{ flags: ['no-output'], output_tokens: 0 }, /^no output tokens$/],
      [{ flags: ['warm-cache'] }, /^warm cache/],
      [{ flags: ['throttled'] }, /^throttled \(the GPU or CPU slowed its clocks/],
      [{ error: 'HTTP 500 from llama-server' }, /^failed: HTTP 500 from llama-server$/],
    ];
    for (const [overrides, reason] of cases) {
      const verdict = comparability(sampleResult(overrides));
      assert.equal(verdict.comparable, false, JSON.stringify(overrides));
      assert.ok(
        verdict.reasons.some((r) => reason.test(r)),
        `${JSON.stringify(overrides)} → ${verdict.reasons.join(' | ')}`,
      );
    }
    // Every documented flag is covered above.
    assert.deepEqual([...NOT_COMPARABLE_FLAGS].sort(), ['interrupted', 'no-output', 'quick', 'short-output', 'throttled', 'warm-cache']);
  });

  it('serial-concurrency excludes W4 only: it says nothing about single-stream workloads', () => {
    const serial = comparability(w4({ flags: ['serial-concurrency'] }));
    assert.equal(serial.comparable, false);
    assert.match(serial.reasons[0]!, /one after another/);
    assert.equal(comparability(sampleResult({ flags: ['serial-concurrency'] })).comparable, true);
  });

  it('a result shorter than its suite is caught even when the flag was stripped (older or third-party clients)', () => {
    assert.deepEqual(comparability(sampleResult({ output_tokens: 32 })).reasons, ['shorter than suite-v1 asks (32 of 256 tokens)']);
    assert.deepEqual(comparability(w4({ batch_size: 2, output_tokens: 64, flags: ['quick'] })).reasons, ['quick run (32 of 256 tokens a stream, largest batch 2 of 16)']);
    // The suite's sizes come from the suite itself, not from a copy here.
    const w1 = loadSuite('suite-v1').definition.workloads.find((w) => w.name === 'chat-short')!;
    assert.equal(comparability(sampleResult({ output_tokens: w1.output_tokens })).comparable, true);
    assert.equal(comparability(sampleResult({ output_tokens: w1.output_tokens - 1 })).comparable, false);
    // An unknown suite: only the flags decide.
    assert.equal(comparability(sampleResult({ suite_version: 'suite-v9', output_tokens: 3 })).comparable, true);
  });

  it('recognises an interruption by the flag and by the error texts of CLIs before the flag', () => {
    for (const error of ['interrupted', 'interrupted before this workload started', 'batch 16 failed: interrupted by the user', 'turn 3 failed: interrupted by the user']) {
      assert.equal(isInterrupted({ flags: [], error }), true, error);
      assert.deepEqual(comparability(sampleResult({ error })).reasons, ['interrupted run (stopped before it finished)'], 'said once, not again as a failure');
    }
    assert.equal(isInterrupted({ flags: ['interrupted'], error: null }), true);
    assert.equal(isInterrupted({ flags: [], error: 'HTTP 500: request was not interrupted' }), false);
    assert.deepEqual(comparability(sampleResult({ flags: ['interrupted'], error: 'interrupted' })).reasons, ['interrupted run (stopped before it finished)']);
  });
});
