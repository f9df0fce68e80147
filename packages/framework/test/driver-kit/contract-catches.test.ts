/**
 * The contract suite fails drivers with the timing and counting bugs a benchmark cannot afford
 * (issue 13 finding 8): each broken driver below differs from a good one by one bug, and the
 * suite must fail the test that covers it while the good driver passes everything. The backend is
 * a replay server speaking the OpenAI completions/chat wire format that packs 1–4 tokens a chunk
 * and holds its first token back, so chunk-counting and too-early TTFTs show.
 */
import assert from 'node:assert/strict';
import type { Driver, DriverSession, GenerationEvent, GenerationRequest } from '../../src/contract/driver.js';
import { llamaServerSamplingFields, SUITE_SAMPLING, type SamplingWire } from '../../src/contract/sampling.js';
import { runDriverContractTests, type DriverContractOptions } from '../../src/contract-tests/index.js';
import { now } from '../../src/harness/clock.js';
import { streamOpenAiCompletion } from '../../src/protocol/openai.js';
import { sseResponse, startReplayServer, tokenChunks, type RecordedRequest, type ReplayResponse, type ReplayServer } from '../../src/testing/replay-server.js';

const FIRST_TOKEN_MS = 40;
const CHUNK_MS = 15;

function completion(chat: boolean) {
  return (request: RecordedRequest): ReplayResponse => {
    const body = request.json as { max_tokens: number };
    const head = { id: 'x', object: chat ? 'chat.completion.chunk' : 'text_completion', created: 1, model: 'm' };
    let made = 0;
    const sizes = tokenChunks(body.max_tokens);
    const chunks = sizes.map((size, i) => {
      const text = Array.from({ length: size }, (_, k) => ` t${made + k + 1}`).join('');
      made += size;
      const choice = chat
        ? { index: 0, delta: { content: text }, finish_reason: made === body.max_tokens ? 'length' : null }
        : { index: 0, text, finish_reason: made === body.max_tokens ? 'length' : null };
      return { data: `data: ${JSON.stringify({ ...head, choices: [choice] })}\n\n`, delayMs: i === 0 ? FIRST_TOKEN_MS : CHUNK_MS };
    });
    chunks.push({ data: `data: ${JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 5, completion_tokens: body.max_tokens, total_tokens: 5 + body.max_tokens } })}\n\n`, delayMs: 0 });
    chunks.push({ data: 'data: [DONE]\n\n', delayMs: 0 });
    return sseResponse(chunks);
  };
}

type Generate = (url: string, request: GenerationRequest) => AsyncIterable<GenerationEvent>;

const goodGenerate: Generate = (url, request) =>
  streamOpenAiCompletion({
    baseUrl: url,
    path: request.messages ? '/v1/chat/completions' : '/v1/completions',
    sampling: request.sampling,
    signal: request.signal,
    body: { model: 'm', max_tokens: request.maxTokens, ...(request.messages ? { messages: request.messages } : { prompt: request.prompt }) },
  });

function driverWith(url: () => string, generate: Generate): Driver {
  return {
    name: 'probe',
    detect: async () => ({ name: 'probe', available: true, version: '1', capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: false, exact_output_length: true } }),
    listModels: async () => [{ identifier: 'm', name: 'm' }],
    open: async (): Promise<DriverSession> => ({
      model: { identifier: 'm', name: 'm' },
      backendVersion: '1',
      capabilities: { streaming: true, true_concurrency: true, prefix_cache_stats: false, exact_output_length: true },
      extras: {},
      generate: (request) => generate(url(), request),
      close: async () => {},
    }),
  };
}

/** Runs the contract suite in a mocha of its own and answers each test's state by title. */
async function suiteStates(options: DriverContractOptions): Promise<Map<string, string | undefined>> {
  const { default: Mocha } = await import('mocha');
  const inner = new Mocha.Suite('inner');
  const fakeMocha = {
    describe: ((title: string, fn: (this: Mocha.Suite) => void) => {
      const s = Mocha.Suite.create(inner, title);
      fn.call(s);
      return s;
    }) as unknown as Mocha.SuiteFunction,
    it: ((title: string, fn: Mocha.Func) => {
      const t = new Mocha.Test(title, fn);
      (inner.suites[inner.suites.length - 1] ?? inner).addTest(t);
      return t;
    }) as unknown as Mocha.TestFunction,
    after: ((fn: Mocha.Func) => (inner.suites[inner.suites.length - 1] ?? inner).afterAll(fn)) as unknown as Mocha.HookFunction,
  };
  runDriverContractTests('probe', { ...options, mocha: fakeMocha });
  const runner = new Mocha.Runner(inner, { delay: false });
  await new Promise<void>((resolve) => runner.run(() => resolve()));
  const states = new Map<string, string | undefined>();
  inner.eachTest((t) => void states.set(t.title.split(':')[0]!.split(' ')[0] === 'generates' ? (t.title.includes('chat') ? 'chat' : 'generate') : t.title.split(' ')[0]!, t.state));
  return states;
}

describe('the contract suite catches timing and counting bugs', function () {
  this.timeout(120_000);
  // Each inner mocha run adds its own uncaughtException/unhandledRejection listeners while it runs.
  process.setMaxListeners(32);
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer([
      { method: 'POST', path: '/v1/completions', response: completion(false) },
      { method: 'POST', path: '/v1/chat/completions', response: completion(true) },
    ]);
  });
  after(() => server.close());

  const run = (generate: Generate, wire?: SamplingWire) =>
    suiteStates({
      driver: () => driverWith(() => server.url, generate),
      outputTokens: 16,
      generationTimeoutMs: 20_000,
      backend: {
        requests: () => server.requests,
        generationPath: /^\/v1\/(chat\/)?completions$/,
        firstTokenDelayMs: FIRST_TOKEN_MS,
        sampling: { temperature: 'temperature', topK: 'top_k', seed: 'seed' },
        wire,
      },
    });

  it('passes a driver that does everything right', async () => {
    // detect, settingsSchema, listModels, generate, chat, a request without sampling, aborting
    const states = await run(goodGenerate);
    assert.deepEqual([...states.values()], ['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'passed'], JSON.stringify([...states]));
    assert.equal(states.get('a'), 'passed', 'the framework helpers refuse a request without sampling by name');
  });

  it('fails a driver whose first tokens event comes before the request left (TTFT ≈ 0)', async () => {
    const states = await run(async function* (url, request) {
      yield { type: 'tokens', t: now(), count: 1 };
      yield* goodGenerate(url, request);
    });
    assert.equal(states.get('generate'), 'failed');
    assert.equal(states.get('chat'), 'failed');
  });

  it('fails a driver that counts chunks as tokens (drops the usage the backend sent)', async () => {
    const states = await run(async function* (url, request) {
      for await (const e of goodGenerate(url, request)) if (e.type !== 'usage') yield e;
    });
    assert.equal(states.get('generate'), 'failed');
  });

  it('fails a driver whose chat path drops the conversation', async () => {
    const states = await run((url, request) => goodGenerate(url, request.messages ? { ...request, messages: request.messages.slice(-1) } : request));
    assert.equal(states.get('generate'), 'passed');
    assert.equal(states.get('chat'), 'failed');
  });

  it("fails a driver that sends sampling of its own instead of the request's", async () => {
    const states = await run((url, request) => goodGenerate(url, { ...request, sampling: SUITE_SAMPLING }));
    assert.equal(states.get('generate'), 'failed');
  });

  it('fails a driver that keeps streaming after abort', async () => {
    const states = await run((url, request) => goodGenerate(url, { ...request, signal: new AbortController().signal }));
    assert.equal(states.get('aborting'), 'failed');
    assert.equal(states.get('generate'), 'passed');
  });

  it('fails a driver that reads a missing sampling into a TypeError, or sends the request without it', async () => {
    const raw = await run(async function* (url, request) {
      const { temperature } = request.sampling; // TypeError when sampling is missing
      yield* goodGenerate(url, { ...request, sampling: { ...request.sampling, temperature } });
    });
    assert.equal(raw.get('a'), 'failed');
    assert.equal(raw.get('generate'), 'passed');
    const defaults = await run((url, request) => goodGenerate(url, { ...request, sampling: request.sampling ?? SUITE_SAMPLING }));
    assert.equal(defaults.get('a'), 'failed', 'a request without sampling must not reach the backend');
  });

  it("with wire 'llama-server': fails the generic OpenAI fields, passes llama-server's own", async () => {
    // The generic fields: repetition_penalty (llama-server ignores it), no samplers, no ignore_eos, no cache_prompt.
    const generic = await run(goodGenerate, 'llama-server');
    assert.equal(generic.get('generate'), 'failed');
    const native = await run(
      (url, request) =>
        streamOpenAiCompletion({
          baseUrl: url,
          path: request.messages ? '/v1/chat/completions' : '/v1/completions',
          sampling: request.sampling,
          samplingDialect: 'openai',
          signal: request.signal,
          body: {
            model: 'm',
            max_tokens: request.maxTokens,
            ...(request.messages ? { messages: request.messages } : { prompt: request.prompt }),
            ...llamaServerSamplingFields(request.sampling),
            ignore_eos: true,
            cache_prompt: request.cachePrompt,
          },
        }),
      'llama-server',
    );
    assert.equal(native.get('generate'), 'passed');
    assert.equal(native.get('chat'), 'passed');
  });
});
