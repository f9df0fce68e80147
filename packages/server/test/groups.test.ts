/**
 * Comparable groups on the server (METHODOLOGY §6.1): a seeded database holding
 * every kind of run that must not be compared — quick, interrupted, short-output, warm-cache,
 * failed, serial W4 — next to full runs of other suite versions, engines and builds. Asserts what
 * is pooled, ranked and flagged, that an outlier is never a group's best run, and that every run
 * keeps its own page.
 */
import assert from 'node:assert/strict';
import { groupKey, groupOf, signRun, type MeasuredResult } from '@llm-speed/framework';
import { toNewResult, type ClusterRow } from '../src/index.js';
import { forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, testKeys, type TestServer, RANK_EVERY_GROUP } from './helpers.js';

const SERVER = { extras: { engine: 'server' }, backend_build: { kind: 'cpu' as const } };

forEachBackend('server: comparable groups', () => {
  let server: TestServer;
  let minute = 0;
  const ids: Record<string, string> = {};

  /** Stores a run straight into the repository, as a database written before ingest refused some kinds would hold it. */
  async function seed(name: string, result: Partial<MeasuredResult>): Promise<string> {
    const run = sampleRun([sampleResult({ ...SERVER, ...result })], `2026-11-24T10:${String(minute++).padStart(2, '0')}:00.000Z`);
    const stored = await server.repository.insert(toNewResult(await signRun(run, await testKeys()), '2026-11-24T12:00:00.000Z'));
    ids[name] = stored.id;
    return stored.id;
  }

  const chatShort = async (): Promise<ClusterRow[]> => (await server.repository.clustersByModel('qwen2-5-7b-instruct')).filter((c) => c.workload === 'chat-short');
  const mainGroup = async () => (await chatShort()).find((c) => c.suiteVersion === 'suite-v1' && c.engine === 'server' && c.build === 'cpu')!;

  before(async () => {
    server = await startTestServer({ ranking: RANK_EVERY_GROUP });
    // The group: five full runs and one far outlier (the fastest of them).
    for (const [i, v] of [100, 101, 99, 100.5, 100.2].entries()) await seed(`full${i}`, { decode_tps: v });
    await seed('outlier', { decode_tps: 400 });
    // Same group key, each one not comparable, each one faster than everything above.
    await seed('quick', { decode_tps: 900, output_tokens: 32, flags: ['quick'] });
    await seed('interrupted', { decode_tps: 910, output_tokens: 288, flags: ['interrupted'], error: 'interrupted' });
    await seed('legacyInterrupted', { decode_tps: 915, output_tokens: 288, error: 'interrupted' });
    await seed('short', { decode_tps: 950, output_tokens: 200, flags: ['short-output'] });
    await seed('warm', { decode_tps: 980, flags: ['warm-cache'] });
    await seed('failed', { decode_tps: 990, error: 'HTTP 500 from llama-server' });
    // W4: one concurrent run, one serial run of the same group.
    // Every batch the suite runs (METHODOLOGY §1.4): a W4 without them is shorter than the suite.
    const batches = [1, 4, 8, 16].map((batch) => ({ batch, aggregate_tps: batch * 40, per_stream_tps: 40, p50_ms: 25, p95_ms: 30 }));
    const w4 = { workload: 'concurrent-decode' as const, batch_size: 16, output_tokens: 16 * 256, batches };
    await seed('w4', { ...w4, decode_tps: 640 });
    await seed('w4serial', { ...w4, decode_tps: 2000, flags: ['serial-concurrency'] });
    // Full runs in other groups.
    await seed('suiteV2', { suite_version: 'suite-v2', decode_tps: 300 });
    await seed('embedded', { extras: { engine: 'embedded' }, decode_tps: 60 });
    await seed('cuda', { backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] }, decode_tps: 700 });
  });
  after(async function () {
    // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
    this.timeout(120_000);
    await server.stop();
  });

  it('the not-comparable runs share the group key yet are stored: the rule decides, not the key', async () => {
    for (const name of ['quick', 'interrupted', 'short', 'warm', 'failed']) {
      assert.equal((await server.repository.get(ids[name]!))!.clusters.get(0)?.clusterKey, (await mainGroup()).clusterKey, name);
    }
  });

  it('pools only comparable runs: statistics and outlier math ignore quick, interrupted, short, warm and failed runs', async () => {
    const g = await mainGroup();
    assert.equal(g.n, 6, 'five full runs and the outlier');
    assert.equal(g.max, 400);
    assert.equal(g.min, 99);
    assert.equal(g.flaggedCount, 1);
    assert.equal((await server.repository.get(ids.outlier!))!.flagged.size, 1, 'the outlier is flagged');
    for (const name of ['quick', 'interrupted', 'legacyInterrupted', 'short', 'warm', 'failed']) {
      const stored = (await server.repository.get(ids[name]!))!;
      assert.equal(stored.flagged.size, 0, `${name} is never flagged: it is not in the outlier math`);
      assert.ok(stored.notComparable.get(0)?.length, `${name} carries its reasons`);
    }
  });

  it('an outlier is never the best run, and neither is a run that is not comparable', async () => {
    assert.equal((await mainGroup()).bestResultId, ids.full1, 'the fastest comparable, unflagged run (101)');
    const bests = new Set((await server.repository.clustersByModel('qwen2-5-7b-instruct')).map((c) => c.bestResultId));
    for (const name of ['outlier', 'quick', 'interrupted', 'legacyInterrupted', 'short', 'warm', 'failed', 'w4serial']) assert.ok(!bests.has(ids[name]!), name);
  });

  it('W4 with serial streams is not ranked as concurrency', async () => {
    const w4 = (await server.repository.clustersByModel('qwen2-5-7b-instruct')).filter((c) => c.workload === 'concurrent-decode');
    assert.equal(w4.length, 1);
    assert.equal(w4[0]!.n, 1);
    assert.equal(w4[0]!.max, 640);
    assert.equal(w4[0]!.bestResultId, ids.w4);
    assert.match((await server.repository.get(ids.w4serial!))!.notComparable.get(0)!.join(), /one after another/);
  });

  it('suite versions, engines and builds are separate groups, each ranked on its own', async () => {
    const groups = await chatShort();
    assert.deepEqual(
      groups.map((c) => [c.suiteVersion, c.engine, c.build, c.n, c.bestResultId]).sort(),
      [
        ['suite-v1', 'embedded', 'cpu', 1, ids.embedded],
        ['suite-v1', 'server', 'cpu', 6, ids.full1],
        ['suite-v1', 'server', 'cuda', 1, ids.cuda],
        ['suite-v2', 'server', 'cpu', 1, ids.suiteV2],
      ].sort(),
    );
    assert.equal(new Set(groups.map((c) => c.clusterKey)).size, 4);
    // The framework's own key: the server keeps no copy of the rule.
    const cuda = groupOf(sampleResult({ ...SERVER, backend_build: { kind: 'cuda' } }), sampleRun().fingerprint);
    assert.equal(groups.find((c) => c.build === 'cuda')!.clusterKey, groupKey(cuda));
    const [board] = await server.repository.leaderboard({ workload: 'chat-short' }, 50);
    const ranked = [...board!.local].sort((a, b) => b.median! - a.median!);
    assert.deepEqual(
      ranked.map((c) => c.median),
      [700, 300, 100.35, 60],
      'medians of comparable runs only',
    );
    assert.deepEqual(
      board!.local.map((c) => c.bestDecodeTps),
      [...board!.local.map((c) => c.bestDecodeTps)].sort((a, b) => b! - a!),
      'the board: best runs first',
    );
  });

  it('every run keeps its own page; the not-comparable ones say why and are listed as not ranked', async () => {
    for (const [name, id] of Object.entries(ids)) {
      const page = await server.get(`/r/${id}`);
      assert.equal(page.status, 200, name);
    }
    // The workload card says why and what would rank it (the framework's unrankedSentence).
    assert.match(
      (await server.get(`/r/${ids.quick}`)).text,
      /data-unranked="workload">Not ranked: quick run \(32 of 256 tokens\)\. To be ranked: run the full suite, without --quick\. Not counted in its group/,
    );
    assert.match((await server.get(`/r/${ids.warm}`)).text, /data-unranked="workload">Not ranked: warm cache/);
    assert.doesNotMatch((await server.get(`/r/${ids.full0}`)).text, /data-unranked=/);
    const model = (await server.get('/m/qwen2-5-7b-instruct')).text;
    assert.match(model, new RegExp(`href="/r/${ids.quick}">[\\s\\S]*?not ranked`));
    const cheat = (await server.get('/cheatsheet')).text;
    for (const name of ['quick', 'interrupted', 'short', 'warm', 'failed', 'w4serial', 'outlier']) assert.ok(!cheat.includes(ids[name]!), `${name} is nobody's best run on /cheatsheet`);
  });

  it('a withdrawal recomputes the group from what is left', async () => {
    await server.repository.withdraw(ids.full1!, 'test', '2026-11-25T00:00:00.000Z');
    const g = await mainGroup();
    assert.equal(g.n, 5);
    assert.equal(g.bestResultId, ids['full3'], 'next fastest comparable, unflagged run (100.5)');
  });
});

forEachBackend('server: interrupted runs are refused (all of an invocation or none)', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ ranking: RANK_EVERY_GROUP });
  });
  afterEach(async () => {
    await server.stop();
  });

  it('422 on the interrupted flag and on the error texts of older CLIs; nothing stored', async () => {
    const runs = [
      sampleRun([sampleResult(), sampleResult({ workload: 'chat-long', output_tokens: 288, flags: ['interrupted'], error: 'interrupted' })]),
      sampleRun([sampleResult(), sampleResult({ workload: 'chat-long', error: 'interrupted before this workload started', flags: ['no-output'] })]),
      sampleRun([sampleResult({ workload: 'concurrent-decode', batch_size: 16, output_tokens: 4096, error: 'batch 16 failed: interrupted by the user' })]),
    ];
    for (const run of runs) {
      const res = await server.post('/v1/results', await signedToken(run));
      assert.equal(res.status, 422, res.text);
      assert.match(res.json.error, /^interrupted run refused \((chat-long|concurrent-decode) did not finish\): an interrupted run is never submitted: all of an invocation or none/);
      assert.match(res.json.error, /run the benchmark again/);
    }
    assert.equal(await server.repository.count(), 0);
  });

  it('a quick or failed run is accepted and shown, just not ranked', async () => {
    const res = await server.post('/v1/results', await signedToken(sampleRun([sampleResult({ flags: ['quick'], output_tokens: 32 })])));
    assert.equal(res.status, 201, res.text);
    assert.equal((await server.get(`/r/${res.json.id}`)).status, 200);
    assert.equal((await server.repository.leaderboard({}, 50)).length, 0, 'no group has a comparable run yet');
  });
});
