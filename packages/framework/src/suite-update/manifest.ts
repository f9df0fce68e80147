/**
 * The signed suite manifest read by `llm-speed self-update`, and its signature check.
 *
 * Shape: { manifest_version: 1, suites: [{ version, files: [{ path, sha256, url }] }], signature }.
 * `path` is where the file goes inside the suite folder (suite.json or fixtures/<name>); `url` is
 * resolved against the manifest's own URL. `signature` is a detached JWS (RFC 7515 appendix F):
 * `<b64url header>..<b64url signature>` with alg EdDSA (Ed25519), over the RFC 8785 canonical JSON
 * of the manifest without its `signature` field — so the manifest's formatting never matters.
 */
import { signAsync } from '@noble/ed25519';
import { LlmSpeedError } from '../errors.js';
import { canonicalize, verifyEd25519 } from '../signing/index.js';

export interface ManifestFile {
  path: string;
  sha256: string;
  url: string;
}

export interface ManifestSuite {
  version: string;
  files: ManifestFile[];
}

export interface SuiteManifest {
  manifest_version: 1;
  suites: ManifestSuite[];
  signature?: string;
  [key: string]: unknown;
}

export interface TrustedKey {
  kid?: string;
  /** Raw 32-byte Ed25519 public key, base64 (standard or url alphabet). */
  publicKey: string;
}

export const VERSION_PATTERN = /^suite-v[0-9]+(-[a-z0-9]+)?$/;
const FILE_PATH = /^(suite\.json|fixtures\/[A-Za-z0-9][A-Za-z0-9._-]{0,127})$/;
const SHA256 = /^[0-9a-f]{64}$/;

function refused(message: string, suggestions: string[] = []): LlmSpeedError {
  return new LlmSpeedError('suite-manifest', message, {
    suggestions: suggestions.length ? suggestions : ['nothing was installed; check the manifest URL, or try again later'],
  });
}

/** Checks the manifest's shape; every problem is named with its JSON path. */
export function parseManifest(value: unknown): SuiteManifest {
  const problems: string[] = [];
  const m = value as Partial<SuiteManifest> | null;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw refused('the suite manifest is not a JSON object');
  if (m.manifest_version !== 1) problems.push(`/manifest_version: expected 1, got ${JSON.stringify(m.manifest_version)}`);
  if (!Array.isArray(m.suites)) problems.push('/suites: expected an array');
  const seen = new Set<string>();
  (Array.isArray(m.suites) ? m.suites : []).forEach((s, i) => {
    if (typeof s?.version !== 'string' || !VERSION_PATTERN.test(s.version)) problems.push(`/suites/${i}/version: expected suite-v<N>[-tag], got ${JSON.stringify(s?.version)}`);
    else if (seen.has(s.version)) problems.push(`/suites/${i}/version: ${s.version} is listed twice`);
    else seen.add(s.version);
    if (!Array.isArray(s?.files) || s.files.length === 0) {
      problems.push(`/suites/${i}/files: expected a non-empty array`);
      return;
    }
    const paths = new Set<string>();
    s.files.forEach((f, j) => {
      const at = `/suites/${i}/files/${j}`;
      if (typeof f?.path !== 'string' || !FILE_PATH.test(f.path)) problems.push(`${at}/path: expected suite.json or fixtures/<name>, got ${JSON.stringify(f?.path)}`);
      else if (paths.has(f.path)) problems.push(`${at}/path: ${f.path} is listed twice`);
      else paths.add(f.path);
      if (typeof f?.sha256 !== 'string' || !SHA256.test(f.sha256)) problems.push(`${at}/sha256: expected 64 lowercase hex digits`);
      if (typeof f?.url !== 'string' || f.url.length === 0) problems.push(`${at}/url: expected a URL`);
    });
    if (!paths.has('suite.json')) problems.push(`/suites/${i}/files: suite.json is missing`);
  });
  if (problems.length > 0) throw refused(`the suite manifest is malformed: ${problems.join('; ')}`);
  return m as SuiteManifest;
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

/** Verifies the detached JWS against the trusted keys; throws a refusal naming what failed. */
export async function verifyManifestSignature(manifest: Record<string, unknown>, trustedKeys: TrustedKey[]): Promise<void> {
  const signature = manifest.signature;
  if (signature === undefined) throw refused('the suite manifest is unsigned (it has no "signature"); refusing it');
  if (typeof signature !== 'string') throw refused('the suite manifest\'s "signature" is not a string; refusing it');
  const parts = signature.split('.');
  if (parts.length !== 3 || parts[1] !== '' || !parts[0] || !parts[2]) {
    throw refused('the suite manifest\'s signature is not a detached JWS ("<header>..<signature>"); refusing it');
  }
  const [encodedHeader, , encodedSignature] = parts as [string, string, string];
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8')) as typeof header;
  } catch {
    throw refused("the suite manifest's signature header is not base64url JSON; refusing it");
  }
  if (header.alg !== 'EdDSA') throw refused(`the suite manifest is signed with alg ${JSON.stringify(header.alg)}; only EdDSA is accepted`);
  const candidates = typeof header.kid === 'string' && trustedKeys.some((k) => k.kid === header.kid) ? trustedKeys.filter((k) => k.kid === header.kid) : trustedKeys;
  if (candidates.length === 0) throw refused('no trusted suite key is configured; refusing the manifest');

  const { signature: _omitted, ...unsigned } = manifest;
  const payload = Buffer.from(canonicalize(unsigned), 'utf8').toString('base64url');
  const signingInput = new TextEncoder().encode(`${encodedHeader}.${payload}`);
  const sig = fromBase64(encodedSignature);
  for (const key of candidates) {
    const pub = fromBase64(key.publicKey);
    if (pub.length !== 32 || sig.length !== 64) continue;
    if (verifyEd25519(sig, signingInput, pub)) return;
  }
  throw refused(
    `the suite manifest's signature does not verify with the trusted suite key${candidates.length > 1 ? 's' : ''}${typeof header.kid === 'string' ? ` (signed as kid ${header.kid})` : ''}: it was tampered with or signed by someone else; refusing it`,
  );
}

/**
 * The maintainers' side of the same check (scripts/suite-manifest.mjs): a detached EdDSA JWS over
 * the canonical manifest without its signature, so verifyManifestSignature accepts exactly this.
 */
export async function signManifest(manifest: Record<string, unknown>, secretKey: Uint8Array, kid: string): Promise<Record<string, unknown>> {
  const { signature: _previous, ...unsigned } = manifest;
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid }), 'utf8').toString('base64url');
  const payload = Buffer.from(canonicalize(unsigned), 'utf8').toString('base64url');
  const signature = await signAsync(new TextEncoder().encode(`${header}.${payload}`), secretKey);
  return { ...unsigned, signature: `${header}..${Buffer.from(signature).toString('base64url')}` };
}
