/**
 * The planted-data corpus against a real server (SQLite and PostgreSQL, 127.0.0.1): each class of personal
 * data, in each spelling of issue 24, in each free-form field, validly signed, must be refused,
 * with 422 naming the field where the run otherwise matches the schema; prompt text split into
 * pieces over fields, and a run over the free-text limit, are refused with 422; the same server
 * stores genuine runs of every bundled driver's shape. The corpus lives in
 * @llm-speed/framework/testing (privacy-corpus.ts).
 */
import assert from 'node:assert/strict';
import { bundledDriverRuns, oversizeExtrasRuns, plantedClasses, plantedFields, splitFixtureRuns } from '@llm-speed/framework/testing';
import { forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';

forEachBackend('ingest: the privacy rules on the server (planted-data corpus)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('stores genuine runs of every bundled driver shape (no false positives)', async () => {
    for (const { driver, run } of bundledDriverRuns()) {
      const res = await server.post('/v1/results', await signedToken(run));
      assert.equal(res.status, 201, `${driver}: ${res.text}`);
    }
  });

  it('refuses every spelling of every planted class in every free-form field: 0 accepted, 422 naming the field', async function () {
    this.timeout(300_000);
    const before = await server.repository.count();
    const tally = new Map<number, number>();
    const byFamily = new Map<string, number>();
    const cases = plantedClasses().flatMap((planted) => plantedFields().map((field) => ({ planted, field })));
    // Eight requests at a time: 2,000-odd signed POSTs in series take minutes on a loaded machine.
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(
        cases.slice(i, i + 8).map(async ({ planted, field }) => {
          const run = sampleRun([sampleResult()]);
          field.plant(run, planted.value, planted);
          const res = await server.post('/v1/results', await signedToken(run));
          tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
          byFamily.set(planted.family, (byFamily.get(planted.family) ?? 0) + 1);
          assert.ok(res.status === 422 || res.status === 400, `${planted.family} / ${planted.name} in ${field.path}: ${res.status} ${res.text}`);
          if (res.status === 422 && !field.path.endsWith('<key>')) {
            assert.ok(res.json.error.includes(field.path) || res.json.details.some((d: string) => d.includes(field.path)), `${planted.name} in ${field.path}: ${res.text}`);
          }
        }),
      );
    }
    assert.equal(await server.repository.count(), before, 'nothing planted was stored');
    assert.equal(cases.length, plantedClasses().length * plantedFields().length);
    // Every spelling class the issue-24 probe got past the rules is here, each in all 20 fields.
    assert.deepEqual([...byFamily.keys()], ['plain', 'IPv4 as inet_aton reads it', 'MAC with any separator', 'e-mail spelled out', 'host names', 'paths', 'prompt text']);
    assert.equal(plantedFields().length, 20);
    // Most refusals are the privacy rules' own; the rest are schema limits (a flag, a key or a 32-character quant cannot hold the value).
    assert.ok((tally.get(422) ?? 0) > cases.length / 2, JSON.stringify([...tally]));
  });

  it('refuses fixture text split across fields and extras outside their bounds (422)', async () => {
    const before = await server.repository.count();
    for (const { name, run } of [...splitFixtureRuns(), ...oversizeExtrasRuns()]) {
      const res = await server.post('/v1/results', await signedToken(run));
      assert.ok(res.status === 422 || res.status === 400, `${name}: ${res.status} ${res.text}`);
    }
    // Every split copy matches the schema: each is refused by the privacy rules themselves.
    for (const { name, run } of splitFixtureRuns()) {
      const split = await server.post('/v1/results', await signedToken(run));
      assert.equal(split.status, 422, `${name}: ${split.text}`);
      assert.match(split.json.error, /prompt text copied from the suite fixtures/, name);
    }
    assert.equal(await server.repository.count(), before);
  });

  it('refuses a run carrying more free-form text than real drivers need (422 naming the limit)', async () => {
    // Three failed workloads with 2,000-character errors of their own (the most the schema allows each):
    // 6,000 letters and 3 strings over sampleRun()'s own 210 in 13 (counted in rules-detail.test.ts).
    const run = sampleRun([
      sampleResult({ error: 'x'.repeat(2000) }),
      sampleResult({ workload: 'chat-long', error: 'y'.repeat(2000) }),
      sampleResult({ workload: 'agent-trace', error: 'z'.repeat(2000) }),
    ]);
    const res = await server.post('/v1/results', await signedToken(run));
    assert.equal(res.status, 422, res.text);
    assert.match(res.json.error, /^refused by the privacy rules: results\[0\]\.error contains more free-form text than a run may carry; nothing was stored$/);
    assert.ok(
      res.json.details.some((d: string) => /6210 letters and digits of free-form text in 16 distinct strings, at most 4096 in 128/.test(d)),
      res.text,
    );
  });

  it('refuses the huge numbers that escaped outlier flagging (1e200, 1.797e308) with 400', async () => {
    for (const decode of [1e200, 1.797e308, 1e7 + 1]) {
      const res = await server.post('/v1/results', await signedToken(sampleRun([sampleResult({ decode_tps: decode })])));
      assert.equal(res.status, 400, res.text);
      assert.ok(
        res.json.details.some((d: string) => /\/results\/0\/decode_tps: must be <= 10000000/.test(d)),
        res.text,
      );
    }
  });
});
