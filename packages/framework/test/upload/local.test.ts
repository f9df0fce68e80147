import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, signRun } from '../../src/signing/index.js';
import { LocalRunError, loadLocalRun, saveLocalRun } from '../../src/upload/index.js';
import { cacheDir, configDir, runsDir } from '../../src/paths.js';
import { sampleRun } from '../helpers/sample-run.js';

describe('local run files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-local-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes <started_at with - for :>-<fingerprint_hash>.json, mode 0600, exactly the payload JSON', async () => {
    const signed = await signRun(sampleRun(), await generateKeyPair());
    const path = await saveLocalRun(signed, { runsDir: join(dir, 'runs') });
    assert.equal(path, join(dir, 'runs', '2026-11-24T10-00-00.000Z-a1b2c3d4e5f60708.json'));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), signed);
    assert.deepEqual(await loadLocalRun(path), signed);
    assert.equal(existsSync(path.replace(/\.json$/, '.timings.json')), false);
  });

  it('names strict-anon runs "anon" and keeps raw timings in a sidecar, never in the payload file', async () => {
    const run = sampleRun();
    delete run.fingerprint.fingerprint_hash;
    const path = await saveLocalRun(run, { runsDir: join(dir, 'runs'), rawTimings: [[5.1, 5.2]] });
    assert.ok(path.endsWith('-anon.json'));
    assert.ok(!readFileSync(path, 'utf8').includes('5.1'));
    const sidecar = JSON.parse(readFileSync(path.replace(/\.json$/, '.timings.json'), 'utf8')) as { results: Array<{ raw_timings_ms: number[] }> };
    assert.deepEqual(sidecar.results[0]!.raw_timings_ms, [5.1, 5.2]);
  });

  it('says clearly when a run file is missing or not JSON', async () => {
    await assert.rejects(loadLocalRun(join(dir, 'nope.json')), (e: unknown) => e instanceof LocalRunError && /no saved run at/.test(e.message));
    writeFileSync(join(dir, 'bad.json'), '{"fingerprint": ');
    await assert.rejects(loadLocalRun(join(dir, 'bad.json')), (e: unknown) => e instanceof LocalRunError && /not valid JSON/.test(e.message));
  });

  it('paths follow LLM_SPEED_*_DIR, then XDG, then the home folder', () => {
    assert.equal(configDir({ LLM_SPEED_CONFIG_DIR: '/a', XDG_CONFIG_HOME: '/x' }), '/a');
    assert.equal(configDir({ XDG_CONFIG_HOME: '/x' }), join('/x', 'llm-speed'));
    assert.match(configDir({}), /[\\/]\.config[\\/]llm-speed$/);
    assert.equal(cacheDir({ LLM_SPEED_CACHE_DIR: '/c' }), '/c');
    assert.equal(cacheDir({ XDG_CACHE_HOME: '/y' }), join('/y', 'llm-speed'));
    assert.match(cacheDir({}), /[\\/]\.cache[\\/]llm-speed$/);
    assert.equal(runsDir({ LLM_SPEED_CACHE_DIR: '/c' }), join('/c', 'runs'));
  });
});
