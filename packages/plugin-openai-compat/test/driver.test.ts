/**
 * The openai-compat driver's own rules, against the framework's OpenAI-compatible stand-in server:
 * unconfigured it is never detected (and says how to configure it), it is never picked over a
 * local engine, its settings come from the config file, LLM_SPEED_OPENAI_COMPAT_* variables and
 * flags through the framework (validated against its schema, errors naming it), and close()
 * stops a stream still running.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { chooseDriver, driverContextFor, ValidationError, type DetectedDriver, type Driver, type DriverContext } from '@llm-speed/framework';
import { openAiBackendRoutes, startReplayServer, type ReplayServer } from '@llm-speed/framework/testing';
import { NOT_CONFIGURED, openAiCompatDriver } from '../src/index.js';

const MODEL = 'local-model';

function baseContext(config: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): DriverContext {
  return { config, cacheDir: tmpdir(), env, signal: new AbortController().signal, log: () => undefined };
}

describe('openai-compat driver', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer(openAiBackendRoutes({ model: MODEL, honours: ['ignore_eos'], firstTokenMs: 5, tokenMs: 20 }));
  });
  after(() => server.close());

  it('unconfigured: not detected, probes nothing, and says where to set the base URL', async () => {
    const before = server.requests.length;
    const detection = await openAiCompatDriver.detect(driverContextFor(openAiCompatDriver, baseContext()));
    assert.deepEqual(detection, { name: 'openai-compat', available: false, reason: NOT_CONFIGURED });
    assert.match(detection.reason!, /drivers\.openai-compat\.base_url.*LLM_SPEED_OPENAI_COMPAT_BASE_URL.*--openai-compat-url/);
    assert.equal(server.requests.length, before);
    assert.deepEqual(await openAiCompatDriver.listModels(driverContextFor(openAiCompatDriver, baseContext())), []);
  });

  it('takes its base URL from the config file, the environment or a flag, in that order of precedence', async () => {
    const file = { drivers: { 'openai-compat': { base_url: 'http://127.0.0.1:9/v1' } } };
    const fromFile = driverContextFor(openAiCompatDriver, baseContext(file));
    assert.equal(fromFile.settings!.base_url, 'http://127.0.0.1:9/v1');
    const fromEnv = driverContextFor(openAiCompatDriver, baseContext(file, { LLM_SPEED_OPENAI_COMPAT_BASE_URL: server.url, LLM_SPEED_OPENAI_COMPAT_EXACT_OUTPUT_LENGTH: 'true' }));
    assert.deepEqual(fromEnv.settings, { base_url: server.url, exact_output_length: true });
    const fromFlag = driverContextFor(openAiCompatDriver, baseContext(file, { LLM_SPEED_OPENAI_COMPAT_BASE_URL: 'http://127.0.0.1:9' }), {
      base_url: { value: `${server.url}/v1`, flag: '--openai-compat-url' },
    });
    assert.equal(fromFlag.settings!.base_url, `${server.url}/v1`);
    const detection = await openAiCompatDriver.detect(fromFlag);
    assert.equal(detection.available, true, detection.reason);
    assert.equal(detection.reason, `OpenAI-compatible server at ${server.url}/v1 serving ${MODEL}`);
  });

  it('a bad setting is an error naming the driver, the key and where the value came from', () => {
    assert.throws(
      () => driverContextFor(openAiCompatDriver, baseContext({}, { LLM_SPEED_OPENAI_COMPAT_BASE_URL: 'localhost:1234' })),
      (error: unknown) => error instanceof ValidationError && /openai-compat driver's settings/.test(error.message) && /base_url.*\(from LLM_SPEED_OPENAI_COMPAT_BASE_URL\)/.test(error.message),
    );
    assert.throws(
      () => driverContextFor(openAiCompatDriver, baseContext({ drivers: { 'openai-compat': { base_ur: 'http://x' } } })),
      /unknown key "base_ur" in drivers\.openai-compat \(did you mean "base_url"\?\)/,
    );
  });

  it('is never picked over a local engine; configured and alone, it is picked', async () => {
    const configured = driverContextFor(openAiCompatDriver, baseContext({}, { LLM_SPEED_OPENAI_COMPAT_BASE_URL: server.url }));
    const compat: DetectedDriver = { driver: openAiCompatDriver, detection: await openAiCompatDriver.detect(configured), context: configured };
    const local: DetectedDriver = { driver: { name: 'llama.cpp' } as Driver, detection: { name: 'llama.cpp', available: true } };
    assert.equal(chooseDriver([compat, local]).driver.name, 'llama.cpp');
    assert.equal(chooseDriver([compat]).driver.name, 'openai-compat');
    const unconfigured: DetectedDriver = { driver: openAiCompatDriver, detection: await openAiCompatDriver.detect(driverContextFor(openAiCompatDriver, baseContext())) };
    assert.throws(() => chooseDriver([unconfigured]), /no backend detected/);
  });

  it('claims exact length and concurrency only when told; close() stops a running stream', async () => {
    const ctx = driverContextFor(openAiCompatDriver, baseContext({}, { LLM_SPEED_OPENAI_COMPAT_BASE_URL: server.url }));
    const plain = await openAiCompatDriver.open(undefined, { contextTokens: 512, parallel: 1 }, ctx);
    assert.equal(plain.model.identifier, MODEL);
    assert.equal(plain.capabilities.exact_output_length, false);
    assert.equal(plain.capabilities.true_concurrency, false);
    assert.equal(plain.backendVersion, 'unknown');
    await plain.close();

    const told = driverContextFor(
      openAiCompatDriver,
      baseContext({}, { LLM_SPEED_OPENAI_COMPAT_BASE_URL: server.url, LLM_SPEED_OPENAI_COMPAT_EXACT_OUTPUT_LENGTH: '1', LLM_SPEED_OPENAI_COMPAT_TRUE_CONCURRENCY: 'yes' }),
    );
    const session = await openAiCompatDriver.open(MODEL, { contextTokens: 512, parallel: 1 }, told);
    assert.equal(session.capabilities.exact_output_length, true);
    assert.equal(session.capabilities.true_concurrency, true);
    const before = server.requests.length;
    const events: string[] = [];
    let closedAt = 0;
    const reading = (async () => {
      try {
        for await (const e of session.generate({
          prompt: 'one two',
          maxTokens: 500,
          cachePrompt: false,
          sampling: { temperature: 0, topK: 1, topP: 1, minP: 0, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0, seed: 1 },
          signal: new AbortController().signal,
        })) {
          events.push(e.type);
          if (e.type === 'tokens' && !closedAt) {
            closedAt = performance.now();
            await session.close();
          }
        }
      } catch {
        // an aborted stream may end by throwing
      }
    })();
    await reading;
    assert.ok(performance.now() - closedAt < 2_000, 'the stream ended soon after close()');
    const request = server.requests[before]!;
    assert.ok(request.chunksWritten < 50, `the server stopped writing after ${request.chunksWritten} chunks`);
    await session.close();
    assert.throws(
      () =>
        session.generate({
          prompt: 'x',
          maxTokens: 1,
          cachePrompt: false,
          sampling: { temperature: 0, topK: 1, topP: 1, minP: 0, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0, seed: 1 },
          signal: new AbortController().signal,
        }),
      /closed/,
    );
  });
});
