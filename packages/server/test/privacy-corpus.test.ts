/**
 * The planted-data corpus against a real server (SQLite and PostgreSQL, 127.0.0.1): each class of personal
 * data in each free-form field, validly signed, must be refused, with 422 naming the field where
 * the run otherwise matches the schema; the same server stores genuine runs of every bundled
 * driver's shape. The corpus lives in @llm-speed/framework/testing (privacy-corpus.ts).
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

  it('refuses every planted class in every free-form field: 0 accepted, 422 naming the field', async () => {
    const before = await server.repository.count();
    const tally = new Map<number, number>();
    let tried = 0;
    for (const planted of plantedClasses()) {
      for (const field of plantedFields()) {
        const run = sampleRun([sampleResult()]);
        field.plant(run, planted.value, planted);
        const res = await server.post('/v1/results', await signedToken(run));
        tried++;
        tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
        assert.ok(res.status === 422 || res.status === 400, `${planted.name} in ${field.path}: ${res.status} ${res.text}`);
        if (res.status === 422 && !field.path.endsWith('<key>')) {
          assert.ok(res.json.error.includes(field.path) || res.json.details.some((d: string) => d.includes(field.path)), `${planted.name} in ${field.path}: ${res.text}`);
        }
      }
    }
    assert.equal(await server.repository.count(), before, 'nothing planted was stored');
    assert.equal(tried, plantedClasses().length * plantedFields().length);
    // Most refusals are the privacy rules' own; the rest are schema limits (a flag, a key or a 32-character quant cannot hold the value).
    assert.ok((tally.get(422) ?? 0) > tried / 2, JSON.stringify([...tally]));
  });

  it('refuses fixture text split across fields and extras outside their bounds (422)', async () => {
    const before = await server.repository.count();
    for (const { name, run } of [...splitFixtureRuns(), ...oversizeExtrasRuns()]) {
      const res = await server.post('/v1/results', await signedToken(run));
      assert.ok(res.status === 422 || res.status === 400, `${name}: ${res.status} ${res.text}`);
    }
    const split = await server.post('/v1/results', await signedToken(splitFixtureRuns()[1]!.run));
    assert.equal(split.status, 422);
    assert.match(split.json.error, /prompt text copied from the suite fixtures/);
    assert.equal(await server.repository.count(), before);
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
