import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelDigest } from '../../src/gguf/index.js';

describe('model digest', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-speed-digest-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is the SHA-256 of the whole file, hashed once and then served from the cache until the file changes', async () => {
    const path = join(dir, 'weights.gguf');
    const cacheDir = join(dir, 'cache');
    const content = Buffer.alloc(3 << 20, 7);
    await writeFile(path, content);
    let hashes = 0;
    const onHash = (): void => {
      hashes++;
    };

    const first = await modelDigest(path, cacheDir, { onHash });
    assert.equal(first, createHash('sha256').update(content).digest('hex'));
    assert.equal(hashes, 1);

    assert.equal(await modelDigest(path, cacheDir, { onHash }), first);
    assert.equal(hashes, 1, 'second call must come from the cache');
    const cache = JSON.parse(await readFile(join(cacheDir, 'digests.json'), 'utf8'));
    assert.equal(cache.entries[path].sha256, first);

    // Same size, new content and mtime: the cache entry no longer matches.
    const changed = Buffer.alloc(3 << 20, 8);
    await writeFile(path, changed);
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    assert.equal(await modelDigest(path, cacheDir, { onHash }), createHash('sha256').update(changed).digest('hex'));
    assert.equal(hashes, 2);

    // Different size invalidates too.
    await writeFile(path, Buffer.concat([changed, Buffer.from('x')]));
    await modelDigest(path, cacheDir, { onHash });
    assert.equal(hashes, 3);
  });
});
