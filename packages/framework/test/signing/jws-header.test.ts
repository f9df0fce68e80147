/**
 * The one protected header (issue 24, finding 1; METHODOLOGY §5): exactly
 * {alg: "EdDSA", typ: "llm-speed-run+jws", jwk: {kty: "OKP", crv: "Ed25519", x}} in RFC 8785 form,
 * nothing else. The probe got a header with `kid: alice.smith@example.com` stored and served with
 * its run; every header below is validly signed by the key it names, so only the header rule can
 * refuse it — in the attached form the server ingests and in the stored form verify-run reads.
 */
import assert from 'node:assert/strict';
import * as ed from '@noble/ed25519';
import { b64url } from '../../src/signing/jws.js';
import {
  canonicalHeaderSegment,
  canonicalize,
  canonicalPayloadBytes,
  duplicateMember,
  generateKeyPair,
  MAX_PROTECTED_HEADER_BYTES,
  signRun,
  SignatureError,
  toCompactJws,
  verifyCompactJws,
  verifyRun,
  type KeyPair,
} from '../../src/signing/index.js';
import { headerForgeries } from '../../src/testing/forgery-corpus.js';
import { sampleRun } from '../helpers/sample-run.js';

async function signedWith(keys: KeyPair, headerText: string, payload: string): Promise<{ token: string; stored: Record<string, unknown> }> {
  const h = b64url(headerText);
  const sig = b64url(await ed.signAsync(new TextEncoder().encode(`${h}.${payload}`), keys.secretKey));
  const stored = { ...sampleRun(), public_key: Buffer.from(keys.publicKey).toString('base64'), signature: `${h}..${sig}` };
  return { token: `${h}.${payload}.${sig}`, stored };
}

async function refusedReason(token: string): Promise<string> {
  try {
    await verifyCompactJws(token);
  } catch (error) {
    assert.ok(error instanceof SignatureError, String(error));
    return error.message;
  }
  assert.fail('accepted');
}

describe('JWS protected header: one strict, canonical header (issue 24.1)', () => {
  let keys: KeyPair;
  let other: KeyPair;
  let x: string;
  let canonical: string;
  let payload: string;
  before(async () => {
    keys = await generateKeyPair();
    other = await generateKeyPair();
    x = b64url(keys.publicKey);
    // Written out by hand from the rule, not built by the code under test.
    canonical = `{"alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"${x}"},"typ":"llm-speed-run+jws"}`;
    payload = b64url(canonicalPayloadBytes(sampleRun()));
  });

  it('the CLI signer makes exactly the canonical header, and that header verifies in both forms', async () => {
    const signed = await signRun(sampleRun(), keys);
    const header = String(signed.signature).split('..')[0]!;
    assert.equal(Buffer.from(header, 'base64url').toString('utf8'), canonical);
    assert.equal(canonicalHeaderSegment(keys.publicKey), header);
    assert.ok(canonical.length <= MAX_PROTECTED_HEADER_BYTES);
    assert.deepEqual(await verifyRun(signed), { valid: true });
    const { payload: stored } = await verifyCompactJws(toCompactJws(signed));
    assert.equal(stored.signature, signed.signature, 'the stored form carries the canonical header');
  });

  it('refuses each header class of the probe with the rule it breaks (attached token and stored run alike)', async () => {
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(230); // ~10 KB
    const cases: Array<[string, string, RegExp]> = [
      ['kid (an e-mail address)', canonical.slice(0, -1) + ',"kid":"alice.smith@example.com"}', /members other than alg, typ and jwk: "kid"/],
      ['x5u', canonical.slice(0, -1) + ',"x5u":"https://attacker.example/c.pem"}', /members other than alg, typ and jwk: "x5u"/],
      ['jku', canonical.slice(0, -1) + ',"jku":"https://attacker.example/jwks"}', /members other than alg, typ and jwk: "jku"/],
      ['jwk.d', canonical.replace(`"x":"${x}"}`, `"x":"${x}","d":"${b64url(keys.secretKey)}"}`), /jwk has members other than kty, crv and x: "d" \(d is a private key/],
      ['duplicate alg', canonical.replace('{"alg":"EdDSA"', '{"alg":"none","alg":"EdDSA"'), /the member "alg" twice/],
      ['duplicate alg spelled with an escape', canonical.replace('{"alg":"EdDSA"', '{"alg":"EdDSA","\\u0061lg":"EdDSA"'), /the member "alg" twice/],
      [
        'duplicate jwk naming another key first',
        canonical.replace('{"alg":"EdDSA",', `{"alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"${b64url(other.publicKey)}"},`),
        /the member "jwk" twice/,
      ],
      ['duplicate x inside jwk', canonical.replace(`"x":"${x}"`, `"x":"${b64url(other.publicKey)}","x":"${x}"`), /the member "x" twice/],
      ['10 KB of prompt text', canonical.slice(0, -1) + `,"kid":${JSON.stringify(prose)}}`, /JWS header is \d+ bytes, over the 256/],
      ['2,000 levels of nesting', canonical.slice(0, -1) + `,"n":${'['.repeat(2000)}${']'.repeat(2000)}}`, /over the 256/],
      ['10,000 levels of nesting', canonical.slice(0, -1) + `,"n":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, /over the 256/],
      ['no typ', canonical.replace(',"typ":"llm-speed-run+jws"', ''), /typ must be "llm-speed-run\+jws", got undefined/],
      ['typ JWT', canonical.replace('"llm-speed-run+jws"', '"JWT"'), /typ must be "llm-speed-run\+jws", got "JWT"/],
      ['typ in capitals', canonical.replace('"llm-speed-run+jws"', '"LLM-SPEED-RUN+JWS"'), /typ must be/],
      ['typ with the application/ prefix', canonical.replace('"llm-speed-run+jws"', '"application/llm-speed-run+jws"'), /typ must be/],
      ['re-spaced', canonical.replace(/,/g, ', '), /not in canonical form/],
      ['re-ordered', `{"typ":"llm-speed-run+jws","alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"${x}"}}`, /not in canonical form/],
      ['an escaped value', canonical.replace('"EdDSA"', '"\\u0045dDSA"'), /not in canonical form/],
    ];
    for (const [what, headerText, reason] of cases) {
      const { token, stored } = await signedWith(keys, headerText, payload);
      assert.match(await refusedReason(token), reason, what);
      const verdict = await verifyRun(stored);
      assert.equal(verdict.valid, false, what);
      assert.match(verdict.reason ?? '', reason, `${what} (stored form)`);
    }
  });

  it("refuses every header of the forgery corpus's header classes, by either signer", async () => {
    const forged = headerForgeries(x, b64url(other.publicKey));
    assert.ok(forged.length >= 60, `${forged.length} headers`);
    assert.deepEqual([...new Set(forged.map((f) => f.kind))].sort(), [
      'header: deep nesting',
      'header: duplicate members',
      'header: extra member (kid, x5u, jku, …)',
      'header: jwk with a private key part or other members',
      'header: re-spaced or re-ordered',
      "header: the suite's prompt text",
      'header: typ variants',
    ]);
    for (const { kind, text } of forged) {
      assert.notEqual(text, canonical, `${kind}: not the canonical header itself`);
      const { token } = await signedWith(keys, text, payload);
      await refusedReason(token);
    }
  });

  it('duplicateMember reads the raw text: nested objects, arrays and escaped quotes', () => {
    assert.equal(duplicateMember('{"a":1,"b":{"a":2}}'), undefined, 'the same name in two objects is no duplicate');
    assert.equal(duplicateMember('{"a":"x\\"a","b":["a","a"]}'), undefined, 'values and array items are not names');
    assert.equal(duplicateMember('{"a":{"b":1,"b":2}}'), 'b');
    assert.equal(duplicateMember('{"a":[{"c":1}],"a":2}'), 'a');
    assert.equal(duplicateMember('{"\\u0061":1,"a":2}'), 'a');
    assert.equal(canonicalize(JSON.parse('{"a":1,"a":2}')), '{"a":2}', 'what JSON.parse alone would let through');
  });
});
