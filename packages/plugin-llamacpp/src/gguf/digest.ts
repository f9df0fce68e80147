import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ggufError } from './reader.js';

/**
 * model.digest is the SHA-256 of every byte of the weights file, as 64 lowercase hex digits: the
 * same number `sha256sum model.gguf` prints, so anyone can check it without llm-speed.
 * Hashing 40 GB takes minutes, so results are cached by absolute path + size + mtime.
 */
const CACHE_FILE = 'digests.json';

interface DigestCache {
  version: 1;
  entries: Record<string, { size: number; mtimeMs: number; sha256: string }>;
}

export interface DigestOptions {
  /** Called when the file is actually hashed (not served from the cache). */
  onHash?: (path: string) => void;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 4 << 20 }), hash);
  return hash.digest('hex');
}

export async function modelDigest(path: string, cacheDir: string, options: DigestOptions = {}): Promise<string> {
  const absolute = resolve(path);
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    throw ggufError(absolute, 'file not found, so its digest cannot be computed', error);
  }
  const cachePath = join(cacheDir, CACHE_FILE);
  const cache = await loadCache(cachePath);
  const hit = cache.entries[absolute];
  if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs && /^[0-9a-f]{64}$/.test(hit.sha256)) return hit.sha256;

  options.onHash?.(absolute);
  const sha256 = await sha256File(absolute);
  // Re-read before writing so digests another process stored meanwhile are kept.
  const latest = await loadCache(cachePath);
  latest.entries[absolute] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${cachePath}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(latest, null, 1));
  await rename(tmp, cachePath);
  return sha256;
}

async function loadCache(cachePath: string): Promise<DigestCache> {
  try {
    const parsed = JSON.parse(await readFile(cachePath, 'utf8')) as DigestCache;
    if (parsed?.version === 1 && parsed.entries && typeof parsed.entries === 'object') return parsed;
  } catch {
    // Missing or damaged cache: start a fresh one; it only costs a re-hash.
  }
  return { version: 1, entries: {} };
}
