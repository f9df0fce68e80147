/**
 * Disputes a person can open (issue 16): the run page's plain HTML form (application/x-www-form-
 * urlencoded, no script) posts to the same route as the JSON API, answers 303 to the thread, and
 * the thread is a page with its own reply form. Cross-site posts are refused by Origin and
 * Sec-Fetch-Site (every combination below); the rate limit counts form posts like any other.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { WITHDRAWN_MESSAGE } from '../src/index.js';
import { forEachBackend, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';
import { ESCAPED_EVIL } from './pages.test.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function postForm(server: TestServer, path: string, message: string, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, { method: 'POST', redirect: 'manual', headers: { ...FORM, ...headers }, body: new URLSearchParams({ message }).toString() });
  return { status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type') ?? '', text: await res.text() };
}

forEachBackend('server: dispute forms and threads as pages (issue 16)', () => {
  let server: TestServer;
  let id: string;
  let host: string;
  before(async () => {
    server = await startTestServer({ adminToken: 'admin-token-xyz', publicUrl: 'https://bench.example.org' });
    id = (await server.post('/v1/results', await signedToken(sampleRun()))).json.id;
    host = new URL(server.url).host;
  });
  after(async function () {
    // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
    this.timeout(120_000);
    await server.stop();
  });

  it('the run page carries the form: POST, urlencoded, a message field, no script', async () => {
    const page = (await server.get(`/r/${id}`)).text;
    assert.match(page, new RegExp(`<form class="dispute" method="post" action="/v1/results/${id}/disputes" enctype="application/x-www-form-urlencoded"><label>[^<]*<textarea name="message" required`));
    assert.doesNotMatch(page, /<script/i);
  });

  it('a form post opens the thread and answers 303 to it; the thread page shows it, escaped, with a reply form', async () => {
    const opened = await postForm(server, `/v1/results/${id}/disputes`, `decode looks high\r\n${'<script>alert(1)</script>'}`, { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
    assert.equal(opened.status, 303, opened.text);
    const n = /^\/disputes\/(\d+)$/.exec(opened.location ?? '')?.[1];
    assert.ok(n, String(opened.location));
    const thread = await server.get(`/disputes/${n}`);
    assert.equal(thread.status, 200);
    assert.match(thread.text, /decode looks high\n/);
    assert.match(thread.text, ESCAPED_EVIL);
    assert.doesNotMatch(thread.text, /<script/);
    assert.match(thread.text, new RegExp(`<form class="dispute" method="post" action="/v1/disputes/${n}/messages"`));
    assert.match(thread.text, new RegExp(`About the run <a href="/r/${id}">Qwen2\\.5-7B-Instruct: 187\\.4 tok/s on RTX 4090`));
    const reply = await postForm(server, `/v1/disputes/${n}/messages`, 'reproduced at 185 tok/s', { 'sec-fetch-site': 'same-origin', origin: 'null' });
    assert.equal(reply.status, 303, reply.text);
    const stored = await server.repository.getDispute(Number(n));
    assert.equal(reply.location, `/disputes/${n}#m-${stored!.messages[1]!.id}`);
    assert.deepEqual(
      stored!.messages.map((m) => m.body),
      ['decode looks high\n<script>alert(1)</script>', 'reproduced at 185 tok/s'],
    );
    const run = (await server.get(`/r/${id}`)).text;
    assert.match(run, new RegExp(`<a href="/disputes/${n}">Dispute #${n}</a>`));
    assert.match(run, /reproduced at 185 tok\/s/);
    // The JSON API is unchanged.
    const json = await server.post(`/v1/results/${id}/disputes`, { message: 'via the API' });
    assert.equal(json.status, 201);
  });

  it('Origin is compared with the public URL and the listening address, never the Host header: the DNS-rebinding shape is refused (issue 24.7)', async () => {
    const port = new URL(server.url).port;
    for (const [what, hostHeader, origin, expected] of [
      ['a rebound name: Host and Origin agree, neither is this server', `rebind.attacker.example:${port}`, `http://rebind.attacker.example:${port}`, 403],
      ['the same over https', `rebind.attacker.example:${port}`, `https://rebind.attacker.example:${port}`, 403],
      ['localhost, the loopback name of the listening address', `localhost:${port}`, `http://localhost:${port}`, 303],
      ['the public URL, whatever the Host', 'anything.example', 'https://bench.example.org', 303],
    ] as const) {
      const status = await new Promise<number>((resolve, reject) => {
        const body = new URLSearchParams({ message: `from ${what}` }).toString();
        const req = http.request(
          `${server.url}/v1/results/${id}/disputes`,
          { method: 'POST', headers: { ...FORM, host: hostHeader, origin, 'content-length': String(Buffer.byteLength(body)) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(status, expected, what);
    }
  });

  it('cross-site posts are refused by Sec-Fetch-Site and Origin; same-origin ones and non-browser clients pass', async () => {
    const cases: Array<[string, Record<string, string>, number]> = [
      ['another site (Origin and Sec-Fetch-Site)', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, 403],
      ['another site, Origin only (a browser before Sec-Fetch-Site)', { origin: 'https://evil.example' }, 403],
      ['a sibling subdomain (same-site is not same-origin)', { origin: 'https://other.example.org', 'sec-fetch-site': 'same-site' }, 403],
      ['Sec-Fetch-Site cross-site without Origin', { 'sec-fetch-site': 'cross-site' }, 403],
      ['opaque Origin null without Sec-Fetch-Site (a sandboxed or no-referrer page anywhere)', { origin: 'null' }, 403],
      ['this host over http, Sec-Fetch-Site same-origin', { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, 303],
      ['Origin null with Sec-Fetch-Site same-origin (our no-referrer pages)', { origin: 'null', 'sec-fetch-site': 'same-origin' }, 303],
      ['the public URL behind a proxy', { origin: 'https://bench.example.org' }, 303],
      ['no Origin, Sec-Fetch-Site same-origin', { 'sec-fetch-site': 'same-origin' }, 303],
      ['no Origin and no Sec-Fetch-Site (curl, scripts)', {}, 303],
      ["Sec-Fetch-Site none (the user's own action)", { 'sec-fetch-site': 'none' }, 303],
    ];
    for (const [name, headers, status] of cases) {
      const before = (await server.repository.disputesFor(id)).length;
      const res = await postForm(server, `/v1/results/${id}/disputes`, `case: ${name}`, headers);
      assert.equal(res.status, status, `${name}: ${res.text.slice(0, 300)}`);
      assert.equal((await server.repository.disputesFor(id)).length, before + (status === 303 ? 1 : 0), name);
      if (status === 403) {
        assert.match(res.type, /text\/html/, 'a form post is answered with a page');
        assert.match(res.text, /cross-site post refused/);
      }
    }
    // Replies too.
    const [first] = await server.repository.disputesFor(id);
    const refused = await postForm(server, `/v1/disputes/${first!.id}/messages`, 'spam', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    assert.equal(refused.status, 403);
    const json = await server.post(`/v1/disputes/${first!.id}/messages`, { message: 'json from another site' }, { origin: 'https://evil.example' });
    assert.equal(json.status, 403, 'the JSON body from a foreign Origin too');
  });

  it('bad form posts get a page naming the problem; nothing is stored', async () => {
    const before = (await server.repository.disputesFor(id)).length;
    const empty = await postForm(server, `/v1/results/${id}/disputes`, '   ');
    assert.equal(empty.status, 400);
    assert.match(empty.type, /text\/html/);
    assert.match(empty.text, /a non-empty &quot;message&quot; is required/);
    const long = await postForm(server, `/v1/results/${id}/disputes`, 'x'.repeat(5001));
    assert.equal(long.status, 400);
    assert.match(long.text, /message too long: at most 5000 characters/);
    const missing = await postForm(server, '/v1/results/r_AAAAAAAAAAA/disputes', 'hello');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /no result r_AAAAAAAAAAA/);
    const twice = await fetch(`${server.url}/v1/results/${id}/disputes`, { method: 'POST', headers: FORM, body: 'message=a&message=b' });
    assert.equal(twice.status, 400);
    assert.equal((await server.repository.disputesFor(id)).length, before);
    assert.equal((await server.get('/disputes/99999')).status, 404);
  });

  it("after withdrawal the thread stays readable with the seeds' notice; the run page links its threads", async () => {
    const [first] = await server.repository.disputesFor(id);
    const done = await server.post(`/v1/results/${id}/withdraw`, { reason: 'not reproducible' }, { authorization: 'Bearer admin-token-xyz' });
    assert.equal(done.status, 200);
    const thread = (await server.get(`/disputes/${first!.id}`)).text;
    assert.match(thread, /<p class="notice" id="withdrawn">The result was withdrawn during a dispute\.<\/p>/);
    const run = await server.get(`/r/${id}`);
    assert.equal(run.status, 404);
    assert.ok(run.text.includes(WITHDRAWN_MESSAGE));
    assert.match(run.text, new RegExp(`<a href="/disputes/${first!.id}">#${first!.id}</a>`));
  });
});

forEachBackend('server: the rate limit counts dispute form posts (issue 16)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ rateLimit: { capacity: 2, refillPerSecond: 0.001 } });
  });
  after(async function () {
    // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
    this.timeout(120_000);
    await server.stop();
  });

  it('the third post in a burst gets 429, as a page', async () => {
    const { json } = await server.post('/v1/results', await signedToken(sampleRun()));
    const first = await postForm(server, `/v1/results/${json.id}/disputes`, 'one');
    assert.equal(first.status, 303);
    const second = await postForm(server, `/v1/results/${json.id}/disputes`, 'two');
    assert.equal(second.status, 429, second.text);
    assert.match(second.type, /text\/html/);
    assert.match(second.text, /too many submissions from this address; retry later/);
    assert.equal((await server.repository.disputesFor(json.id)).length, 1);
  });
});
