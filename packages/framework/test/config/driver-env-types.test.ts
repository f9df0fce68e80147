/**
 * A driver's LLM_SPEED_<NAME>_<KEY> variables read as the type its settings schema declares
 * (DRIVERS.md "Settings"): an environment variable is always text, so a boolean, number, list or
 * object setting must be converted before the schema judges it, and text that is none of those must
 * reach the schema unchanged so that its error names the variable. Found by the config mutation
 * area (issue 27): none of this was reached by a test.
 */
import assert from 'node:assert/strict';
import { resolveDriverSettings, unknownDriverSections } from '../../src/config/driver-settings.js';
import { DriverError, ValidationError } from '../../src/errors.js';

const driver = {
  name: 'my-engine',
  settingsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      verbose: { type: 'boolean' },
      threads: { type: 'integer', minimum: 1 },
      scale: { type: 'number' },
      devices: { type: 'array', items: { type: 'string' } },
      extra: { type: 'object' },
      host: { type: 'string' },
      anything: {},
    },
  },
};
const fromEnv = (env: Record<string, string>) => resolveDriverSettings(driver, { env });

/** The ValidationError's lines, to read which key, variable or flag it names. */
function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValidationError, `a ValidationError, got ${String(error)}`);
    return error.message + '\n' + (error.problems ?? []).join('\n');
  }
  assert.fail('expected a ValidationError');
}

describe('driver settings from the environment, by the schema type', () => {
  it('booleans: 1/true/yes/on and 0/false/no/off in any case, nothing else', () => {
    for (const word of ['1', 'true', 'TRUE', 'yes', 'On']) assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_VERBOSE: word }), { verbose: true }, word);
    for (const word of ['0', 'false', 'No', 'OFF']) assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_VERBOSE: word }), { verbose: false }, word);
    // Whole words only: "yesterday" and "noon" are neither, so the schema refuses them by the variable's name.
    for (const word of ['yesterday', 'noon', 'true1', 'xon']) {
      assert.match(
        problemsOf(() => fromEnv({ LLM_SPEED_MY_ENGINE_VERBOSE: word })),
        /verbose.*boolean.*LLM_SPEED_MY_ENGINE_VERBOSE/s,
        word,
      );
    }
  });

  it('numbers and integers: a finite number is converted; blank or other text is refused naming the variable', () => {
    assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_THREADS: '8' }), { threads: 8 });
    assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_SCALE: '0.25' }), { scale: 0.25 });
    assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_SCALE: '-3e2' }), { scale: -300 });
    // Number(' ') is 0 in JavaScript: a blank value must not become 0 threads or scale 0.
    assert.match(
      problemsOf(() => fromEnv({ LLM_SPEED_MY_ENGINE_SCALE: '   ' })),
      /scale.*number.*LLM_SPEED_MY_ENGINE_SCALE/s,
    );
    assert.match(
      problemsOf(() => fromEnv({ LLM_SPEED_MY_ENGINE_THREADS: 'eight' })),
      /threads.*LLM_SPEED_MY_ENGINE_THREADS/s,
    );
    assert.match(
      problemsOf(() => fromEnv({ LLM_SPEED_MY_ENGINE_SCALE: 'Infinity' })),
      /scale.*LLM_SPEED_MY_ENGINE_SCALE/s,
    );
    // Converted, then judged by the schema: 0 threads is below its minimum of 1.
    assert.match(
      problemsOf(() => fromEnv({ LLM_SPEED_MY_ENGINE_THREADS: '0' })),
      /threads.*>= 1.*LLM_SPEED_MY_ENGINE_THREADS/s,
    );
  });

  it('lists: comma-separated, each item trimmed, empty items dropped', () => {
    assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_DEVICES: ' cuda:0 ,cuda:1,, ' }), { devices: ['cuda:0', 'cuda:1'] });
    assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_DEVICES: 'cpu' }), { devices: ['cpu'] });
  });

  it('objects: JSON text; anything else is refused naming the variable', () => {
    assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_EXTRA: '{"a": 1, "b": [true]}' }), { extra: { a: 1, b: [true] } });
    assert.match(
      problemsOf(() => fromEnv({ LLM_SPEED_MY_ENGINE_EXTRA: '{a: 1}' })),
      /extra.*object.*LLM_SPEED_MY_ENGINE_EXTRA/s,
    );
  });

  it('strings and untyped keys stay text, exactly as set; an empty variable is not set', () => {
    assert.deepEqual(fromEnv({ LLM_SPEED_MY_ENGINE_HOST: ' 127.0.0.1 ', LLM_SPEED_MY_ENGINE_ANYTHING: 'true' }), { host: ' 127.0.0.1 ', anything: 'true' });
    assert.deepEqual(resolveDriverSettings(driver, { file: { host: 'from-file' }, env: { LLM_SPEED_MY_ENGINE_HOST: '' } }), { host: 'from-file' });
  });

  it('says where a bad value came from: the config file, the variable or the flag', () => {
    assert.match(
      problemsOf(() => resolveDriverSettings(driver, { file: { threads: 'x' }, env: {} })),
      /threads.*drivers\.my-engine\.threads in the config file/s,
    );
    assert.match(
      problemsOf(() => resolveDriverSettings(driver, { env: {}, flags: { threads: { value: -1, flag: '--my-engine-threads' } } })),
      /threads.*--my-engine-threads/s,
    );
    assert.match(
      problemsOf(() => resolveDriverSettings(driver, { file: { thread: 2 }, env: {} })),
      /unknown key "thread" in drivers\.my-engine \(did you mean "threads"\?\)/,
    );
  });

  it('refuses a section that is not an object, and a driver whose schema is not a JSON Schema', () => {
    for (const file of [null, 'text', [1]])
      assert.match(
        problemsOf(() => resolveDriverSettings(driver, { file, env: {} })),
        /drivers\.my-engine.*must be an object of settings/s,
      );
    assert.throws(
      () => resolveDriverSettings({ name: 'broken', settingsSchema: { type: 'no-such-type' } }, { file: {}, env: {} }),
      (error: unknown) => error instanceof DriverError && /settings schema is not a valid JSON Schema/.test(error.message),
    );
  });

  it('a config section for a driver that is not installed is named, with the nearest installed name', () => {
    assert.deepEqual(unknownDriverSections({ 'my-engin': {}, 'my-engine': {} }, ['my-engine', 'ollama']), [
      'config file: drivers.my-engin matches no installed driver (did you mean "my-engine"?); it is ignored (installed: my-engine, ollama)',
    ]);
    assert.deepEqual(unknownDriverSections(undefined, ['ollama']), []);
  });
});
