import assert from 'node:assert/strict';
import { clusterStats, leaveOneOutZ, MIN_CLUSTER_SIZE, toNewResult } from '../src/index.js';
import { signRun } from '@llm-speed/framework';
import { forEachBackend, openTestRepository, sampleResult, sampleRun, signedToken, startTestServer, testKeys, type TestServer } from './helpers.js';

describe('server: outlier flags', () => {
  it('leave-one-out z: a lone outlier in a small cluster is found, a tight cluster is not', () => {
    const z = leaveOneOutZ([100, 101, 99, 100.5, 300]);
    assert.ok(z[4] > 3, `z=${z[4]}`);
    assert.ok(
      z.slice(0, 4).every((v) => Math.abs(v) < 3),
      String(z),
    );
    assert.ok(leaveOneOutZ([100, 101, 99, 300]).every(Number.isNaN), 'below the minimum cluster size nothing is judged');
  });

  describe('robust z (median/MAD of the others): hand-worked values', () => {
    // Six runs at 100..105 and a candidate x. The others' median is 102.5; their absolute
    // deviations are 2.5 1.5 0.5 0.5 1.5 2.5, so MAD = 1.5 and robust σ = 1.4826 × 1.5 = 2.2239
    // (above the 0.5 % floor of 0.5125). z(x) = (x − 102.5) / 2.2239.
    const six = [100, 101, 102, 103, 104, 105];
    const sigma = 1.4826 * 1.5;
    for (const [x, expected] of [
      [1e200, 1e200 / sigma],
      [1.797e308, 1.797e308 / sigma],
      [10000, (10000 - 102.5) / sigma],
    ] as const) {
      it(`x = ${x}: z = ${expected.toPrecision(6)} → flagged, finite, and the six are not`, () => {
        const z = leaveOneOutZ([...six, x]);
        assert.ok(Number.isFinite(z[6]), `z = ${z[6]}`);
        assert.ok(Math.abs(z[6] / expected - 1) < 1e-12, `z = ${z[6]}, expected ${expected}`);
        assert.ok(z[6] > 3);
        // The candidate moves nobody else's reference: z(100) = (100 − 103.5) / 2.2239 = −1.574
        // (others 101..105 and x: median 103.5, deviations 2.5 1.5 0.5 0.5 1.5 |x − 103.5| → MAD 1.5).
        assert.ok(Math.abs(z[0] - -3.5 / sigma) < 1e-12, `z(100) = ${z[0]}`);
        assert.ok(
          z.slice(0, 6).every((v) => Math.abs(v) < 3),
          String(z),
        );
      });
    }

    it('a tight cluster with rounding noise flags nothing (the 0.5 % σ floor)', () => {
      // Others' median 100, MAD ≤ 0.01, so σ = the floor 0.5: the largest |z| is 0.05 / 0.5 = 0.1.
      const z = leaveOneOutZ([100, 100.01, 99.99, 100, 100.02, 99.98, 100.01, 99.95]);
      assert.ok(
        z.every((v) => Math.abs(v) <= 0.1 + 1e-9),
        String(z),
      );
      assert.ok(
        leaveOneOutZ([250, 250, 250, 250, 250]).every((v) => v === 0),
        'identical values: z = 0, not NaN',
      );
    });

    it('is finite for any finite input, also at the edges of the double range', () => {
      for (const values of [
        [0, 0, 0, 0, 5e-324, Number.MAX_VALUE],
        [-Number.MAX_VALUE, Number.MAX_VALUE, 0, 1, 2],
        [Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE, 0],
        [1e-300, 2e-300, 3e-300, 4e-300, 5e-300],
      ]) {
        const z = leaveOneOutZ(values);
        assert.ok(z.every(Number.isFinite), `${values.join(',')} → ${z.join(',')}`);
      }
      assert.ok(leaveOneOutZ([0, 0, 0, 0, 5e-324, Number.MAX_VALUE])[5] > 3);
      assert.ok(leaveOneOutZ([Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE, 0])[5] < -3);
      const stats = clusterStats([Number.MAX_VALUE, Number.MAX_VALUE, 100]);
      assert.equal(stats.median, Number.MAX_VALUE);
      assert.ok(Number.isFinite(stats.mean!), `mean ${stats.mean}`);
      assert.equal(clusterStats([Number.MAX_VALUE, Number.MAX_VALUE]).median, Number.MAX_VALUE);
    });
  });
});

forEachBackend('server: outlier flags in storage', () => {
  const six = [100, 101, 102, 103, 104, 105];
  const sigma = 1.4826 * 1.5;

  it('one value cannot dominate: 1e200 in a cluster of 100..105 is flagged at the store, the others are not', async () => {
    const { repo, close } = await openTestRepository();
    try {
      const ids: string[] = [];
      for (const [i, v] of [...six, 1e200].entries()) {
        const signed = await signRun(sampleRun([sampleResult({ decode_tps: v })], `2026-11-24T10:0${i}:00.000Z`), await testKeys());
        ids.push((await repo.insert(toNewResult(signed, '2026-11-24T12:00:00.000Z'))).id);
      }
      const flagged: string[] = [];
      for (const id of ids) if ((await repo.get(id))!.flagged.size > 0) flagged.push(id);
      assert.deepEqual(flagged, [ids[6]]);
      const z = (await repo.get(ids[6]!))!.flagged.get(0)!;
      assert.ok(Math.abs(z / (1e200 / sigma) - 1) < 1e-12, `stored z ${z}`);
      const cluster = (await repo.clustersByModel('qwen2-5-7b-instruct'))[0]!;
      assert.equal(cluster.flaggedCount, 1);
      assert.equal(cluster.median, 103);
      assert.ok(Number.isFinite(cluster.mean!));
    } finally {
      await close();
    }
  });

  describe('on ingest', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async function () {
      // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
      this.timeout(120_000);
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
      assert.match(model, new RegExp(`<tr class="flagged" data-run="${outlier}"><td data-label="run"><a href="/r/${outlier}">`));
      assert.match(model, /⚑ 1/);
    });
  });
});
