/**
 * The example config (`llm-speed config init`, templates/llm-speed.config.yaml) and driver
 * settings: the example names every key, loads, validates, and stays valid with every example
 * line uncommented; the template is exactly what `config init` writes; a driver's section of the
 * config file, its LLM_SPEED_<NAME>_<KEY> variables and flags are merged and validated against the
 * driver's own schema, with errors that name the driver and the key.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemas } from '@llm-speed/schemas';
import { exampleConfig, EXAMPLE_CONFIG_FILE } from '../../src/config/example.js';
import { driverEnvVar, resolveDriverSettings, unknownDriverSections } from '../../src/config/driver-settings.js';
import { loadConfigFile } from '../../src/config/resolve.js';
import { ValidationError } from '../../src/errors.js';
import { validateFile } from '../../src/tools/validate-files.js';
import { echoDriver } from '../../../../templates/driver-plugin/src/driver.js';

const TEMPLATE = fileURLToPath(new URL('../../../../templates/llm-speed.config.yaml', import.meta.url));

describe('the example config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-example-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('templates/llm-speed.config.yaml is what `config init` writes', () => {
    assert.equal(readFileSync(TEMPLATE, 'utf8'), exampleConfig(), 'regenerate it: node -e "…exampleConfig()" > templates/llm-speed.config.yaml');
  });

  it('names every key of config.schema.json, with its description', () => {
    const text = exampleConfig();
    const properties = (schemas.config as { properties: Record<string, { description?: string }> }).properties;
    for (const key of Object.keys(properties).filter((k) => k !== '$schema')) {
      assert.match(text, new RegExp(`^# ${key}:`, 'm'), `${key} has an example line`);
      assert.ok(text.includes(properties[key]!.description!.split(' ').slice(0, 4).join(' ')), `${key} has its description`);
    }
  });

  it('as written: found in its folder by the CLI, an empty but valid config', async () => {
    writeFileSync(join(dir, EXAMPLE_CONFIG_FILE), exampleConfig());
    const loaded = await loadConfigFile({ cwd: dir });
    assert.equal(loaded.path, join(dir, EXAMPLE_CONFIG_FILE));
    assert.deepEqual(loaded.config, {});
    assert.deepEqual(await validateFile(join(dir, EXAMPLE_CONFIG_FILE)), { file: join(dir, EXAMPLE_CONFIG_FILE), kind: 'config', schema: 'config', valid: true, errors: [] });
  });

  it('with every example line uncommented: still valid, and the driver section valid for its driver', async () => {
    writeFileSync(join(dir, EXAMPLE_CONFIG_FILE), exampleConfig({ uncommented: true }));
    const { config } = await loadConfigFile({ cwd: dir });
    assert.equal(config.mode, 'anon');
    assert.deepEqual(config.workloads, ['W1', 'W2', 'W5']);
    assert.equal(config.matrix?.runs.length, 2);
    const section = (config.drivers as Record<string, unknown>)['openai-compat'];
    const { OPENAI_COMPAT_SETTINGS_SCHEMA } = await import('../../../plugin-openai-compat/src/driver.js');
    assert.deepEqual(resolveDriverSettings({ name: 'openai-compat', settingsSchema: OPENAI_COMPAT_SETTINGS_SCHEMA }, { file: section, env: {} }), {
      base_url: 'http://127.0.0.1:1234/v1',
      exact_output_length: false,
    });
  });
});

describe('driver settings (drivers.<name>, LLM_SPEED_<NAME>_<KEY>, flags)', () => {
  it('maps a driver and key to its variable: upper case, - and . as _', () => {
    assert.equal(driverEnvVar('openai-compat', 'base_url'), 'LLM_SPEED_OPENAI_COMPAT_BASE_URL');
    assert.equal(driverEnvVar('llama.cpp', 'n-gpu.layers'), 'LLM_SPEED_LLAMA_CPP_N_GPU_LAYERS');
    assert.equal(driverEnvVar('echo', 'url'), 'LLM_SPEED_ECHO_URL');
  });

  it("the template's echo driver: its url from the config file, overridden by LLM_SPEED_ECHO_URL, overridden by a flag", () => {
    const file = { url: 'http://127.0.0.1:7001' };
    assert.deepEqual(resolveDriverSettings(echoDriver, { file, env: {} }), { url: 'http://127.0.0.1:7001' });
    assert.deepEqual(resolveDriverSettings(echoDriver, { file, env: { LLM_SPEED_ECHO_URL: 'http://127.0.0.1:7002' } }), { url: 'http://127.0.0.1:7002' });
    assert.deepEqual(resolveDriverSettings(echoDriver, { file, env: { LLM_SPEED_ECHO_URL: 'http://127.0.0.1:7002' }, flags: { url: { value: 'http://127.0.0.1:7003', flag: '--echo-url' } } }), {
      url: 'http://127.0.0.1:7003',
    });
  });

  it('refuses values and keys the driver does not take, naming the driver, the key and where it came from', () => {
    const refused = (layers: Parameters<typeof resolveDriverSettings>[1]) => {
      try {
        resolveDriverSettings(echoDriver, layers);
      } catch (error) {
        assert.ok(error instanceof ValidationError);
        return error.message;
      }
      assert.fail('accepted');
    };
    assert.match(refused({ file: { url: 42 }, env: {} }), /the echo driver's settings is invalid: url: must be string \(from drivers\.echo\.url in the config file\)/);
    assert.match(refused({ file: {}, env: { LLM_SPEED_ECHO_URL: 'not a url' } }), /url: must match format "uri" \(from LLM_SPEED_ECHO_URL\)/);
    assert.match(refused({ file: { ulr: 'http://x' }, env: {} }), /unknown key "ulr" in drivers\.echo \(did you mean "url"\?\)/);
    assert.match(refused({ file: 'http://x', env: {} }), /config file drivers\.echo is invalid: must be an object/);
  });

  it("a driver without a schema gets its config section as it is; a schema that does not compile is the plugin's error", () => {
    assert.deepEqual(resolveDriverSettings({ name: 'plain' }, { file: { anything: 1 }, env: { LLM_SPEED_PLAIN_ANYTHING: '2' } }), { anything: 1 });
    assert.throws(() => resolveDriverSettings({ name: 'broken', settingsSchema: { type: 'no-such-type' } }, { env: {} }), /broken: its settings schema is not a valid JSON Schema/);
  });

  it('a section for a driver that is not installed is named, with the nearest installed one', () => {
    assert.deepEqual(unknownDriverSections({ 'openai-compt': {}, echo: {} }, ['echo', 'openai-compat']), [
      'config file: drivers.openai-compt matches no installed driver (did you mean "openai-compat"?); it is ignored (installed: echo, openai-compat)',
    ]);
  });
});
