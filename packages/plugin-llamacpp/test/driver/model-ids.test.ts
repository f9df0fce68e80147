/** Every identifier listModels() answers is one open() accepts: `llm-speed list-models` output is what users pass to --model. */
import { SUITE_SAMPLING } from '@llm-speed/framework';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { llamaCppDriver } from '../../src/driver.js';
import { SYNTHETIC_KEY } from '../../src/gguf/index.js';
import { collectEvents, llamaBinDir, tempDir, tinyModel } from './helpers.js';

/** A copy of the tiny model that reads as a real checkpoint: its synthetic flag (a GGUF bool after the key) set false. */
function realCopy(from: string, to: string): void {
  const bytes = readFileSync(from);
  const key = Buffer.from(SYNTHETIC_KEY);
  const at = bytes.indexOf(key);
  assert.ok(at > 0 && bytes.readUInt32LE(at + key.length) === 7 && bytes[at + key.length + 4] === 1, 'synthetic flag not where expected');
  bytes[at + key.length + 4] = 0;
  writeFileSync(to, bytes);
}

describe('llama.cpp driver: model identifiers', function () {
  this.timeout(300_000);
  let dir: ReturnType<typeof tempDir>;
  let configured: string;
  const ctx = () => ({
    config: { llama_cpp_path: llamaBinDir(), model: [configured] },
    cacheDir: dir.path,
    env: { PATH: '' },
    signal: new AbortController().signal,
    log: () => undefined,
  });

  before(async () => {
    const tiny = await tinyModel();
    dir = tempDir();
    // A private cache: the shared one may hold large synthetic models that would take minutes to load.
    mkdirSync(join(dir.path, 'models'));
    copyFileSync(tiny, join(dir.path, 'models', 'synth-llama-tiny-Q8_0.gguf'));
    realCopy(tiny, join(dir.path, 'models', 'cached-real.gguf'));
    mkdirSync(join(dir.path, 'elsewhere'));
    configured = join(dir.path, 'elsewhere', 'my-tiny.gguf');
    realCopy(tiny, configured);
  });
  after(() => dir?.remove());

  it('opens every model listModels() lists, by its identifier (the default synthetic one, generated on open)', async () => {
    const models = await llamaCppDriver.listModels(ctx());
    const ids = models.map((m) => m.identifier);
    // The default model bench runs is listed before it exists, saying it is made on first use.
    assert.deepEqual(ids, ['llm-speed/synth-llama-tiny-F16', 'my-tiny', 'cached-real', 'llm-speed/synth-llama-tiny-Q8_0']);
    assert.match(models[0]!.note!, /generates it on first use/);
    for (const id of ids) {
      const session = await llamaCppDriver.open(id, { contextTokens: 256, parallel: 1 }, ctx());
      try {
        assert.equal(session.model.identifier, id);
        const usage = (await collectEvents(session, { prompt: 'Hello', maxTokens: 4, cachePrompt: true, sampling: SUITE_SAMPLING })).find((e) => e.type === 'usage');
        assert.equal(usage?.type === 'usage' && usage.outputTokens, 4, id);
      } finally {
        await session.close();
      }
    }
  });

  it('names what is available when the identifier is unknown', async () => {
    for (const id of ['no-such-model', 'llm-speed/synth-llama-huge-F16']) {
      await assert.rejects(llamaCppDriver.open(id, { contextTokens: 256, parallel: 1 }, ctx()), (error: Error) => {
        assert.equal(error.name, 'DriverError');
        assert.ok(error.message.includes(id), error.message);
        for (const known of ['my-tiny', 'cached-real', 'llm-speed/synth-llama-tiny-Q8_0']) assert.ok(error.message.includes(known), error.message);
        return true;
      });
    }
  });

  it('refuses a synthetic size or quant that does not exist', async () => {
    await assert.rejects(llamaCppDriver.open('synth:huge', { contextTokens: 256, parallel: 1 }, ctx()), (error: Error) => error.name === 'DriverError' && /huge/.test(error.message));
  });
});
