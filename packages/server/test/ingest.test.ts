import assert from 'node:assert/strict';
import { canonicalize, verifyRun, type RunPayload } from '@llm-speed/framework';
import { MAX_RESULT_BYTES } from '../src/index.js';
import { forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';

forEachBackend('server: POST /v1/results', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.stop();
  });

  it('stores a valid signed run (201) and serves the exact stored JSON, which verifies', async () => {
    const token = await signedToken(sampleRun());
    const res = await server.post('/v1/results', token);
    assert.equal(res.status, 201, res.text);
    assert.match(res.json.id, /^r_[A-Za-z0-9_-]{11}$/);
    assert.equal(res.json.url, `${server.url}/r/${res.json.id}`);
    assert.equal(await server.repository.count(), 1);

    const first = await server.get(`/v1/results/${res.json.id}`);
    const second = await server.get(`/v1/results/${res.json.id}`);
    assert.equal(first.status, 200);
    assert.equal(first.text, second.text, 'byte-identical on every GET');
    const run = JSON.parse(first.text) as RunPayload;
    assert.equal(first.text, canonicalize(run), 'stored text is the canonical form');
    assert.ok(run.signature && run.public_key);
    assert.equal(run.results[0].decode_tps, 187.4);
    assert.deepEqual(await verifyRun(run), { valid: true });
  });

  it('is idempotent: the identical signed bytes get the same id (200), stored once', async () => {
    const token = await signedToken(sampleRun());
    const a = await server.post('/v1/results', token);
    const b = await server.post('/v1/results', token);
    assert.equal(a.status, 201);
    assert.equal(b.status, 200);
    assert.equal(b.json.id, a.json.id);
    assert.equal(await server.repository.count(), 1);
    const other = await server.post('/v1/results', await signedToken(sampleRun([sampleResult({ decode_tps: 190 })])));
    assert.equal(other.status, 201);
    assert.notEqual(other.json.id, a.json.id);
  });

  it('identical submissions at the same moment: one row, one 201, the same id for all', async () => {
    const token = await signedToken(sampleRun([sampleResult({ decode_tps: 171.5 })], '2026-11-24T11:30:00.000Z'));
    const earlier = await server.post('/v1/results', await signedToken(sampleRun()));
    // Eight copies and one already stored result, all in flight together: they meet in one batch.
    const answers = await Promise.all([...Array.from({ length: 8 }, () => server.post('/v1/results', token)), server.post('/v1/results', await signedToken(sampleRun()))]);
    const copies = answers.slice(0, 8);
    assert.equal(new Set(copies.map((a) => a.json.id)).size, 1);
    assert.deepEqual(copies.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
    assert.equal(answers[8]!.status, 200);
    assert.equal(answers[8]!.json.id, earlier.json.id);
    assert.equal(await server.repository.count(), 2);
    assert.equal((await server.sql('SELECT result_id FROM workload_results')).length, 2, 'one set of workload rows');
  });

  it('refuses a token with one tampered byte and stores nothing', async () => {
    const token = await signedToken(sampleRun());
    const [header, payload, signature] = token.split('.');
    // Re-encode the payload with one digit changed: still valid base64url JSON, no longer what was signed.
    const decoded = Buffer.from(payload, 'base64url').toString('utf8').replace('187.4', '987.4');
    assert.notEqual(decoded, Buffer.from(payload, 'base64url').toString('utf8'));
    const tampered = [header, Buffer.from(decoded).toString('base64url'), signature].join('.');
    const res = await server.post('/v1/results', tampered);
    assert.equal(res.status, 400);
    assert.match(res.json.error, /signature/);
    // A single flipped character anywhere in the signature fails too.
    const flipped = token.slice(0, -3) + (token.at(-3) === 'A' ? 'B' : 'A') + token.slice(-2);
    assert.equal((await server.post('/v1/results', flipped)).status, 400);
    assert.equal(await server.repository.count(), 0);
  });

  it('refuses unsigned runs and non-JWS bodies', async () => {
    const unsigned = await server.post('/v1/results', JSON.stringify(sampleRun()), { 'content-type': 'application/json' });
    assert.equal(unsigned.status, 400);
    assert.match(unsigned.json.error, /unsigned/);
    const garbage = await server.post('/v1/results', 'hello world');
    assert.equal(garbage.status, 400);
    assert.equal((await server.post('/v1/results', '')).status, 400);
    assert.equal(await server.repository.count(), 0);
  });

  it('refuses a signed but schema-invalid run (extra field "hostname")', async () => {
    const run = { ...sampleRun(), hostname: 'alice-laptop' } as unknown as RunPayload;
    const res = await server.post('/v1/results', await signedToken(run));
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.error, /run\.schema\.json/);
    assert.ok(
      res.json.details.some((d: string) => d.includes('hostname')),
      res.text,
    );
    assert.equal(await server.repository.count(), 0);
  });

  it('refuses a signed run that breaks the privacy invariant (long extras string)', async () => {
    const run = sampleRun([sampleResult({ extras: { note: 'x'.repeat(300) } })]);
    const res = await server.post('/v1/results', await signedToken(run));
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.error, /privacy invariant/);
    assert.equal(await server.repository.count(), 0);
  });

  it(`refuses bodies over ${MAX_RESULT_BYTES} bytes with 413`, async () => {
    const res = await server.post('/v1/results', 'a'.repeat(MAX_RESULT_BYTES + 1));
    assert.equal(res.status, 413);
    assert.match(res.json.error, /too large/);
    assert.equal(await server.repository.count(), 0);
  });

  it('answers 404 for unknown ids and serves the stored JSON on /r/<id> when JSON is asked for', async () => {
    assert.equal((await server.get('/v1/results/r_AAAAAAAAAAA')).status, 404);
    const { json } = await server.post('/v1/results', await signedToken(sampleRun()));
    const api = await server.get(`/v1/results/${json.id}`);
    const permalink = await server.get(`/r/${json.id}`, { accept: 'application/json' });
    assert.equal(permalink.text, api.text);
  });

  it('rate-limits POSTs per hashed client address', async () => {
    await server.stop();
    server = await startTestServer({ rateLimit: { capacity: 2, refillPerSecond: 0.001 } });
    const token = await signedToken(sampleRun());
    assert.equal((await server.post('/v1/results', token)).status, 201);
    assert.equal((await server.post('/v1/results', token)).status, 200);
    const limited = await server.post('/v1/results', token);
    assert.equal(limited.status, 429);
    assert.equal((await server.get('/cheatsheet')).status, 200, 'GETs are not limited');
  });
});

describe('server: verification on worker threads (piscina)', () => {
  let pooled: TestServer;
  let inline: TestServer;
  before(async function () {
    this.timeout(120_000);
    [pooled, inline] = await Promise.all([startTestServer({ verifyThreads: 2 }), startTestServer({ verifyThreads: 0 })]);
  });
  after(async () => {
    await Promise.all([pooled?.stop(), inline?.stop()]);
  });

  it('gives every answer the main thread gives — stored, tampered, schema-invalid, private, interrupted — and did the work on its threads', async function () {
    this.timeout(60_000);
    assert.equal(pooled.verifier.threads, 2);
    assert.equal(inline.verifier.threads, 0);
    const token = await signedToken(sampleRun());
    const [header, payload, signature] = token.split('.');
    const tampered = [header, Buffer.from(Buffer.from(payload!, 'base64url').toString('utf8').replace('187.4', '987.4')).toString('base64url'), signature].join('.');
    const bodies: Array<[string, string]> = [
      ['valid', token],
      ['again', token],
      ['tampered', tampered],
      ['schema-invalid', await signedToken({ ...sampleRun(), hostname: 'alice-laptop' } as unknown as RunPayload)],
      ['private', await signedToken(sampleRun([sampleResult({ extras: { note: 'x'.repeat(300) } })]))],
      ['interrupted', await signedToken(sampleRun([sampleResult({ output_tokens: 100, flags: ['interrupted'], error: 'interrupted' })]))],
      ['not a JWS', 'hello world'],
    ];
    for (const [name, body] of bodies) {
      const [a, b] = [await pooled.post('/v1/results', body), await inline.post('/v1/results', body)];
      assert.equal(a.status, b.status, name);
      assert.deepEqual({ ...a.json, url: undefined }, { ...b.json, url: undefined }, name);
    }
    assert.deepEqual(
      (await Promise.all(bodies.map(([, body]) => pooled.post('/v1/results', body)))).map((r) => r.status),
      [200, 200, 400, 400, 400, 422, 400],
    );
    assert.equal(await pooled.repository.count(), 1);
    assert.equal(pooled.verifier.completedOnThreads(), 2 * bodies.length, 'every submission was verified on a pool thread');
    assert.equal(inline.verifier.completedOnThreads(), 0);
  });
});
