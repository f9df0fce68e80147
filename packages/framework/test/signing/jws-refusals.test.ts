/**
 * Every way a token or a stored run can be malformed, each refused with the reason that names it.
 * The reason matters: the results server answers it to the uploader, and a check that silently
 * falls through to a later one (a header that is not an object reported as "no Ed25519 key", a
 * payload carrying its own signature reported as "not canonical") would hide which rule held.
 * Each bad token except the malformed-signature ones is validly signed, so only the rule under
 * test can refuse it.
 */
import assert from 'node:assert/strict';
import * as ed from '@noble/ed25519';
import { b64url } from '../../src/signing/jws.js';
import { canonicalize, canonicalPayloadBytes, generateKeyPair, signRun, SignatureError, toCompactJws, verifyCompactJws, verifyRun, type KeyPair } from '../../src/signing/index.js';
import { sampleRun } from '../helpers/sample-run.js';

const goodHeader = (keys: KeyPair) => ({ alg: 'EdDSA', typ: 'llm-speed-run+jws', jwk: { kty: 'OKP', crv: 'Ed25519', x: b64url(keys.publicKey) } });
/** base64url of arbitrary bytes or text, signed as given (no canonicalisation). */
const seg = (value: string | Uint8Array) => b64url(value);

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same bytes spelled a second way: an unused low bit of the last character set. */
function respelled(segment: string): string {
  const last = segment[segment.length - 1]!;
  const other = segment.slice(0, -1) + ALPHABET[ALPHABET.indexOf(last) + 1];
  assert.ok(segment.length % 4 !== 0, 'a segment whose last character has unused bits');
  assert.deepEqual(Buffer.from(other, 'base64url'), Buffer.from(segment, 'base64url'), 'decodes to the same bytes');
  return other;
}

async function token(keys: KeyPair, headerSegment: string, payloadSegment: string): Promise<string> {
  const signature = await ed.signAsync(new TextEncoder().encode(`${headerSegment}.${payloadSegment}`), keys.secretKey);
  return `${headerSegment}.${payloadSegment}.${b64url(signature)}`;
}

async function refusal(promise: Promise<unknown>): Promise<SignatureError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SignatureError, `expected a SignatureError, got ${String(error)}`);
    return error;
  }
  assert.fail('accepted');
}

describe('verifyCompactJws: each malformed token refused with its own reason', () => {
  let keys: KeyPair;
  let header: string;
  let payload: string;
  before(async () => {
    keys = await generateKeyPair();
    header = seg(canonicalize(goodHeader(keys)));
    payload = seg(canonicalPayloadBytes(sampleRun()));
  });

  it('accepts the well-formed token, also with the trailing newline a file or curl adds', async () => {
    const good = await token(keys, header, payload);
    assert.equal((await verifyCompactJws(good)).publicKey, Buffer.from(keys.publicKey).toString('base64'));
    assert.equal((await verifyCompactJws(`${good}\n`)).publicKey, Buffer.from(keys.publicKey).toString('base64'));
  });

  it('a SignatureError is typed: code "signature", no made-up advice', async () => {
    const error = await refusal(verifyCompactJws('a.b'));
    assert.equal(error.code, 'signature');
    assert.equal(error.name, 'SignatureError');
    assert.deepEqual(error.suggestions, []);
  });

  it('refuses what is not a compact JWS', async () => {
    assert.match((await refusal(verifyCompactJws(42 as unknown as string))).message, /a JWS must be a string/);
    const good = await token(keys, header, payload);
    const [h, p, s] = good.split('.');
    for (const shape of [`${h}.${p}`, `${good}.${s}`, `${h}..${s}`, `.${p}.${s}`, `${h}.${p}.`, '..']) {
      assert.match((await refusal(verifyCompactJws(shape))).message, /not a compact JWS \(header\.payload\.signature\)/, shape.slice(0, 20));
    }
  });

  it('refuses a protected header that is not a canonical, JSON, EdDSA, Ed25519 header', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['non-canonical base64url (unused bits set)', respelled(header), /JWS header is not canonical base64url/],
      ['not JSON', seg('{alg:EdDSA'), /JWS header is not JSON/],
      ['not UTF-8', seg(new Uint8Array([0x7b, 0xff, 0x7d])), /JWS header is not JSON/],
      // A stray byte in a member the verifier ignores: a lenient decoder would accept the header.
      ['not UTF-8 in an extra member', seg(Buffer.concat([Buffer.from(canonicalize(goodHeader(keys)).slice(0, -1) + ',"kid":"'), Buffer.from([0xff]), Buffer.from('"}')])), /JWS header is not JSON/],
      ['null', seg('null'), /JWS header is not an object/],
      ['a number', seg('5'), /JWS header is not an object/],
      ['a string', seg('"EdDSA"'), /JWS header is not an object/],
      ['alg none', seg(canonicalize({ ...goodHeader(keys), alg: 'none' })), /unsupported JWS alg "none" \(expected EdDSA\)/],
      ['no alg', seg(canonicalize({ ...goodHeader(keys), alg: undefined })), /unsupported JWS alg/],
      ['crit', seg(canonicalize({ ...goodHeader(keys), crit: ['exp'] })), /"crit" extensions/],
      ['no jwk', seg(canonicalize({ alg: 'EdDSA' })), /carries no Ed25519 key/],
      ['kty EC', seg(canonicalize({ ...goodHeader(keys), jwk: { ...goodHeader(keys).jwk, kty: 'EC' } })), /carries no Ed25519 key/],
      ['crv X25519', seg(canonicalize({ ...goodHeader(keys), jwk: { ...goodHeader(keys).jwk, crv: 'X25519' } })), /carries no Ed25519 key/],
      ['x not a string', seg(canonicalize({ ...goodHeader(keys), jwk: { kty: 'OKP', crv: 'Ed25519', x: 5 } })), /carries no Ed25519 key/],
      ['x not canonical', seg(canonicalize({ ...goodHeader(keys), jwk: { kty: 'OKP', crv: 'Ed25519', x: `${b64url(keys.publicKey)}=` } })), /JWS header key is not canonical base64url/],
      ['x of 31 bytes', seg(canonicalize({ ...goodHeader(keys), jwk: { kty: 'OKP', crv: 'Ed25519', x: b64url(keys.publicKey.subarray(1)) } })), /JWS header key is 31 bytes, expected 32/],
    ];
    for (const [what, badHeader, reason] of cases) {
      assert.match((await refusal(verifyCompactJws(await token(keys, badHeader, payload)))).message, reason, what);
    }
  });

  it('refuses a signature that is not canonical, does not verify, or comes with a forbidden key', async () => {
    const good = await token(keys, header, payload);
    const [h, p, s] = good.split('.') as [string, string, string];
    assert.match((await refusal(verifyCompactJws(`${h}.${p}.${respelled(s)}`))).message, /^JWS signature is not canonical base64url$/);
    assert.match((await refusal(verifyCompactJws(`${h}.${p}.${s}AA`))).message, /^refused: the signature is 66 bytes, not 64$/);
    const other = await generateKeyPair();
    const byOther = await token(other, header, payload);
    assert.match((await refusal(verifyCompactJws(byOther))).message, /^the signature does not verify against the key in the JWS header$/);
    // The identity as key: refused for what it is, with the verifier's reason.
    const identity = seg(canonicalize({ ...goodHeader(keys), jwk: { kty: 'OKP', crv: 'Ed25519', x: b64url(Uint8Array.from([1, ...new Array(31).fill(0)])) } }));
    const zeroSig = b64url(Uint8Array.from([1, ...new Array(63).fill(0)]));
    assert.match((await refusal(verifyCompactJws(`${identity}.${p}.${zeroSig}`))).message, /^refused: the public key has small order/);
  });

  it('refuses a signed payload that is not a canonical JSON object without signature fields', async () => {
    const run = sampleRun();
    const cases: Array<[string, string, RegExp]> = [
      ['non-canonical base64url', respelled(payload.length % 4 === 0 ? seg(canonicalize({ ...run, cli_version: '0.1.0-x' })) : payload), /JWS payload is not canonical base64url/],
      ['not JSON', seg('{"a":'), /the JWS payload is not UTF-8 JSON/],
      ['not UTF-8', seg(new Uint8Array([0x22, 0xc3, 0x22])), /the JWS payload is not UTF-8 JSON/],
      ['an array', seg('[1]'), /the JWS payload is not a JSON object/],
      ['null', seg('null'), /the JWS payload is not a JSON object/],
      ['a string', seg('"run"'), /the JWS payload is not a JSON object/],
      ['carrying a signature', seg(canonicalize({ ...run, signature: 'x..y' })), /must not contain signature or public_key/],
      ['carrying a public_key', seg(canonicalize({ ...run, public_key: Buffer.from(keys.publicKey).toString('base64') })), /must not contain signature or public_key/],
      ['not in canonical form', seg(JSON.stringify(run, null, 1)), /not in canonical \(RFC 8785\) form/],
    ];
    for (const [what, badPayload, reason] of cases) {
      assert.match((await refusal(verifyCompactJws(await token(keys, header, badPayload)))).message, reason, what);
    }
  });

  it('gives back the stored form: the run with public_key and the detached signature of the same header and signature', async () => {
    const good = await token(keys, header, payload);
    const { payload: stored } = await verifyCompactJws(good);
    const [h, , s] = good.split('.');
    assert.equal(stored.signature, `${h}..${s}`);
    assert.equal(stored.public_key, Buffer.from(keys.publicKey).toString('base64'));
    assert.deepEqual(await verifyRun(stored), { valid: true });
  });
});

describe('verifyRun: each malformed stored run refused with its own reason, never thrown', () => {
  let keys: KeyPair;
  let signed: Awaited<ReturnType<typeof signRun>>;
  before(async () => {
    keys = await generateKeyPair();
    signed = await signRun(sampleRun(), keys);
  });

  const reasonOf = async (run: unknown) => {
    const verdict = await verifyRun(run);
    assert.equal(verdict.valid, false, 'refused');
    return verdict.reason ?? '';
  };

  it('refuses what is not a signed run object', async () => {
    for (const value of [null, 'run', 42, [signed]]) assert.equal(await reasonOf(value), 'not a JSON object', JSON.stringify(value)?.slice(0, 20));
    const { signature: _s, ...noSignature } = signed;
    const { public_key: _k, ...noKey } = signed;
    assert.match(await reasonOf(noSignature), /not signed \(no signature or public_key\)/);
    assert.match(await reasonOf(noKey), /not signed \(no signature or public_key\)/);
  });

  it('refuses a public_key that is not a canonical base64 32-byte key', async () => {
    const key = Buffer.from(keys.publicKey);
    for (const publicKey of [
      '-' + key.toString('base64').slice(1), // a base64url character
      Buffer.concat([key, Buffer.from([1, 2, 3])]).toString('base64'), // 35 bytes: 48 characters ending in one "="
      key.subarray(1).toString('base64'), // 31 bytes
      key.toString('base64').replace(/=$/, ''), // padding missing
    ]) {
      assert.match(await reasonOf({ ...signed, public_key: publicKey }), /public_key is not a canonical base64 Ed25519 key \(32 bytes\)/, publicKey);
    }
  });

  it('refuses a signature that is not detached (header..signature)', async () => {
    const [h, , s] = signed.signature!.split('.');
    for (const signature of [toCompactJws(signed), `${h}.${s}`, `..${s}`, `${h}..`, `${h}...${s}`]) {
      assert.match(await reasonOf({ ...signed, signature }), /signature is not a detached JWS \(header\.\.signature\)/, signature.slice(0, 20));
    }
    assert.throws(() => toCompactJws({ ...signed, signature: undefined }), /the run is not signed \(no signature\)/);
  });

  it('says whether the payload was edited, or the signature bytes are malformed', async () => {
    assert.equal(await reasonOf({ ...signed, cli_version: '9.9.9' }), 'the signature does not match the payload (edited after signing, or signed by another key)');
    const [h, , s] = signed.signature!.split('.') as [string, string, string];
    assert.equal(await reasonOf({ ...signed, signature: `${h}..${respelled(s)}` }), 'JWS signature is not canonical base64url');
    assert.equal(await reasonOf({ ...signed, signature: `${h}..${s}AA` }), 'refused: the signature is 66 bytes, not 64');
    // S + L: the malleable twin of the genuine signature, refused by the strict verifier by name.
    const bytes = Buffer.from(s, 'base64url');
    let n = 0n;
    for (let i = 63; i >= 32; i--) n = (n << 8n) | BigInt(bytes[i]!);
    n += 2n ** 252n + 27742317777372353535851937790883648493n;
    for (let i = 32; i < 64; i++, n >>= 8n) bytes[i] = Number(n & 0xffn);
    assert.equal(n, 0n, 'S + L fits in 32 bytes');
    assert.match(await reasonOf({ ...signed, signature: `${h}..${bytes.toString('base64url')}` }), /^refused: the signature's S is not below the group order L/);
  });

  it('reports a broken header as a reason instead of throwing', async () => {
    const [, , s] = signed.signature!.split('.');
    assert.match(await reasonOf({ ...signed, signature: `${b64url('{alg')}..${s}` }), /JWS header is not JSON/);
  });
});
