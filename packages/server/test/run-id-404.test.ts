/**
 * Issue 26.12: a malformed run id in a URL answered `no route /r/r_nonexistent1`. Now each URL
 * that takes a run id answers 404 saying what a run id looks like — as a page for the page
 * routes, as JSON for the API — and a well-formed id that is not stored still says "no result".
 */
import assert from 'node:assert/strict';
import { forEachBackend, startTestServer, type TestServer } from './helpers.js';

const FORM = /is not a run id: a run id is r_ and 11 characters of A–Z, a–z, 0–9, - or _ \(for example r_g4ph40ae0e1\)/;

forEachBackend(
  'a malformed run id in a URL (issue 26.12)',
  () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.stop());

    it('the run page: a 404 page that says what a run id looks like, or the same as JSON', async () => {
      const page = await server.get('/r/r_nonexistent1', { accept: 'text/html' });
      assert.equal(page.status, 404);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(page.text, /<h1>Not found<\/h1><p class="message">&quot;r_nonexistent1&quot; is not a run id: /);
      assert.match(page.text, FORM);
      const json = await server.get('/r/r_nonexistent1', { accept: 'application/json' });
      assert.equal(json.status, 404);
      assert.match(JSON.parse(json.text).error, /^"r_nonexistent1" is not a run id: /);
      assert.match(JSON.parse((await server.get('/r/r_nonexistent1.json')).text).error, /^"r_nonexistent1" is not a run id/);
    });

    it('every API URL that takes a run id: 404 JSON naming the bad id and the form', async () => {
      for (const path of ['/v1/results/not-an-id', '/v1/results/r_nonexistent1', '/v1/results/r_short/disputes', '/r/r_TOO-LONG-ID-123/card.png']) {
        const res = await server.get(path);
        assert.equal(res.status, 404, path);
        const { error } = JSON.parse(res.text) as { error: string };
        assert.match(error, FORM, path);
        assert.doesNotMatch(error, /no route/, path);
      }
      // (Fastify answers 414 for a path segment over 100 characters.)
      const long = await server.get(`/v1/results/r_${'x'.repeat(90)}`);
      assert.equal(long.status, 404);
      assert.match(JSON.parse(long.text).error, /^"r_x{38}…" is not a run id/, 'a long id is cut short in the answer');
    });

    it('a well-formed id that is not stored: "no result", as before', async () => {
      const res = await server.get('/v1/results/r_AAAAAAAAAAA');
      assert.equal(res.status, 404);
      assert.equal(JSON.parse(res.text).error, 'no result r_AAAAAAAAAAA');
    });
  },
  ['sqlite'],
);
