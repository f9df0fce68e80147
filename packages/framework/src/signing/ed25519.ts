/**
 * The one Ed25519 verification in the project (run signatures, the login proof, the suite
 * manifest). Plain RFC 8032 verification as OpenSSL does it is not enough for a public board:
 * it accepts small-order public keys, and with the identity as key the all-but-one zero signature
 * "verifies" for every message, so anybody could sign anything without a private key.
 *
 * Before the signature equation is tried, this refuses (RFC 8032 §5.1.7 plus the small-order rule
 * of libsodium and @noble/ed25519's strict mode, `zip215: false`):
 * - a public key whose encoding is not canonical (y ≥ p, or x = 0 with the sign bit set), that is
 *   not a curve point, that has small order ([8]A = identity: the 8 torsion points), or that lies
 *   outside the prime-order subgroup (a mixed-order key, valid key + torsion point). Honest key
 *   generation only ever gives [a]B, so none of these is any real signer's key; refusing mixed
 *   order also removes the cofactored/cofactorless ambiguity between verifiers;
 * - a signature whose R is a non-canonical encoding, or whose S is not below the group order L.
 *
 * The key checks need point arithmetic (@noble/ed25519's Point) and are cached per key; the R and S
 * checks are byte comparisons. The equation itself runs in node:crypto (OpenSSL), about 10x faster
 * than pure JS, which keeps the results server's ingest rate.
 */
import { Point } from '@noble/ed25519';
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** The field prime p = 2^255 - 19 and the group order L = 2^252 + 27742317777372353535851937790883648493. */
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

export type Ed25519Verdict = { valid: true } | { valid: false; reason: string };

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/**
 * Why a 32-byte point encoding is not canonical, or undefined when it is. y must be below p, and
 * the only points with x = 0 (y = 1 and y = p - 1) must not carry a sign bit: either way a second
 * spelling of the same point, which is how one signature is made to match two different byte strings.
 */
export function nonCanonicalPointReason(encoding: Uint8Array): string | undefined {
  if (encoding.length !== 32) return `is ${encoding.length} bytes, not 32`;
  const sign = (encoding[31]! & 0x80) !== 0;
  const copy = Uint8Array.from(encoding);
  copy[31]! &= 0x7f;
  const y = littleEndian(copy);
  if (y >= P) return 'is not canonical (y ≥ p)';
  if (sign && (y === 1n || y === P - 1n)) return 'is not canonical (x = 0 with the sign bit set)';
  return undefined;
}

/** Why a 32-byte public key is unacceptable, or undefined for a key of the prime-order subgroup. */
export function publicKeyProblem(key: Uint8Array): string | undefined {
  const encoding = nonCanonicalPointReason(key);
  if (encoding) return `the public key ${encoding}`;
  let point: Point;
  try {
    point = Point.fromBytes(key, false);
  } catch {
    return 'the public key is not a point on Ed25519';
  }
  if (point.isSmallOrder()) return 'the public key has small order (a torsion point: it would accept forged signatures)';
  if (!point.isTorsionFree()) return 'the public key is not in the prime-order subgroup (it has a torsion component)';
  return undefined;
}

/** Why a 64-byte signature is malformed before any arithmetic, or undefined. */
export function signatureEncodingProblem(signature: Uint8Array): string | undefined {
  if (signature.length !== 64) return `the signature is ${signature.length} bytes, not 64`;
  const r = nonCanonicalPointReason(signature.subarray(0, 32));
  if (r) return `the signature's R ${r}`;
  if (littleEndian(signature.subarray(32, 64)) >= L) return "the signature's S is not below the group order L (malleable)";
  return undefined;
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Checking a key and parsing it into a KeyObject cost more than the verification itself, and a
 * persistent-key contributor uploads many runs: keep the most recent verdicts (bounded, oldest out).
 */
const KEY_CACHE_SIZE = 1024;
const keyCache = new Map<string, KeyObject | string>();

function checkedKey(raw: Uint8Array): KeyObject | string {
  const id = Buffer.from(raw).toString('base64');
  let entry = keyCache.get(id);
  if (entry === undefined) {
    entry = raw.length !== 32 ? `the public key is ${raw.length} bytes, not 32` : publicKeyProblem(raw);
    if (entry === undefined) {
      try {
        entry = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
      } catch {
        entry = 'the public key is not a point on Ed25519';
      }
    }
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, entry);
  }
  return entry;
}

/** Strict Ed25519 verification with the reason for a refusal. Never throws. */
export function verifyEd25519Strict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Ed25519Verdict {
  const key = checkedKey(publicKey);
  if (typeof key === 'string') return { valid: false, reason: key };
  const problem = signatureEncodingProblem(signature);
  if (problem) return { valid: false, reason: problem };
  try {
    if (cryptoVerify(null, message, key, signature)) return { valid: true };
  } catch {
    // an unparsable R is simply not a valid signature
  }
  return { valid: false, reason: 'the signature does not verify' };
}

/** Strict Ed25519 verification as a yes/no. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return verifyEd25519Strict(signature, message, publicKey).valid;
}
