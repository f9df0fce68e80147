import assert from 'node:assert/strict';
import { leaveOneOutZ, MIN_CLUSTER_SIZE } from '../src/index.js';
import { sampleResult, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';

describe('server: outlier flags', () => {
  it('leave-one-out z: a lone outlier in a small cluster is found, a tight cluster is not', () => {
    const z = leaveOneOutZ([100, 101, 99, 100.5, 300]);
    assert.ok(z[4] > 3, `z=${z[4]}`);
    assert.ok(z.slice(0, 4).every((v) => Math.abs(v) < 3), String(z));
    assert.ok(leaveOneOutZ([100, 101, 99, 300]).every(Number.isNaN), 'below the minimum cluster size nothing is judged');
  });

  describe('on ingest', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await server.stop();
    });

    async function submit(decode: number, i: number, backend = 'llama.cpp'): Promise<string> {
      const run = sampleRun([sampleResult({ decode_tps: decode, backend })], `2026-11-24T10:${String(i).padStart(2, '0')}:00.000Z`);
      const res = await server.post('/v1/results', await signedToken(run));
      assert.equal(res.status, 201, res.text);
      return res.json.id;
    }

    it(`flags a >3σ result once its cluster reaches ${MIN_CLUSTER_SIZE}, keeps it listed, and recomputes as the cluster grows`, async () => {
      const outlier = await submit(400, 0);
      for (const [i, v] of [100, 101, 99].entries()) await submit(v, i + 1);
      // 4 results: below the minimum, nothing flagged.
      assert.doesNotMatch((await server.get(`/r/${outlier}`)).text, /flagged \(z =/);
      // A different backend is a different cluster: it does not count towards this one.
      await submit(100, 10, 'ollama');
      assert.doesNotMatch((await server.get(`/r/${outlier}`)).text, /flagged \(z =/);
      const fifth = await submit(100.5, 5);
      const page = (await server.get(`/r/${outlier}`)).text;
      assert.match(page, /flagged \(z = /);
      assert.match(page, /flagged for review/);
      assert.doesNotMatch((await server.get(`/r/${fifth}`)).text, /flagged \(z =/);
      // Flagged, never hidden: still served, still on the model page, marked.
      assert.equal((await server.get(`/v1/results/${outlier}`)).status, 200);
      const model = (await server.get('/m/qwen2-5-7b-instruct')).text;
      assert.match(model, new RegExp(`<tr class="flagged"><td><a href="/r/${outlier}">`));
      assert.match(model, /⚑ 1/);
    });
  });
});
