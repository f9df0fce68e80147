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

/**
 * The one protected header a run may carry, as its base64url segment: the JCS text of
 * `{alg: "EdDSA", typ: "llm-speed-run+jws", jwk: {kty: "OKP", crv: "Ed25519", x}}` for this key.
 * The CLI signs exactly these bytes, verifiers accept exactly these bytes, and the results server
 * stores and serves exactly these bytes (METHODOLOGY §5).
 */
export function canonicalHeaderSegment(publicKey: Uint8Array): string {
  return b64url(canonicalize(headerFor(publicKey)));
}

/**
 * Largest decoded protected header looked at. The canonical header is 113 bytes; the bound is
 * checked on the encoded length before anything is decoded or parsed, so a header of 10 KB of
 * text, or 10,000 levels of nesting, costs nothing but this comparison.
 */
export const MAX_PROTECTED_HEADER_BYTES = 256;
const HEADER_MEMBERS = ['alg', 'jwk', 'typ'];
const JWK_MEMBERS = ['crv', 'kty', 'x'];

/**
 * The first member name that occurs twice in one object of a JSON text (which JSON.parse has
 * already accepted), decoded as JSON reads it ("\u0061lg" is "alg"), or undefined. JSON.parse keeps
 * the last of two members silently, so what one reader sees need not be what another saw: the
 * check runs on the raw text.
 */
export function duplicateMember(text: string): string | undefined {
  /** One entry per open object (its member names) or array (null). */
  const open: Array<Set<string> | null> = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectName) {
        const name = JSON.parse(text.slice(i, j + 1)) as string;
        const names = open[open.length - 1]!;
        if (names.has(name)) return name;
        names.add(name);
        expectName = false;
      }
      i = j;
    } else if (c === '{') {
      open.push(new Set());
      expectName = true;
    } else if (c === '[') {
      open.push(null);
    } else if (c === '}' || c === ']') {
      open.pop();
      expectName = false;
    } else if (c === ',') {
      expectName = open[open.length - 1] instanceof Set;
    }
  }
  return undefined;
}

function unexpectedMembers(value: object, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((k) => !allowed.includes(k));
}

/**
 * Parses and checks a protected header; returns the raw key it names. The header must be exactly
 * canonicalHeaderSegment(key): each other shape is refused with the rule it breaks — too large,
 * not JSON, a duplicate member, another alg, crit, no Ed25519 key, a member other than alg, typ
 * and jwk (kid, x5u, jku, …), a jwk member other than kty, crv and x (d: a private key part),
 * another typ, or the right members spelled other than in RFC 8785 form (whitespace, order,
 * escapes). Whatever a client puts in the header would otherwise be stored and served with the run.
 */
function headerKey(encoded: string): Uint8Array {
  const size = Math.floor((encoded.length * 3) / 4);
  if (size > MAX_PROTECTED_HEADER_BYTES) {
    throw new SignatureError(`JWS header is ${size} bytes, over the ${MAX_PROTECTED_HEADER_BYTES} an llm-speed header may take: it holds exactly alg, typ and jwk`);
  }
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fromB64url(encoded, 'JWS header'));
    header = JSON.parse(text);
  } catch (error) {
    if (error instanceof SignatureError) throw error;
    throw new SignatureError('JWS header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SignatureError('JWS header is not an object');
  const duplicate = duplicateMember(text);
  if (duplicate !== undefined) throw new SignatureError(`JWS header has the member ${JSON.stringify(duplicate)} twice: a header must say one thing to every reader`);
  const h = header as Partial<ProtectedHeader> & { crit?: unknown };
  if (h.alg !== 'EdDSA') throw new SignatureError(`unsupported JWS alg ${JSON.stringify(h.alg)} (expected EdDSA)`);
  if (h.crit !== undefined) throw new SignatureError('JWS header has "crit" extensions this verifier does not understand');
  const jwk = h.jwk;
  if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new SignatureError('JWS header carries no Ed25519 key (jwk with kty "OKP", crv "Ed25519", x)');
  }
  const jwkExtra = unexpectedMembers(jwk, JWK_MEMBERS);
  if (jwkExtra.length > 0) {
    const secret = jwkExtra.includes('d') ? ' (d is a private key: never send it, and make a new key)' : '';
    throw new SignatureError(`JWS header jwk has members other than kty, crv and x: ${jwkExtra.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}${secret}`);
  }
  const extra = unexpectedMembers(h, HEADER_MEMBERS);
  if (extra.length > 0) throw new SignatureError(`JWS header has members other than alg, typ and jwk: ${extra.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`);
  if (h.typ !== JWS_TYPE) throw new SignatureError(`JWS header typ must be ${JSON.stringify(JWS_TYPE)}, got ${JSON.stringify(h.typ)?.slice(0, 60)}`);
  const key = fromB64url(jwk.x, 'JWS header key');
  if (key.length !== 32) throw new SignatureError(`JWS header key is ${key.length} bytes, expected 32`);
  if (encoded !== canonicalHeaderSegment(key)) {
    throw new SignatureError('JWS header is not in canonical form (RFC 8785: members in order, no whitespace, no escapes): sign the run with the llm-speed CLI');
  }
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
  const header = canonicalHeaderSegment(keys.publicKey);
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
  // Re-serialised here, never the client's bytes (headerKey has shown they are the same).
  return { payload: { ...(payload as RunPayload), public_key: publicKey, signature: `${canonicalHeaderSegment(key)}..${encodedSig}` }, publicKey };
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
