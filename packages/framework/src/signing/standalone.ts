/**
 * The standalone build (scripts/pack-standalone.mjs): an archive holding Node, the CLI installed
 * under lib/node_modules/llm-speed, standalone.json and files.sha256. `llm-speed verify` says it
 * is one, which Node it carries, and whether every file is still the one the archive held; the
 * archive's own SHA-256 cannot be inside it, so install.sh records the one it checked in
 * `.archive-sha256` beside them.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface StandaloneBuild {
  target: string;
  node_version: string;
  node_package: string;
  node_integrity: string;
  /** The commit the archive's CLI was packed from (its build-info.json). */
  commit: string;
  /** SHA-256 of the archive as install.sh checked it against SHA256SUMS; null when unpacked by hand. */
  archive_sha256: string | null;
  /** Files listed in files.sha256, and those whose bytes no longer match (missing ones included). */
  files_checked: number;
  files_changed: string[];
}

/** The archive's top folder, seen from the CLI package folder (<root>/lib/node_modules/llm-speed). */
export function standaloneRoot(cliPackageDir: string): string {
  return resolve(cliPackageDir, '..', '..', '..');
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What pack-standalone.mjs hashed for a path: the bytes, or for a link "symlink:<target>". */
function fileDigest(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? sha256(`symlink:${readlinkSync(path)}`) : sha256(readFileSync(path));
  } catch {
    return null;
  }
}

/** The standalone build this CLI runs from, or null for an npm install or a checkout. */
export function standaloneBuild(cliPackageDir: string): StandaloneBuild | null {
  const root = standaloneRoot(cliPackageDir);
  const manifestPath = join(root, 'standalone.json');
  if (!existsSync(manifestPath)) return null;
  let manifest: { kind?: unknown; target?: unknown; commit?: unknown; node?: { version?: unknown; package?: unknown; integrity?: unknown } };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as typeof manifest;
  } catch {
    return null;
  }
  if (manifest.kind !== 'llm-speed-standalone') return null;
  const text = (v: unknown) => (typeof v === 'string' ? v : 'unknown');
  const listed = existsSync(join(root, 'files.sha256')) ? readFileSync(join(root, 'files.sha256'), 'utf8').split('\n').filter(Boolean) : [];
  const changed: string[] = [];
  for (const line of listed) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!match) continue;
    if (fileDigest(join(root, match[2]!)) !== match[1]) changed.push(match[2]!);
  }
  const recorded = existsSync(join(root, '.archive-sha256')) ? readFileSync(join(root, '.archive-sha256'), 'utf8').trim() : '';
  return {
    target: text(manifest.target),
    node_version: text(manifest.node?.version),
    node_package: text(manifest.node?.package),
    node_integrity: text(manifest.node?.integrity),
    commit: text(manifest.commit),
    archive_sha256: /^[0-9a-f]{64}$/.test(recorded) ? recorded : null,
    files_checked: listed.length,
    files_changed: changed,
  };
}
