/**
 * Suite digests: what a result's `suite_digest` means, defined once.
 *
 * suite_digest = SHA-256 (lower-case hex) of the ASCII text made of one line per file,
 *
 *     <file name> NUL <SHA-256 hex of the file's bytes> LF
 *
 * first for `suite.json`, then for every fixture listed in its `fixtures` map, sorted by name
 * (code-unit order). suite.json carries the output lengths, batch sizes, tier lengths, headers and
 * the pinned fixture digests, so changing any prompt byte or any output length changes the digest.
 */
import { createHash } from 'node:crypto';

export const SUITE_FILE = 'suite.json';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `files` maps each file name (suite.json and the fixtures) to the SHA-256 hex of its bytes. */
export function suiteDigest(suiteJsonSha256: string, fixtureSha256: Record<string, string>): string {
  const lines = [`${SUITE_FILE}\0${suiteJsonSha256}\n`];
  for (const name of Object.keys(fixtureSha256).sort()) lines.push(`${name}\0${fixtureSha256[name]}\n`);
  return sha256Hex(lines.join(''));
}
