import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matrixInvocations } from '../../src/config/matrix.js';
import { loadConfigFile, resolveSettings, settingsFromEnv } from '../../src/config/resolve.js';
import { SETTINGS, envVarFor } from '../../src/config/settings.js';
import { schemas } from '@llm-speed/schemas';
import type { LlmSpeedConfig } from '../../src/contract/generated/config.js';

describe('config resolution', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('every config key has an LLM_SPEED_* variable (one table, checked against the schema)', () => {
    // Sections: drivers (each driver's own variables), energy (config/energy.ts, tested there), matrix (none).
    const schemaKeys = Object.keys((schemas.config as { properties: object }).properties).filter((k) => k !== '$schema' && k !== 'matrix' && k !== 'drivers' && k !== 'energy');
    assert.deepEqual(Object.keys(SETTINGS).sort(), schemaKeys.sort());
    assert.equal(envVarFor('api_url'), 'LLM_SPEED_API_URL');
  });

  it('precedence is flag > env > config > default, key by key', async () => {
    writeFileSync(join(dir, 'llm-speed.config.json'), JSON.stringify({ api_url: 'http://file.example', backend: 'ollama', mode: 'anon', suite: 'suite-v1' }));
    const env = { LLM_SPEED_API_URL: 'http://env.example', LLM_SPEED_BACKEND: 'vllm' };
    const { settings, configPath } = await resolveSettings({
      cwd: dir,
      env,
      flags: { backend: 'llama.cpp', model: undefined },
      defaults: { api_url: 'http://default.example', model: 'default-model', upload: true },
    });
    assert.equal(configPath, join(dir, 'llm-speed.config.json'));
    assert.equal(settings.backend, 'llama.cpp'); // flag beats env and file
    assert.equal(settings.api_url, 'http://env.example'); // env beats file and default
    assert.equal(settings.mode, 'anon'); // file beats default
    assert.equal(settings.model, 'default-model'); // an undefined flag does not mask lower layers
    assert.equal(settings.upload, true);
  });

  it('reads YAML rc files and the package.json key', async () => {
    writeFileSync(join(dir, '.llm-speedrc.yaml'), 'mode: strict-anon\nworkloads: [W1, W2]\n');
    assert.deepEqual((await loadConfigFile({ cwd: dir })).config, { mode: 'strict-anon', workloads: ['W1', 'W2'] });
    rmSync(join(dir, '.llm-speedrc.yaml'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', 'llm-speed': { backend: 'ollama' } }));
    assert.deepEqual((await loadConfigFile({ cwd: dir })).config, { backend: 'ollama' });
  });

  it('refuses a typo in a key, naming the file and the key path', async () => {
    const file = join(dir, 'llm-speed.config.json');
    writeFileSync(file, JSON.stringify({ matrix: { runs: [{ backend: 'ollama', modles: ['x'] }] } }));
    await assert.rejects(loadConfigFile({ file }), (e: Error) => {
      assert.match(e.message, new RegExp(`config file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is invalid`));
      assert.match(e.message, /\/matrix\/runs\/0: unexpected field "modles" \(did you mean "models"\?\)/);
      return true;
    });
  });

  it('names the variable when an env value is malformed', () => {
    assert.deepEqual(settingsFromEnv({ LLM_SPEED_UPLOAD: 'no', LLM_SPEED_WORKLOADS: 'W1, W2' }), { upload: false, workloads: ['W1', 'W2'] });
    assert.throws(() => settingsFromEnv({ LLM_SPEED_MODE: 'sneaky' }), /LLM_SPEED_MODE: must be equal to one of the allowed values/);
    assert.throws(() => settingsFromEnv({ LLM_SPEED_UPLOAD: 'maybe' }), /LLM_SPEED_UPLOAD: must be boolean/);
  });

  it('a matrix becomes one invocation per backend × model; --backend overrides it', () => {
    const file: LlmSpeedConfig = { matrix: { runs: [{ backend: 'llama.cpp', models: ['a.gguf', 'b.gguf'], workloads: ['W1'] }, { backend: 'ollama' }] } };
    assert.deepEqual(matrixInvocations(file, { workloads: ['W2'] }, {}), [
      { backend: 'llama.cpp', model: 'a.gguf', workloads: ['W1'] },
      { backend: 'llama.cpp', model: 'b.gguf', workloads: ['W1'] },
      { backend: 'ollama', model: undefined, workloads: ['W2'] },
    ]);
    assert.deepEqual(matrixInvocations(file, { backend: 'vllm' }, { backendFlag: 'vllm' }), [{ backend: 'vllm', model: undefined, workloads: undefined }]);
  });
});
