/**
 * `llm-speed self-update`: download suite versions listed in the signed manifest.
 *
 * Order matters for safety: fetch the manifest, verify its signature, then download every new
 * version into a staging folder, check each file against its signed SHA-256 and load the staged
 * suite as `--suite` would; only then rename it into the user suites folder. A failure anywhere
 * leaves nothing behind. A version already installed (shipped or downloaded earlier) is never
 * rewritten: results name their suite version, so its bytes must not change under them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LlmSpeedError, errorMessage } from '../errors.js';
import { SUITES_ROOT, loadSuite } from '../suite/load.js';
import { parseManifest, verifyManifestSignature, type ManifestSuite, type TrustedKey } from './manifest.js';
import { userSuitesDir } from './user-dir.js';

export const DEFAULT_MANIFEST_URL = 'https://llm-speed.com/suites/manifest.json';
const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_FILE_BYTES = 64 << 20;
const FETCH_TIMEOUT_MS = 60_000;

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface UpdateOptions {
  manifestUrl: string;
  trustedKeys: TrustedKey[];
  /** Where new versions go (default: the user suites folder). */
  suitesDir?: string;
  /** Suites shipped with the CLI; versions there are never downloaded (default: the package's suites/). */
  shippedDir?: string;
  fetch?: FetchLike;
  signal?: AbortSignal;
}

export type VersionOutcome =
  | { version: string; status: 'installed'; dir: string; digest: string }
  | { version: string; status: 'unchanged'; dir: string; where: 'shipped' | 'downloaded' }
  | { version: string; status: 'refused'; dir: string; reason: string };

export interface UpdateReport {
  manifestUrl: string;
  suitesDir: string;
  versions: VersionOutcome[];
}

/** The public keys the CLI ships (suites/trust.json); the command trusts only these. */
export function shippedTrustedKeys(file: string = join(SUITES_ROOT, 'trust.json')): TrustedKey[] {
  const trust = JSON.parse(readFileSync(file, 'utf8')) as { keys?: Array<{ kid?: string; public_key?: string }> };
  return (trust.keys ?? []).filter((k) => typeof k.public_key === 'string').map((k) => ({ kid: k.kid, publicKey: k.public_key as string }));
}

/** Manifest URL: flag, else LLM_SPEED_SUITES_URL, else the project's. */
export function manifestUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.LLM_SPEED_SUITES_URL || DEFAULT_MANIFEST_URL;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function download(fetchImpl: FetchLike, url: string, limit: number, what: string, signal?: AbortSignal): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (error) {
    throw new LlmSpeedError('suite-download', `could not download ${what} from ${url}: ${errorMessage(error)}`, {
      cause: error,
      suggestions: ['check your network connection, or pass --manifest-url'],
    });
  }
  if (!response.ok) {
    throw new LlmSpeedError('suite-download', `could not download ${what}: ${url} answered HTTP ${response.status}`, {
      suggestions: ['check the manifest URL (--manifest-url or LLM_SPEED_SUITES_URL)'],
    });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > limit) throw new LlmSpeedError('suite-download', `${what} at ${url} is larger than ${limit} bytes; refusing it`);
  return bytes;
}

/** Every file of an installed suite folder, as manifest paths (suite.json, fixtures/<name>). */
function installedFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (existsSync(join(dir, 'suite.json'))) files.set('suite.json', sha256(readFileSync(join(dir, 'suite.json'))));
  const fixtures = join(dir, 'fixtures');
  if (existsSync(fixtures)) {
    for (const name of readdirSync(fixtures)) files.set(`fixtures/${name}`, sha256(readFileSync(join(fixtures, name))));
  }
  return files;
}

/** Why the manifest's copy of an installed version differs from the installed bytes, or undefined. */
function difference(dir: string, suite: ManifestSuite): string | undefined {
  const installed = installedFiles(dir);
  for (const f of suite.files) {
    const have = installed.get(f.path);
    if (have === undefined) return `${f.path} is not in the installed copy`;
    if (have !== f.sha256) return `${f.path} has SHA-256 ${f.sha256.slice(0, 12)}… in the manifest but ${have.slice(0, 12)}… installed`;
  }
  const listed = new Set(suite.files.map((f) => f.path));
  for (const path of installed.keys()) if (!listed.has(path)) return `the installed ${path} is not in the manifest`;
  return undefined;
}

/** Downloads and checks one version into `staging/<version>`; throws naming the file that failed. */
async function stage(fetchImpl: FetchLike, manifestUrl: string, staging: string, suite: ManifestSuite, signal?: AbortSignal): Promise<string> {
  const dir = join(staging, suite.version);
  for (const file of suite.files) {
    let url: string;
    try {
      url = new URL(file.url, manifestUrl).toString();
    } catch {
      throw new LlmSpeedError('suite-manifest', `${suite.version}/${file.path}: "${file.url}" is not a URL`);
    }
    if (!/^https?:$/.test(new URL(url).protocol)) throw new LlmSpeedError('suite-manifest', `${suite.version}/${file.path}: only http(s) URLs are accepted, got ${url}`);
    const bytes = await download(fetchImpl, url, MAX_FILE_BYTES, `${suite.version}/${file.path}`, signal);
    const actual = sha256(bytes);
    if (actual !== file.sha256) {
      throw new LlmSpeedError(
        'suite-hash',
        `${suite.version}/${file.path} downloaded from ${url} has SHA-256 ${actual}, but the signed manifest says ${file.sha256}; refusing ${suite.version}, nothing was installed`,
        {
          suggestions: ['try again later; if it persists, report it at https://github.com/llm-speed/llm-speed/issues'],
        },
      );
    }
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  // The same checks --suite makes: schema, references, fixture digests pinned in suite.json.
  try {
    return loadSuite(suite.version, { root: staging, userRoot: false }).digest;
  } catch (error) {
    throw new LlmSpeedError('suite-invalid', `${suite.version} from the manifest does not load: ${errorMessage(error)}; nothing was installed`, { cause: error });
  }
}

export async function updateSuites(options: UpdateOptions): Promise<UpdateReport> {
  const fetchImpl: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const suitesDir = options.suitesDir ?? userSuitesDir(process.env);
  const shippedDir = options.shippedDir ?? SUITES_ROOT;

  const raw = await download(fetchImpl, options.manifestUrl, MAX_MANIFEST_BYTES, 'the suite manifest', options.signal);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (error) {
    throw new LlmSpeedError('suite-manifest', `the suite manifest at ${options.manifestUrl} is not JSON (${errorMessage(error)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new LlmSpeedError('suite-manifest', 'the suite manifest is not a JSON object');
  // Signature first: nothing in an unverified manifest is looked at beyond its JSON syntax.
  await verifyManifestSignature(json as Record<string, unknown>, options.trustedKeys);
  const manifest = parseManifest(json);

  const versions: VersionOutcome[] = [];
  const fresh: ManifestSuite[] = [];
  for (const suite of manifest.suites) {
    const shipped = join(shippedDir, suite.version);
    const downloaded = join(suitesDir, suite.version);
    const existing = existsSync(shipped) ? { dir: shipped, where: 'shipped' as const } : existsSync(downloaded) ? { dir: downloaded, where: 'downloaded' as const } : undefined;
    if (existing === undefined) {
      fresh.push(suite);
      continue;
    }
    const why = difference(existing.dir, suite);
    versions.push(
      why === undefined
        ? { version: suite.version, status: 'unchanged', dir: existing.dir, where: existing.where }
        : {
            version: suite.version,
            status: 'refused',
            dir: existing.dir,
            reason: `the manifest's ${suite.version} differs from the ${existing.where} copy (${why}); installed suites never change, so it was left as is`,
          },
    );
  }
  const report = (): UpdateReport => ({ manifestUrl: options.manifestUrl, suitesDir, versions: versions.sort((a, b) => a.version.localeCompare(b.version)) });
  if (fresh.length === 0) return report();

  // Staging lives inside suitesDir so the final rename stays on one filesystem; its dot name is
  // never a suite version, so loadSuite ignores a leftover.
  mkdirSync(suitesDir, { recursive: true });
  const staging = join(suitesDir, `.staging-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging);
  try {
    const digests = new Map<string, string>();
    for (const suite of fresh) digests.set(suite.version, await stage(fetchImpl, options.manifestUrl, staging, suite, options.signal));
    for (const suite of fresh) {
      const target = join(suitesDir, suite.version);
      // renameSync onto an existing non-empty folder fails: a concurrent update cannot be overwritten.
      renameSync(join(staging, suite.version), target);
      versions.push({ version: suite.version, status: 'installed', dir: target, digest: digests.get(suite.version) as string });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return report();
}
