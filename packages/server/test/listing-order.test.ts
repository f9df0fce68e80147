/**
 * What the model and hardware listings leave out and in what order (issue 27, rows 11 and 12), on
 * real SQLite and PostgreSQL: a withdrawn run is gone from /v1/models/<slug>, /v1/hardware/<slug>
 * and their pages (seeds: a withdrawn run is no longer listed), and "latest runs" lists the newest
 * first. Expected lists are written out from the upload order, never read back from the server.
 */
import assert from 'node:assert/strict';
import { parse } from 'node-html-parser';
import { forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, type TestServer, RANK_EVERY_GROUP } from './helpers.js';

const MODEL = 'qwen2-5-7b-instruct';
const HARDWARE = 'rtx-4090-24-gb-amd-ryzen-9-7950x3d-64-gb-ram';

forEachBackend('server: listings exclude withdrawn runs and list the newest first', () => {
  let server: TestServer;
  /** Ids in upload order: ids[0] oldest. Each upload one W1 result with its own decode figure. */
  const ids: string[] = [];
  before(async () => {
    server = await startTestServer({ ranking: RANK_EVERY_GROUP, adminToken: 'admin-token-listings' });
    for (const [i, decode] of [101.5, 102.5, 103.5, 104.5, 105.5].entries()) {
      const posted = await server.post('/v1/results', await signedToken(sampleRun([sampleResult({ decode_tps: decode })], `2026-11-2${i}T10:00:00.000Z`)));
      assert.equal(posted.status, 201, posted.text);
      ids.push(posted.json.id);
    }
    // Withdraw the second oldest and the newest: both must vanish, the rest keep their order.
    for (const id of [ids[1]!, ids[4]!]) {
      const res = await server.post(`/v1/results/${id}/withdraw`, { reason: 'not reproducible' }, { authorization: 'Bearer admin-token-listings' });
      assert.equal(res.status, 200, res.text);
    }
  });
  after(async () => {
    await server?.stop();
  });

  for (const [kind, path] of [
    ['model', `/v1/models/${MODEL}`],
    ['hardware', `/v1/hardware/${HARDWARE}`],
  ] as const) {
    it(`${kind}: latest_runs is exactly the non-withdrawn runs, newest first`, async () => {
      const res = await server.get(path);
      assert.equal(res.status, 200, res.text);
      const listed = (JSON.parse(res.text).latest_runs as Array<{ id: string; decode_tps: number }>).map((r) => [r.id, r.decode_tps]);
      // Uploaded 0..4, withdrawn 1 and 4: newest first is 3, 2, 0.
      assert.deepEqual(listed, [
        [ids[3], 104.5],
        [ids[2], 103.5],
        [ids[0], 101.5],
      ]);
    });
  }

  it('the /m and /hw pages link the same runs, newest first, and never a withdrawn one', async () => {
    for (const page of [`/m/${MODEL}`, `/hw/${HARDWARE}`]) {
      const root = parse((await server.get(page)).text);
      const runIds = (el: ReturnType<typeof parse>) => [...new Set(el.querySelectorAll('a[href^="/r/"]').map((a) => a.getAttribute('href')!.slice(3).split(/[/?#]/)[0]!))];
      const everywhere = runIds(root);
      assert.ok(!everywhere.includes(ids[1]!) && !everywhere.includes(ids[4]!), `${page} links a withdrawn run`);
      // The "Latest runs" table: the element after its heading.
      const heading = root.querySelectorAll('h2').find((h) => h.text.trim() === 'Latest runs');
      assert.ok(heading?.nextElementSibling, `${page} has a "Latest runs" table`);
      assert.deepEqual(runIds(heading.nextElementSibling), [ids[3]!, ids[2]!, ids[0]!], page);
    }
  });
});
