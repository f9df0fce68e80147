/**
 * Issue 24, finding 1: the protected header was never checked, and whatever a client put there
 * was stored and served with its run (`kid: alice.smith@example.com` → 201, then on
 * /v1/results/<id>, the run page and exports). Now: a header other than the one canonical header
 * is refused with 400 naming the rule, nothing is stored, and a stored run carries only the
 * canonical header.
 */
import assert from 'node:assert/strict';
import * as ed from '@noble/ed25519';
import { canonicalPayloadBytes, signRun, toCompactJws } from '@llm-speed/framework';
import { exportBoard } from '../src/index.js';
import { forEachBackend, sampleRun, startTestServer, testKeys, type TestServer } from './helpers.js';
import { Writable } from 'node:stream';

const b64 = (v: string | Uint8Array) => Buffer.from(v).toString('base64url');

forEachBackend('ingest: one strict JWS header (issue 24.1)', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.stop());

  it('a kid (or any extra member) in a validly signed header → 400, nothing stored, in either upload form', async () => {
    const keys = await testKeys();
    const x = b64(keys.publicKey);
    const header = b64(`{"alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"${x}"},"kid":"alice.smith@example.com","typ":"llm-speed-run+jws"}`);
    const payload = b64(canonicalPayloadBytes(sampleRun()));
    const sig = b64(await ed.signAsync(new TextEncoder().encode(`${header}.${payload}`), keys.secretKey));
    const jws = await server.post('/v1/results', `${header}.${payload}.${sig}`);
    assert.equal(jws.status, 400, jws.text);
    assert.match(jws.json.error, /^signature does not verify: JWS header has members other than alg, typ and jwk: "kid"/);
    const stored = { ...sampleRun(), public_key: Buffer.from(keys.publicKey).toString('base64'), signature: `${header}..${sig}` };
    const json = await server.post('/v1/results', stored);
    assert.equal(json.status, 400, json.text);
    assert.match(json.json.error, /"kid"/);
    assert.equal(await server.repository.count(), 0);
    assert.doesNotMatch(await server.dump(), /alice\.smith/);
  });

  it('what is stored, served and exported carries exactly the canonical header', async () => {
    const keys = await testKeys();
    const signed = await signRun(sampleRun(), keys);
    for (const body of [toCompactJws(signed), signed]) {
      const res = await server.post('/v1/results', body);
      assert.ok(res.status === 201 || res.status === 200, res.text);
      const served = JSON.parse((await server.get(`/v1/results/${res.json.id}`)).text) as { signature: string };
      const headerText = Buffer.from(served.signature.split('..')[0]!, 'base64url').toString('utf8');
      assert.equal(headerText, `{"alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"${b64(keys.publicKey)}"},"typ":"llm-speed-run+jws"}`);
    }
    let exported = '';
    await exportBoard(
      server.repository,
      new Writable({
        write(chunk, _enc, done) {
          exported += String(chunk);
          done();
        },
      }),
    );
    const signatures = [...exported.matchAll(/\\"signature\\":\\"([A-Za-z0-9_-]+)\.\./g)].map((m) => m[1]);
    assert.ok(signatures.length >= 1);
    for (const s of signatures) assert.equal(s, signed.signature!.split('..')[0]);
  });
});
