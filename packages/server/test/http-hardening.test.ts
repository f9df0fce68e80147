/**
 * Cross-site and header hygiene (issue 12): POST routes take only their own media types (a web
 * page can make a browser send text/plain, form-urlencoded or multipart anywhere without a CORS
 * preflight, so those must never be read), every answer carries the security headers, HEAD works
 * wherever GET does, and other methods on known URLs get 405 before any body is read. The dispute
 * routes also take the run page's HTML form (issue 16): a cross-site one is refused by its Origin
 * and Sec-Fetch-Site (disputes-form.test.ts has every case).
 */
import assert from 'node:assert/strict';
import { signRun } from '@llm-speed/framework';
import { MAX_MESSAGE_BYTES, MAX_RESULT_BYTES } from '../src/index.js';
import { forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, testKeys, type TestServer } from './helpers.js';

interface Answer {
  status: number;
  text: string;
  headers: Headers;
  json: any;
}

async function send(server: TestServer, method: string, path: string, body?: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(server.url + path, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, headers: res.headers, json };
}

forEachBackend('server: media types, security headers, HEAD and 405', () => {
  let server: TestServer;
  let id: string;
  before(async () => {
    server = await startTestServer({ adminToken: 'test-admin-token' });
    id = (await server.post('/v1/results', await signedToken(sampleRun()))).json.id;
  });
  after(async function () {
    // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
    this.timeout(120_000);
    await server.stop();
  });

  describe('POST routes accept only their media types (415 otherwise, nothing stored)', () => {
    const disputeBody = JSON.stringify({ message: 'posted from another site' });
    // What a cross-site <form> or fetch(no-cors) can send without a preflight, plus no type at all.
    const crossSite: Array<[string, Record<string, string>, string]> = [
      ['text/plain', { 'content-type': 'text/plain' }, disputeBody],
      ['text/plain with charset', { 'content-type': 'text/plain;charset=UTF-8' }, disputeBody],
      [
        'form-urlencoded from another site',
        { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        'message=posted+from+another+site',
      ],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\nContent-Disposition: form-data; name="message"\r\n\r\nhi\r\n--x--\r\n'],
      ['a look-alike type', { 'content-type': 'application/json-patch+json' }, disputeBody],
      ['application/jose on a JSON route', { 'content-type': 'application/jose' }, disputeBody],
    ];

    for (const [name, headers, body] of crossSite) {
      it(`dispute posted as ${name} → refused (415 naming application/json, or 403 for the cross-site form)`, async () => {
        const res = await send(server, 'POST', `/v1/results/${id}/disputes`, body, headers);
        if (name.startsWith('form-urlencoded')) {
          assert.equal(res.status, 403, res.text);
          assert.match(res.text, /cross-site post refused/);
        } else {
          assert.equal(res.status, 415, res.text);
          assert.match(res.json.error, /application\/json/);
          assert.deepEqual(res.json.accepted, ['application/json', 'application/x-www-form-urlencoded']);
        }
        assert.deepEqual(await server.repository.disputesFor(id), [], 'no dispute was opened');
      });
    }

    it('a dispute with no Content-Type (with or without a body) → 415', async () => {
      for (const body of [disputeBody, undefined]) {
        // fetch adds text/plain to a string body; bytes go without any type.
        const res = await send(server, 'POST', `/v1/results/${id}/disputes`, body === undefined ? undefined : new TextEncoder().encode(body));
        assert.equal(res.status, 415, res.text);
        assert.match(res.json.error, /no Content-Type/);
      }
      assert.deepEqual(await server.repository.disputesFor(id), []);
    });

    it('disputes, messages, auth and withdraw accept application/json (with parameters, any case)', async () => {
      const opened = await send(server, 'POST', `/v1/results/${id}/disputes`, disputeBody, { 'content-type': 'Application/JSON; charset=utf-8' });
      assert.equal(opened.status, 201, opened.text);
      const reply = await send(server, 'POST', `/v1/disputes/${opened.json.id}/messages`, JSON.stringify({ message: 'a reply' }), { 'content-type': 'text/plain' });
      assert.equal(reply.status, 415);
      assert.equal((await server.repository.getDispute(opened.json.id))!.messages.length, 1, 'the text/plain reply was not appended');
      const token = await send(server, 'POST', '/v1/auth/token', JSON.stringify({ device_code: 'x', public_key: 'y', proof: 'z' }), { 'content-type': 'text/plain' });
      assert.equal(token.status, 415);
      const device = await send(server, 'POST', '/v1/auth/device', 'client_id=x', { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(device.status, 415);
      const withdraw = await send(server, 'POST', `/v1/results/${id}/withdraw`, 'reason=x', {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'Bearer test-admin-token',
      });
      assert.equal(withdraw.status, 415);
      assert.equal((await server.get(`/v1/results/${id}`)).status, 200, 'not withdrawn by a form post');
    });

    it('/v1/results takes application/jose (the CLI) and application/json (a signed run), nothing else', async () => {
      const run = sampleRun([sampleResult({ decode_tps: 150.25 })], '2026-11-24T11:11:00.000Z');
      const token = await signedToken(run);
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
        const res = await send(server, 'POST', '/v1/results', token, { 'content-type': type });
        assert.equal(res.status, 415, `${type}: ${res.text}`);
        assert.deepEqual(res.json.accepted, ['application/jose', 'application/json']);
      }
      const before = await server.repository.count();
      assert.equal((await send(server, 'POST', '/v1/results', token, { 'content-type': 'application/jose' })).status, 201);
      const signedJson = JSON.stringify(await signRun(sampleRun(undefined, '2026-11-24T11:12:00.000Z'), await testKeys()));
      const asJson = await send(server, 'POST', '/v1/results', signedJson, { 'content-type': 'application/json' });
      assert.equal(asJson.status, 201, asJson.text);
      assert.equal(await server.repository.count(), before + 2);
    });
  });

  describe('security headers on every answer', () => {
    it('nosniff, CSP with frame-ancestors none and no scripts, no-referrer, X-Frame-Options DENY', async () => {
      const answers: Array<[string, Answer]> = [
        ['run page', await send(server, 'GET', `/r/${id}`)],
        ['cheatsheet', await send(server, 'GET', '/cheatsheet')],
        ['stored JSON', await send(server, 'GET', `/v1/results/${id}`)],
        ['privacy.json', await send(server, 'GET', '/privacy.json')],
        ['404', await send(server, 'GET', '/no/such/page')],
        ['405', await send(server, 'DELETE', `/v1/results/${id}`)],
        ['415', await send(server, 'POST', `/v1/results/${id}/disputes`, '{}', { 'content-type': 'text/plain' })],
        ['413', await send(server, 'POST', '/v1/results', 'a'.repeat(MAX_RESULT_BYTES + 1), { 'content-type': 'application/jose' })],
        ['400', await send(server, 'POST', '/v1/results', 'not a jws', { 'content-type': 'application/jose' })],
        ['redirect', await fetch(server.url + '/', { redirect: 'manual' }).then(async (r) => ({ status: r.status, text: await r.text(), headers: r.headers, json: undefined }))],
      ];
      for (const [name, res] of answers) {
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /frame-ancestors 'none'/, name);
        assert.match(csp, /default-src 'none'/, name);
        assert.doesNotMatch(csp, /script-src/, `${name}: no script source is ever allowed`);
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer', name);
        assert.equal(res.headers.get('x-frame-options'), 'DENY', name);
        assert.equal(res.headers.get('access-control-allow-origin'), null, `${name}: no CORS grant`);
      }
    });
  });

  describe('HEAD wherever GET works', () => {
    it('answers HEAD with the GET status and headers and no body', async () => {
      for (const path of ['/privacy.json', '/healthz', '/cheatsheet', `/r/${id}`, `/r/${id}.json`, `/v1/results/${id}`, `/v1/results/${id}/disputes`, '/m/qwen2-5-7b-instruct']) {
        const got = await send(server, 'GET', path);
        const head = await send(server, 'HEAD', path);
        assert.equal(head.status, got.status, path);
        assert.equal(head.status, 200, path);
        assert.equal(head.text, '', path);
        assert.equal(head.headers.get('content-type'), got.headers.get('content-type'), path);
      }
      assert.equal((await send(server, 'HEAD', '/no/such/page')).status, 404);
      assert.equal((await send(server, 'HEAD', '/r/r_AAAAAAAAAAA')).status, 404);
    });
  });

  describe('methods and limits', () => {
    it('other methods on a known URL → 405 with Allow, even with a body of an unknown type', async () => {
      const get = await send(server, 'GET', '/v1/results');
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'POST');
      const put = await send(server, 'PUT', `/v1/results/${id}/disputes`, 'x', { 'content-type': 'text/plain' });
      assert.equal(put.status, 405);
      assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
      assert.match(put.json.error, /use GET, POST/);
      const unknown = await send(server, 'POST', '/cheatsheet', 'x', { 'content-type': 'text/plain' });
      assert.equal(unknown.status, 405);
    });

    it('unknown paths and malformed ids → 404 with the JSON error shape (a page under a page route, unless JSON is asked for)', async () => {
      for (const path of ['/nope', '/v1/results/not-an-id', '/m/UPPER', `/r/${id}.xml`]) {
        const res = await send(server, 'GET', path, undefined, { accept: 'application/json' });
        assert.equal(res.status, 404, path);
        assert.equal(typeof res.json.error, 'string', path);
      }
      for (const path of ['/m/UPPER', `/r/${id}.xml`, '/hw/no-such-box', '/disputes/123']) {
        const res = await send(server, 'GET', path, undefined, { accept: 'text/html' });
        assert.equal(res.status, 404, path);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
        // A malformed run id says what a run id looks like (issue 26.12).
        assert.match(res.text, /<h1>Not found<\/h1><p class="message">(no route|No |&quot;r_\S+ is not a run id)/, path);
      }
      const bad = await send(server, 'GET', '/%E0%A4%A');
      assert.equal(bad.status, 400);
      assert.equal(typeof bad.json.error, 'string');
    });

    it(`a dispute body over ${MAX_MESSAGE_BYTES} bytes and a 4 MiB result → 413, nothing stored`, async () => {
      const before = await server.repository.count();
      const dispute = await send(server, 'POST', `/v1/results/${id}/disputes`, JSON.stringify({ message: 'x'.repeat(MAX_MESSAGE_BYTES) }), { 'content-type': 'application/json' });
      assert.equal(dispute.status, 413);
      assert.match(dispute.json.error, new RegExp(`too large: the limit is ${MAX_MESSAGE_BYTES} bytes`));
      const huge = await send(server, 'POST', '/v1/results', 'a'.repeat(4 * 1024 * 1024), { 'content-type': 'application/jose' });
      assert.equal(huge.status, 413);
      assert.match(huge.json.error, /too large/);
      assert.equal(await server.repository.count(), before);
      assert.equal((await server.get('/healthz')).status, 200, 'the server is still serving');
    });
  });
});
