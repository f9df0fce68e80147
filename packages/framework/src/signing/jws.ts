/**
 * Ed25519 JWS (RFC 7515 compact serialisation, alg EdDSA per RFC 8037) over the JCS bytes of a run.
 *
 * A stored run carries its signature DETACHED (RFC 7515 Appendix F: `header..signature`), because
 * the payload is the run itself; the CLI posts the ATTACHED form (`header.payload.signature`).
 * The protected header embeds the raw public key as an OKP JWK, so a token verifies on its own,
 * and the run's `public_key` must name the same key.
 */
import * as ed from '@noble/ed25519';
import type { RunPayload } from '../contract/generated/run.js';
import { LlmSpeedError } from '../errors.js';
import { canonicalize, canonicalPayloadBytes } from './jcs.js';
import { verifyEd25519Strict, type Ed25519Verdict } from './ed25519.js';

export interface KeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export const JWS_TYPE = 'llm-speed-run+jws';

export interface ProtectedHeader {
  alg: 'EdDSA';
  typ: typeof JWS_TYPE;
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

/** Any reason a signature or token cannot be accepted. */
export class SignatureError extends LlmSpeedError {
  constructor(message: string, suggestions: string[] = []) {
    super('signature', message, { suggestions });
    this.name = 'SignatureError';
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const B64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const utf8 = new TextEncoder();

export function b64url(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? utf8.encode(bytes) : bytes).toString('base64url');
}

/**
 * Strict decoding: Buffer ignores the unused bits of the last character, so without the
 * round-trip check two spellings would decode to the same bytes and an edited character of a
 * stored signature could go unnoticed. Only the canonical spelling is accepted.
 */
function fromB64url(text: string, what: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64url');
  if (!B64URL.test(text) || bytes.toString('base64url') !== text) throw new SignatureError(`${what} is not canonical base64url`);
  return new Uint8Array(bytes);
}

/** Standard base64 of the 32 raw key bytes: the `public_key` field. */
export function publicKeyToBase64(publicKey: Uint8Array): string {
  return Buffer.from(publicKey).toString('base64');
}

export function publicKeyFromBase64(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (!B64_KEY.test(text) || bytes.toString('base64') !== text) throw new SignatureError('public_key is not a canonical base64 Ed25519 key (32 bytes)');
  return new Uint8Array(bytes);
}

export async function generateKeyPair(): Promise<KeyPair> {
  const { secretKey, publicKey } = await ed.keygenAsync();
  return { secretKey, publicKey };
}

function headerFor(publicKey: Uint8Array): ProtectedHeader {
  return { alg: 'EdDSA', typ: JWS_TYPE, jwk: { kty: 'OKP', crv: 'Ed25519', x: b64url(publicKey) } };
}

/** Parses and checks a protected header; returns the raw key it names. */
function headerKey(encoded: string): Uint8Array {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromB64url(encoded, 'JWS header')));
  } catch (error) {
    if (error instanceof SignatureError) throw error;
    throw new SignatureError('JWS header is not JSON');
  }
  if (typeof header !== 'object' || header === null) throw new SignatureError('JWS header is not an object');
  const h = header as Partial<ProtectedHeader> & { crit?: unknown };
  if (h.alg !== 'EdDSA') throw new SignatureError(`unsupported JWS alg ${JSON.stringify(h.alg)} (expected EdDSA)`);
  if (h.crit !== undefined) throw new SignatureError('JWS header has "crit" extensions this verifier does not understand');
  const jwk = h.jwk;
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new SignatureError('JWS header carries no Ed25519 key (jwk with kty "OKP", crv "Ed25519", x)');
  }
  const key = fromB64url(jwk.x, 'JWS header key');
  if (key.length !== 32) throw new SignatureError(`JWS header key is ${key.length} bytes, expected 32`);
  return key;
}

/**
 * The project's one strict verification (./ed25519.ts): small-order and non-canonical keys, a
 * non-canonical R and S ≥ L are refused before the equation runs in node:crypto.
 */
function verifyBytes(signature: Uint8Array, signingInput: string, key: Uint8Array): Ed25519Verdict {
  return verifyEd25519Strict(signature, utf8.encode(signingInput), key);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** The run (without signature/public_key) plus `public_key` and a detached JWS `signature`. */
export async function signRun(run: RunPayload, keys: KeyPair): Promise<RunPayload> {
  const { signature: _s, public_key: _k, ...unsigned } = run;
  const header = b64url(canonicalize(headerFor(keys.publicKey)));
  const payload = b64url(canonicalPayloadBytes(unsigned));
  const signature = await ed.signAsync(utf8.encode(`${header}.${payload}`), keys.secretKey);
  return { ...unsigned, public_key: publicKeyToBase64(keys.publicKey), signature: `${header}..${b64url(signature)}` };
}

function splitDetached(signature: unknown): { header: string; sig: string } {
  if (typeof signature !== 'string') throw new SignatureError('the run is not signed (no signature)');
  const parts = signature.split('.');
  if (parts.length !== 3 || !parts[0] || parts[1] !== '' || !parts[2]) throw new SignatureError('signature is not a detached JWS (header..signature)');
  return { header: parts[0], sig: parts[2] };
}

/** The attached compact JWS (header.payload.signature) that is POSTed as application/jose. */
export function toCompactJws(signedRun: RunPayload): string {
  const { header, sig } = splitDetached(signedRun.signature);
  return `${header}.${b64url(canonicalPayloadBytes(signedRun))}.${sig}`;
}

/**
 * Verifies an attached compact JWS against the key in its own protected header and returns the run
 * with `public_key` and the detached `signature` filled in, ready to store. The payload must be its
 * own JCS form, so the stored JSON re-verifies with verifyRun.
 */
export async function verifyCompactJws(token: string): Promise<{ payload: RunPayload; publicKey: string }> {
  if (typeof token !== 'string') throw new SignatureError('a JWS must be a string');
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) throw new SignatureError('not a compact JWS (header.payload.signature)');
  const [encodedHeader, encodedPayload, encodedSig] = parts as [string, string, string];
  const key = headerKey(encodedHeader);
  const verdict = verifyBytes(fromB64url(encodedSig, 'JWS signature'), `${encodedHeader}.${encodedPayload}`, key);
  if (!verdict.valid) {
    throw new SignatureError(verdict.reason === 'the signature does not verify' ? 'the signature does not verify against the key in the JWS header' : `refused: ${verdict.reason}`);
  }
  const payloadBytes = fromB64url(encodedPayload, 'JWS payload');
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
  } catch {
    throw new SignatureError('the JWS payload is not UTF-8 JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new SignatureError('the JWS payload is not a JSON object');
  if ('signature' in payload || 'public_key' in payload) throw new SignatureError('the JWS payload must not contain signature or public_key');
  if (!sameBytes(canonicalPayloadBytes(payload), payloadBytes)) throw new SignatureError('the JWS payload is not in canonical (RFC 8785) form');
  const publicKey = publicKeyToBase64(key);
  return { payload: { ...(payload as RunPayload), public_key: publicKey, signature: `${encodedHeader}..${encodedSig}` }, publicKey };
}

export interface VerifyResult {
  valid: boolean;
  reason?: string;
}

/** Checks a stored run: its detached signature over its JCS bytes, by the key it names. Never throws. */
export async function verifyRun(run: unknown): Promise<VerifyResult> {
  try {
    if (typeof run !== 'object' || run === null || Array.isArray(run)) return { valid: false, reason: 'not a JSON object' };
    const r = run as Record<string, unknown>;
    if (typeof r.signature !== 'string' || typeof r.public_key !== 'string') return { valid: false, reason: 'the run is not signed (no signature or public_key)' };
    const publicKey = publicKeyFromBase64(r.public_key);
    const { header, sig } = splitDetached(r.signature);
    const key = headerKey(header);
    if (!sameBytes(key, publicKey)) return { valid: false, reason: 'public_key does not match the key in the signature header' };
    const signingInput = `${header}.${b64url(canonicalPayloadBytes(r))}`;
    const verdict = verifyBytes(fromB64url(sig, 'JWS signature'), signingInput, key);
    if (!verdict.valid) {
      return {
        valid: false,
        reason: verdict.reason === 'the signature does not verify' ? 'the signature does not match the payload (edited after signing, or signed by another key)' : `refused: ${verdict.reason}`,
      };
    }
    return { valid: true };
  } catch (error) {
    return { valid: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
