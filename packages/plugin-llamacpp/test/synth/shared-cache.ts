import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSynthModel, type SynthQuant } from '../../src/synth/index.js';

/**
 * One cache folder for all synth tests in this process, so the tokenizer is extracted and each
 * tiny model generated only once; removed when the process exits.
 */
let dir: string | undefined;
export function sharedCacheDir(): string {
  if (!dir) {
    const created = mkdtempSync(join(tmpdir(), 'llm-speed-synth-'));
    dir = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}

export function tinyModel(quant: SynthQuant): Promise<string> {
  return ensureSynthModel({ size: 'tiny', quant, cacheDir: sharedCacheDir() });
}
