/**
 * Vectors for each class the strict verifier refuses. Where node:crypto alone (OpenSSL's RFC 8032
 * cofactorless check) accepts the forged signature, the test shows that too: these are the
 * signatures an attacker without any private key would send.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { Point } from '@noble/ed25519';
import { b64url } from '../../src/signing/jws.js';
import { generateKeyPair, publicKeyProblem, signatureEncodingProblem, verifyCompactJws, verifyEd25519, verifyEd25519Strict, verifyRun, SignatureError } from '../../src/signing/index.js';
import { canonicalPayloadBytes, canonicalize } from '../../src/signing/jcs.js';
import { sampleRun } from '../helpers/sample-run.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}
const fromLe = (b: Uint8Array) => BigInt('0x' + Buffer.from(b).reverse().toString('hex'));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** The eight small-order points of Ed25519 in their canonical encodings (libsodium's blocklist). */
const TORSION = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
];

/** What OpenSSL alone says: the baseline the strict checks are added to. */
function nodeAccepts(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
  try {
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), key]);
    return cryptoVerify(null, message, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature);
  } catch {
    return false;
  }
}

/** The forgery: the identity as key, signature = R (identity) ‖ S = 0, over any payload. */
function identityForgery(run: ReturnType<typeof sampleRun>): string {
  const x = 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const header = b64url(canonicalize({ alg: 'EdDSA', jwk: { crv: 'Ed25519', kty: 'OKP', x }, typ: 'llm-speed-run+jws' }));
  const signature = new Uint8Array(64);
  signature[0] = 1;
  return `${header}.${b64url(canonicalPayloadBytes(run))}.${b64url(signature)}`;
}

describe('strict Ed25519 (signing/ed25519.ts)', () => {
  const message = new TextEncoder().encode('llm-speed strict verification');

  it('accepts genuine signatures', async () => {
    const { secretKey, publicKey } = await generateKeyPair();
    const { signAsync } = await import('@noble/ed25519');
    const signature = await signAsync(message, secretKey);
    assert.deepEqual(verifyEd25519Strict(signature, message, publicKey), { valid: true });
    assert.equal(verifyEd25519(signature, concat(message, hex('00')), publicKey), false);
  });

  it('refuses all eight small-order public keys, which the decoder alone accepts', () => {
    for (const encoding of TORSION) {
      const key = hex(encoding);
      assert.ok(Point.fromBytes(key, true).isSmallOrder(), `${encoding} is a torsion point`);
      assert.match(publicKeyProblem(key) ?? '', /small order/, encoding);
    }
    // and they are all the multiples of one order-8 point
    const t8 = Point.fromBytes(hex(TORSION[4]!));
    const multiples = new Set([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n].map((k) => (k === 0n ? Point.ZERO : t8.multiply(k, false)).toHex()));
    assert.deepEqual([...multiples].sort(), [...TORSION].sort());
  });

  it("refuses the issue's forgery: key AQAA… (identity) with the signature 0x01 ‖ 63 zero bytes", async () => {
    const key = hex(TORSION[0]!);
    const signature = new Uint8Array(64);
    signature[0] = 1;
    assert.equal(nodeAccepts(signature, message, key), true, 'OpenSSL alone accepts it for any message');
    const verdict = verifyEd25519Strict(signature, message, key);
    assert.equal(verdict.valid, false);
    assert.match((verdict as { reason: string }).reason, /small order/);

    const forged = identityForgery(sampleRun());
    await assert.rejects(verifyCompactJws(forged), (e: unknown) => e instanceof SignatureError && /small order/.test(e.message));
    const [header, , sig] = forged.split('.');
    const stored = { ...sampleRun(), public_key: Buffer.from(key).toString('base64'), signature: `${header}..${sig}` };
    const result = await verifyRun(stored);
    assert.equal(result.valid, false);
    assert.match(result.reason ?? '', /small order/);
  });

  it('refuses a small-order key given in a non-canonical encoding (y ≥ p)', () => {
    // y = p + 1 spells the identity again; y = p spells the order-4 point y = 0.
    for (const y of [P + 1n, P]) {
      const key = le32(y);
      assert.match(publicKeyProblem(key) ?? '', /not canonical \(y ≥ p\)/);
      const signature = new Uint8Array(64);
      signature[0] = 1;
      assert.equal(verifyEd25519(signature, message, key), false);
    }
    // x = 0 with the sign bit set: the identity and the order-2 point spelled a second way
    assert.match(publicKeyProblem(hex('0100000000000000000000000000000000000000000000000000000000000080')) ?? '', /sign bit/);
    assert.match(publicKeyProblem(hex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff')) ?? '', /sign bit/);
  });

  it('refuses a non-canonical encoding of a large-order point (y ≥ p), which a ZIP-215 decoder accepts', () => {
    const found: bigint[] = [];
    for (let y = P + 2n; y < 2n ** 255n; y++) {
      try {
        const point = Point.fromBytes(le32(y), true);
        if (!point.isSmallOrder()) found.push(y);
      } catch {
        // not on the curve
      }
    }
    assert.ok(found.length > 0, 'some y in [p+2, 2^255) decodes to a point of large order');
    for (const y of found) assert.match(publicKeyProblem(le32(y)) ?? '', /not canonical \(y ≥ p\)/);
  });

  it('refuses a mixed-order key (valid key + torsion point) even with a signature OpenSSL accepts', () => {
    // A' = aB + T8. A signature made with a, for a challenge k divisible by 8, satisfies the
    // cofactorless equation SB = R + kA' (kT8 = 0): the key holder can make the same signature
    // verify or not depending on the verifier. Honest keys are [a]B: never of mixed order.
    const sha512 = (...parts: Uint8Array[]) =>
      new Uint8Array(
        createHash('sha512')
          .update(concat(...parts))
          .digest(),
      );
    // A fresh key each run: verdicts are cached per key, and a key seen before proves nothing new.
    const a = (fromLe(sha512(randomBytes(32))) % (L - 1n)) + 1n;
    const mixed = Point.BASE.multiply(a).add(Point.fromBytes(hex(TORSION[4]!)));
    const key = mixed.toBytes();
    let signature: Uint8Array | undefined;
    for (let i = 1; !signature; i++) {
      const r = (fromLe(sha512(le32(BigInt(i)))) % (L - 1n)) + 1n;
      const R = Point.BASE.multiply(r).toBytes();
      const k = fromLe(sha512(R, key, message)) % L;
      if (k % 8n === 0n) signature = concat(R, le32((r + k * a) % L));
    }
    assert.equal(nodeAccepts(signature, message, key), true, 'OpenSSL alone accepts it');
    assert.ok(!mixed.isSmallOrder());
    const verdict = verifyEd25519Strict(signature, message, key);
    assert.equal(verdict.valid, false);
    assert.match((verdict as { reason: string }).reason, /prime-order subgroup/);
    assert.match(publicKeyProblem(key) ?? '', /prime-order subgroup/);
  });

  it('refuses S ≥ L (the malleable twin of a genuine signature)', async () => {
    const { secretKey, publicKey } = await generateKeyPair();
    const { signAsync } = await import('@noble/ed25519');
    const signature = await signAsync(message, secretKey);
    const twin = concat(signature.subarray(0, 32), le32(fromLe(signature.subarray(32)) + L));
    assert.match(signatureEncodingProblem(twin) ?? '', /S is not below the group order/);
    const verdict = verifyEd25519Strict(twin, message, publicKey);
    assert.equal(verdict.valid, false);
    assert.match((verdict as { reason: string }).reason, /S is not below/);
  });

  it('refuses a non-canonical R (y ≥ p, or x = 0 with the sign bit)', async () => {
    const { publicKey } = await generateKeyPair();
    for (const R of [le32(P + 1n), le32(P + 3n), hex('0100000000000000000000000000000000000000000000000000000000000080')]) {
      const signature = concat(R, new Uint8Array(32));
      assert.match(signatureEncodingProblem(signature) ?? '', /R is not canonical/);
      assert.match((verifyEd25519Strict(signature, message, publicKey) as { reason: string }).reason, /R is not canonical/);
    }
  });

  it('refuses keys and signatures of the wrong length, naming the length', () => {
    assert.equal(verifyEd25519(new Uint8Array(64), message, new Uint8Array(31)), false);
    assert.match(signatureEncodingProblem(new Uint8Array(63)) ?? '', /63 bytes/);
    const shortKey = new Uint8Array(randomBytes(31));
    assert.deepEqual(verifyEd25519Strict(new Uint8Array(64), message, shortKey), { valid: false, reason: 'the public key is 31 bytes, not 32' });
    assert.equal(publicKeyProblem(new Uint8Array(33)), 'the public key is 33 bytes, not 32');
  });

  it('puts the bound on S exactly at L: S = L − 1 passes the encoding check, S = L does not', () => {
    const R = Point.BASE.toBytes();
    assert.equal(signatureEncodingProblem(concat(R, le32(L - 1n))), undefined);
    assert.match(signatureEncodingProblem(concat(R, le32(L))) ?? '', /S is not below the group order L/);
  });

  it('refuses a canonical encoding that is no curve point', () => {
    // y = 2: x² = (y² − 1) / (d·y² + 1) has no square root mod p, so no point has y = 2.
    const key = le32(2n);
    assert.throws(() => Point.fromBytes(key, false));
    assert.equal(publicKeyProblem(key), 'the public key is not a point on Ed25519');
    assert.deepEqual(verifyEd25519Strict(new Uint8Array(64), message, key), { valid: false, reason: 'the public key is not a point on Ed25519' });
  });
});
