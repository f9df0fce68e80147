/**
 * `llm-speed engine install`: downloads node-llama-cpp's GPU build for this machine from the npm
 * registry (the same tarballs `npm install node-llama-cpp` would fetch), checks each against its
 * pinned sha512 integrity before anything is unpacked, and unpacks it into the data folder
 * (store.ts). Everything is staged in a sibling folder and renamed into place only when complete,
 * so a failed or interrupted install leaves nothing half-made and the previous install intact.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LlmSpeedError, errorMessage, getJson } from '@llm-speed/framework';
import { extract } from 'tar';
import type { EngineBuild, EnginePackage } from './packages.js';
import { ENGINE_MARKER, engineFolder, packageFolder, type InstalledEngine } from './store.js';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

/** Why an install failed, in words a user can act on; `code` tells the kinds apart (tests, scripts). */
export class EngineInstallError extends LlmSpeedError {
  constructor(
    readonly reason: 'offline' | 'integrity' | 'no-space' | 'not-published' | 'registry',
    message: string,
    suggestions: string[] = [],
  ) {
    super('engine', message, { suggestions });
    this.name = 'EngineInstallError';
  }
}

/** The registry to fetch from: --registry, LLM_SPEED_NPM_REGISTRY, npm's own npm_config_registry, then npmjs.org. */
export function registryUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = flag ?? env.LLM_SPEED_NPM_REGISTRY ?? env.npm_config_registry ?? DEFAULT_REGISTRY;
  return url.endsWith('/') ? url : `${url}/`;
}

interface Packument {
  versions?: Record<string, { dist?: { tarball?: string; integrity?: string; unpackedSize?: number } }>;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: string }).code;
    if (code && NETWORK_CODES.has(code)) return code;
  }
  return undefined;
}

function offline(registry: string, error: unknown): EngineInstallError {
  return new EngineInstallError('offline', `cannot reach the npm registry at ${registry} (${networkCode(error) ?? errorMessage(error)}): nothing was installed`, [
    'check the network connection, then run the command again',
    'or name a registry mirror that is reachable: --registry <url> (LLM_SPEED_NPM_REGISTRY)',
  ]);
}

function isNoSpace(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) if ((e as { code?: string }).code === 'ENOSPC') return true;
  return false;
}

function noSpace(folder: string, needed: number, free?: number): EngineInstallError {
  const mb = (n: number) => `${Math.ceil(n / 1e6)} MB`;
  return new EngineInstallError('no-space', `not enough disk space in ${folder}: the engine needs about ${mb(needed)}${free !== undefined ? `, ${mb(free)} free` : ''}; nothing was installed`, [
    'free some space, then run the command again',
    'or install into another disk: set LLM_SPEED_DATA_DIR to a folder there',
  ]);
}

async function freeBytes(folder: string): Promise<number | undefined> {
  try {
    const s = await statfs(folder);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

async function tarballOf(registry: string, pkg: EnginePackage, version: string): Promise<{ url: string; integrity: string; unpackedBytes?: number }> {
  const url = `${registry}${pkg.name.replace('/', '%2f')}`;
  let packument: Packument;
  try {
    packument = await getJson<Packument>(url, { headersTimeoutMs: 30_000, headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' } });
  } catch (error) {
    if (networkCode(error)) throw offline(registry, error);
    const status = (error as { status?: number }).status;
    if (status === 404) throw new EngineInstallError('not-published', `${pkg.name} is not on the registry ${registry}`, ['check --registry: the package is published on https://registry.npmjs.org/']);
    throw new EngineInstallError('registry', `the registry ${registry} did not answer for ${pkg.name}: ${errorMessage(error)}`);
  }
  const dist = packument.versions?.[version]?.dist;
  if (!dist?.tarball || !(pkg.integrity ?? dist.integrity)) {
    throw new EngineInstallError('not-published', `${pkg.name}@${version} (the build for node-llama-cpp ${version}) is not on the registry ${registry}`, [
      'the GPU build is published with each node-llama-cpp release: check --registry',
    ]);
  }
  return { url: dist.tarball, integrity: pkg.integrity ?? dist.integrity!, unpackedBytes: pkg.unpackedBytes ?? dist.unpackedSize };
}

/** Streams the tarball to a file, hashing as it goes; resolves the sha512 integrity of what arrived. */
async function download(url: string, file: string, onBytes: (n: number) => void, registry: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30 * 60_000) });
  } catch (error) {
    throw offline(registry, error);
  }
  if (!response.ok || !response.body) throw new EngineInstallError('registry', `downloading ${url} failed: HTTP ${response.status}`);
  const hash = createHash('sha512');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), tap, createWriteStream(file));
  } catch (error) {
    if (isNoSpace(error)) throw error;
    throw offline(registry, error);
  }
  return `sha512-${hash.digest('base64')}`;
}

export interface InstallOptions {
  build: EngineBuild;
  nodeLlamaCppVersion: string;
  registry: string;
  env?: NodeJS.ProcessEnv;
  /** One line per step (what is fetched, from where, how big). */
  log?: (line: string) => void;
}

export async function installEngine(options: InstallOptions): Promise<InstalledEngine> {
  const { build, nodeLlamaCppVersion: version, registry } = options;
  const log = options.log ?? (() => undefined);
  const target = engineFolder(version, options.env);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const sources = await Promise.all(build.packages.map(async (pkg) => ({ pkg, ...(await tarballOf(registry, pkg, version)) })));

  // Room for the tarballs and what they unpack to, before a byte is fetched.
  const needed = build.packages.reduce((sum, p, i) => sum + (p.tarballBytes ?? 0) + (sources[i]!.unpackedBytes ?? 0), 0);
  const free = await freeBytes(parent);
  if (free !== undefined && needed > free) throw noSpace(parent, needed, free);

  const staging = await mkdtemp(join(parent, `.staging-${version}-`));
  try {
    const installed: InstalledEngine['packages'] = [];
    for (const { pkg, url, integrity } of sources) {
      const file = join(staging, `${pkg.name.replace('/', '-')}.tgz`);
      log(`downloading ${pkg.name}@${version}${pkg.tarballBytes ? ` (${Math.round(pkg.tarballBytes / 1e6)} MB)` : ''} from ${registry}`);
      let last = 0;
      let got = 0;
      const actual = await download(
        url,
        file,
        (n) => {
          got += n;
          // One line per 10% where the size is known: a terminal sees progress, a log stays short.
          const step = pkg.tarballBytes ? Math.floor((got / pkg.tarballBytes) * 10) : 0;
          if (step > last && step < 10) log(`  ${step * 10}%`);
          last = Math.max(last, step);
        },
        registry,
      );
      if (actual !== integrity) {
        throw new EngineInstallError(
          'integrity',
          `${pkg.name}@${version} from ${registry} does not match its pinned integrity (got ${actual.slice(0, 24)}…, want ${integrity.slice(0, 24)}…): nothing was installed`,
          ['the registry (or a proxy in between) served other bytes than the release was tested with; try again, or another registry'],
        );
      }
      await mkdir(packageFolder(staging, pkg.name), { recursive: true });
      await extract({ file, cwd: packageFolder(staging, pkg.name), strip: 1 });
      await rm(file);
      installed.push({ name: pkg.name, version, integrity });
    }
    const marker = { gpu: build.gpu, nodeLlamaCppVersion: version, packages: installed };
    await writeFile(join(staging, ENGINE_MARKER), JSON.stringify(marker, null, 2));
    // Replaces an earlier install of this version only now that the new one is complete.
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    log(`installed the ${build.gpu.toUpperCase()} build of node-llama-cpp ${version} in ${target}`);
    return { ...marker, folder: target, bytes: 0 };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (isNoSpace(error)) throw noSpace(parent, needed);
    throw error;
  }
}
