/**
 * Issue 24, finding 4: small groups. A lone run at 10⁷ tok/s in a group of fewer than five was not
 * flagged, became the group's best and topped /v1/leaderboard; with 3 honest runs plus one extreme
 * it was still the best; six copies of an extreme value (one key) against six honest runs flagged
 * all twelve and the group dropped off the board; seven copies flagged the honest runs instead.
 * Now a group is ranked only with 5 comparable runs from 4 keys (ranking.ts), and the outlier
 * statistics give each key one vote (outliers.ts). A seeded board holds each case, posted through
 * the real ingest.
 */
import assert from 'node:assert/strict';
import { generateKeyPair, signRun, toCompactJws, type KeyPair } from '@llm-speed/framework';
import { leaveOneOutZ, MIN_RANKED_KEYS, MIN_RANKED_RUNS } from '../src/index.js';
import { forEachBackend, sampleResult, sampleRun, startTestServer, type TestServer } from './helpers.js';

interface GroupJson {
  model: { name: string };
  runs: number;
  keys: number;
  ranked: boolean;
  not_ranked?: string;
  flagged: number;
  best_run: string | null;
  best_decode_tps: number | null;
  decode_tps: { median: number | null };
}

forEachBackend('ranking needs evidence; one key, one vote (issue 24.4)', () => {
  let server: TestServer;
  const keys: KeyPair[] = [];
  let minute = 0;
  const ids = new Map<string, Array<{ id: string; value: number }>>();

  /** One run of `model` at `value` tok/s signed by key number `k`, through POST /v1/results. */
  async function post(model: string, value: number, k: number): Promise<string> {
    while (keys.length <= k) keys.push(await generateKeyPair());
    const started = new Date(Date.UTC(2026, 11, 1, 0, minute++)).toISOString();
    const run = sampleRun([sampleResult({ decode_tps: value, model: { identifier: `org/${model}`, name: model, quant: 'Q4_K_M', digest: null } })], started);
    const res = await server.post('/v1/results', toCompactJws(await signRun(run, keys[k]!)));
    assert.equal(res.status, 201, res.text);
    ids.set(model, [...(ids.get(model) ?? []), { id: res.json.id, value }]);
    return res.json.id;
  }

  const honest = [100, 101, 99, 100.5, 100.2, 99.8];
  before(async function () {
    this.timeout(120_000);
    server = await startTestServer();
    await post('Lone', 1e7, 0);
    for (const [i, v] of honest.slice(0, 3).entries()) await post('ThreePlusOne', v, i);
    await post('ThreePlusOne', 1e7, 3);
    for (const [i, v] of honest.slice(0, 4).entries()) await post('FourPlusOne', v, i);
    await post('FourPlusOne', 1e7, 4);
    for (const [i, v] of honest.entries()) await post('SixVsSix', v, i);
    for (let c = 0; c < 6; c++) await post('SixVsSix', 1e7, 9);
    for (const [i, v] of honest.entries()) await post('SevenVsSix', v, i);
    for (let c = 0; c < 7; c++) await post('SevenVsSix', 1e7, 9);
    // Plenty of runs, too few signers.
    for (let c = 0; c < 10; c++) await post('ThreeKeys', 100 + c / 10, c % 3);
  });
  after(() => server.stop());

  async function group(model: string): Promise<GroupJson> {
    const res = await server.get(`/v1/models/${model.toLowerCase()}`);
    assert.equal(res.status, 200, res.text);
    const groups = (JSON.parse(res.text) as { groups: GroupJson[] }).groups;
    assert.equal(groups.length, 1);
    return groups[0]!;
  }
  async function board(): Promise<string[]> {
    const json = JSON.parse((await server.get('/v1/leaderboard')).text) as { workloads: Array<{ local: GroupJson[] }> };
    return json.workloads.flatMap((w) => w.local.map((g) => g.model.name));
  }
  const flaggedRuns = async (model: string) => {
    const out: number[] = [];
    for (const { id, value } of ids.get(model)!) if ((await server.repository.get(id))!.flagged.size > 0) out.push(value);
    return out;
  };

  it(`the thresholds: ${MIN_RANKED_RUNS} runs from ${MIN_RANKED_KEYS} keys`, () => {
    assert.equal(MIN_RANKED_RUNS, 5);
    assert.equal(MIN_RANKED_KEYS, 4);
  });

  it('a lone run at 10⁷ tok/s: no best, not on the board, "not enough runs to rank" on its page and in the JSON', async () => {
    const g = await group('Lone');
    assert.equal(g.ranked, false);
    assert.equal(g.best_run, null);
    assert.equal(g.not_ranked, 'not enough runs to rank: its group holds 1 comparable run from 1 key; a group is ranked from 5 runs by 4 different keys');
    assert.ok(!(await board()).includes('Lone'));
    const page = (await server.get(`/r/${ids.get('Lone')![0]!.id}`)).text;
    assert.match(
      page,
      /id="percentile">Not ranked yet: its group \(this model, backend and build on this hardware\) holds 1 comparable run from 1 key; a group is ranked from 5 runs by 4 different keys\./,
    );
    assert.doesNotMatch(page, /Faster than/);
  });

  it('3 honest runs plus one extreme: four runs are not enough; no best, not on the board', async () => {
    const g = await group('ThreePlusOne');
    assert.equal(g.runs, 4);
    assert.equal(g.ranked, false);
    assert.equal(g.best_run, null);
    assert.ok(!(await board()).includes('ThreePlusOne'));
  });

  it('4 honest runs plus one extreme, five keys: ranked; the extreme run flagged, the best is honest', async () => {
    const g = await group('FourPlusOne');
    assert.equal(g.ranked, true);
    assert.deepEqual(await flaggedRuns('FourPlusOne'), [1e7]);
    assert.equal(g.best_decode_tps, 101);
    assert.ok((await board()).includes('FourPlusOne'));
  });

  for (const [model, copies] of [
    ['SixVsSix', 6],
    ['SevenVsSix', 7],
  ] as const) {
    it(`${copies} copies of an extreme value from one key against six honest runs from six keys: the copies are flagged, the honest runs rank`, async () => {
      const g = await group(model);
      assert.equal(g.runs, 6 + copies);
      assert.equal(g.keys, 7);
      assert.equal(g.ranked, true);
      assert.deepEqual(await flaggedRuns(model), Array(copies).fill(1e7));
      assert.equal(g.flagged, copies);
      assert.equal(g.best_decode_tps, 101, 'the best run is the fastest honest one');
      // The group's median is the key-weighted one: the copies do not move it off the honest runs.
      assert.ok(g.decode_tps.median! < 102, `median ${g.decode_tps.median}`);
      assert.ok((await board()).includes(model));
    });
  }

  it('ten runs signed by three keys: not ranked, however many runs', async () => {
    const g = await group('ThreeKeys');
    assert.equal(g.runs, 10);
    assert.equal(g.keys, 3);
    assert.equal(g.ranked, false);
    assert.match(g.not_ranked!, /10 comparable runs from 3 keys/);
  });
});

describe('outlier statistics, one key one vote (unit)', () => {
  it('reduce to the unweighted statistics when every key posted equally often', () => {
    const values = [100, 101, 99, 100.5, 400, 98.5, 102, 97];
    assert.deepEqual(leaveOneOutZ(values, Array(8).fill('one key')), leaveOneOutZ(values));
    assert.deepEqual(
      leaveOneOutZ(
        values,
        values.map((_, i) => `key ${i}`),
      ),
      leaveOneOutZ(values),
    );
    assert.deepEqual(
      leaveOneOutZ(
        values,
        values.map((_, i) => `key ${i % 4}`),
      ),
      leaveOneOutZ(values),
    );
  });

  it('without weights, copies capture the median (the finding); with them they do not', () => {
    const honest = [100, 101, 99, 100.5, 100.2, 99.8];
    const values = [...honest, ...Array(7).fill(1e7)];
    const signers = [...honest.map((_, i) => `h${i}`), ...Array(7).fill('m')];
    const unweighted = leaveOneOutZ(values).map((z) => Math.abs(z) > 3);
    assert.deepEqual(unweighted.slice(0, 6), Array(6).fill(true), 'the old statistics flag the honest runs');
    const weighted = leaveOneOutZ(values, signers).map((z) => Math.abs(z) > 3);
    assert.deepEqual(weighted, [...Array(6).fill(false), ...Array(7).fill(true)]);
  });
});
