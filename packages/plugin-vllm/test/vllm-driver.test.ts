/**
 * vLLM driver against replayed transcripts. Wire formats: vLLM docs "OpenAI-Compatible Server"
 * (docs/serving/openai_compatible_server.md: /v1/completions and /v1/chat/completions follow the
 * OpenAI API, extra sampling params `ignore_eos`, `min_tokens`; `stream_options.include_usage`
 * adds a final chunk with empty `choices` and `usage`), vLLM's `GET /version` ({"version": ...}),
 * error bodies from vllm/entrypoints/openai/protocol.py ErrorResponse ({"object":"error",...}),
 * and /metrics in the Prometheus text format (names in docs/design/metrics.md and
 * vllm/v1/metrics/loggers.py).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverError, HttpStatusError, runWorkload, type DriverContext, type GenerationEvent, SUITE_SAMPLING } from '@llm-speed/framework';
import { startReplayServer, sseChunks, sseResponse, jsonResponse, type ReplayRoute, type ReplayServer } from '@llm-speed/framework/testing';
import { vllmDriver } from '../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const MODEL = 'Qwen/Qwen3-0.6B';

function context(config: Record<string, unknown>): DriverContext {
  return { config, cacheDir: tmpdir(), env: {}, signal: new AbortController().signal, log: () => {} };
}

const serverRoutes: ReplayRoute[] = [
  { method: 'GET', path: '/version', response: jsonResponse(200, { version: '0.11.0' }) },
  { method: 'GET', path: '/v1/models', response: jsonResponse(200, { object: 'list', data: [{ id: MODEL, object: 'model', owned_by: 'vllm', root: MODEL, max_model_len: 4096 }] }) },
];

async function collect(gen: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

const usageOf = (events: GenerationEvent[]) => events.find((e) => e.type === 'usage') as Extract<GenerationEvent, { type: 'usage' }>;
const doneOf = (events: GenerationEvent[]) => events.at(-1) as Extract<GenerationEvent, { type: 'done' }>;
const request = (extra: Record<string, unknown> = {}) => ({ prompt: 'The', maxTokens: 4, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal, ...extra });

describe('vllm driver', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function openWith(routes: ReplayRoute[]) {
    server = await startReplayServer([...serverRoutes, ...routes]);
    return vllmDriver.open(MODEL, { contextTokens: 1024, parallel: 1 }, context({ vllm_url: server.url }));
  }

  it('detects a running server from /version and /v1/models', async () => {
    server = await startReplayServer(serverRoutes);
    const d = await vllmDriver.detect(context({ vllm_url: server.url }));
    assert.equal(d.available, true);
    assert.equal(d.version, '0.11.0');
    assert.match(d.reason!, new RegExp(`serving ${MODEL}`));
    assert.equal(d.capabilities?.exact_output_length, true);
    const models = await vllmDriver.listModels(context({ vllm_url: server.url }));
    assert.deepEqual(models, [{ identifier: MODEL, name: MODEL, context_length: 4096 }]);
  });

  describe('when no server runs', () => {
    let dir: string;
    let deadUrl: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'llm-speed-vllm-'));
      const probe = await startReplayServer([]);
      deadUrl = probe.url;
      await probe.close();
    });
    after(() => rm(dir, { recursive: true, force: true }));

    async function fakePython(script: string): Promise<string> {
      const path = join(dir, `python-${Math.random().toString(36).slice(2)}`);
      await writeFile(path, `#!/bin/sh\n${script}\n`);
      await chmod(path, 0o755);
      return path;
    }

    it('reports an installed vllm package with how to start the server', async function () {
      if (process.platform === 'win32') this.skip();
      const python = await fakePython('echo 0.10.2');
      const d = await vllmDriver.detect(context({ vllm_url: deadUrl, python }));
      assert.equal(d.available, false);
      assert.equal(d.version, '0.10.2');
      assert.equal(d.reason, `vllm 0.10.2 is installed but no server is running at ${deadUrl}; start \`vllm serve <model>\``);
    });

    it('skips with one line when neither a server nor the package exists', async function () {
      if (process.platform === 'win32') this.skip();
      const python = await fakePython('echo "ModuleNotFoundError: No module named \'vllm\'" >&2; exit 1');
      const d = await vllmDriver.detect(context({ vllm_url: deadUrl, python }));
      assert.equal(d.available, false);
      assert.match(d.reason!, /no vLLM server at .* cannot import vllm/);
      assert.doesNotMatch(d.reason!, /\n/);
    });

    it('open fails with a DriverError saying how to start vLLM', async () => {
      await assert.rejects(
        vllmDriver.open(MODEL, { contextTokens: 10, parallel: 1 }, context({ vllm_url: deadUrl })),
        (e: unknown) => e instanceof DriverError && /vllm serve/.test(e.suggestions.join(' ')),
      );
    });
  });

  it('streams a completion with exact-length parameters', async () => {
    const session = await openWith([{ method: 'POST', path: '/v1/completions', response: sseResponse(sseChunks(fixture('completions-normal.sse'))) }]);
    assert.equal(session.backendVersion, '0.11.0');
    assert.equal(session.capabilities.max_context_tokens, 4096);
    const events = await collect(session.generate(request()));
    assert.equal(events.filter((e) => e.type === 'tokens').length, 4);
    assert.equal(usageOf(events).outputTokens, 4);
    assert.equal(doneOf(events).stopReason, 'length');
    const sent = server!.requests.find((r) => r.path === '/v1/completions')!.json as Record<string, unknown>;
    assert.equal(sent.model, MODEL);
    assert.equal(sent.prompt, 'The');
    assert.equal(sent.ignore_eos, true);
    assert.equal(sent.min_tokens, 4);
    assert.equal(sent.max_tokens, 4);
    assert.equal(sent.temperature, 0);
    assert.deepEqual(sent.stream_options, { include_usage: true });
  });

  it('multi-token chunk: one arrival mark, usage gives the true count', async () => {
    const session = await openWith([{ path: '/v1/completions', response: sseResponse(sseChunks(fixture('completions-multi-token.sse'))) }]);
    const events = await collect(session.generate(request({ maxTokens: 6 })));
    assert.equal(events.filter((e) => e.type === 'tokens').length, 3);
    assert.equal(usageOf(events).outputTokens, 6);
  });

  it('EOS before the requested length reports stop and the smaller count', async () => {
    const session = await openWith([{ path: '/v1/completions', response: sseResponse(sseChunks(fixture('completions-eos-early.sse'))) }]);
    const events = await collect(session.generate(request({ maxTokens: 64 })));
    assert.equal(doneOf(events).stopReason, 'stop');
    assert.equal(usageOf(events).outputTokens, 2);
  });

  it('mid-stream disconnect rejects instead of hanging', async () => {
    const session = await openWith([{ path: '/v1/completions', response: sseResponse(sseChunks(fixture('completions-for-drop.sse')), { dropAfterChunks: 2 }) }]);
    await assert.rejects(collect(session.generate(request())), DriverError);
  });

  it('keep-alive comments and a slow first token do not change the events', async () => {
    const chunks = sseChunks(fixture('completions-normal.sse'));
    chunks.splice(1, 0, ': ping\n\n');
    const session = await openWith([{ path: '/v1/completions', response: sseResponse(chunks, { firstChunkDelayMs: 100 }) }]);
    const start = performance.now();
    const events = await collect(session.generate(request()));
    assert.equal(events.filter((e) => e.type === 'tokens').length, 4);
    assert.ok((events[0] as { t: number }).t - start >= 90);
  });

  it('503 from the server becomes an HttpStatusError with its message', async () => {
    const session = await openWith([{ path: '/v1/completions', response: { status: 503, headers: { 'content-type': 'application/json' }, chunks: [fixture('error-503.json')] } }]);
    await assert.rejects(collect(session.generate(request())), (e: unknown) => e instanceof HttpStatusError && e.status === 503 && /overloaded/.test(e.message));
  });

  it('W5 messages go to /v1/chat/completions and report cached prompt tokens', async () => {
    const session = await openWith([{ path: '/v1/chat/completions', response: sseResponse(sseChunks(fixture('chat-prefix-cached.sse'))) }]);
    const events = await collect(session.generate(request({ prompt: undefined, messages: [{ role: 'user', content: 'hi' }], maxTokens: 3 })));
    assert.equal(events.filter((e) => e.type === 'tokens').length, 3);
    assert.deepEqual(usageOf(events), { type: 'usage', promptTokens: 300, outputTokens: 3, cachedPromptTokens: 256 });
    const sent = server!.requests.find((r) => r.path === '/v1/chat/completions')!.json as Record<string, unknown>;
    assert.deepEqual(sent.messages, [{ role: 'user', content: 'hi' }]);
    assert.equal(sent.ignore_eos, true);
    assert.equal(sent.min_tokens, 3);
  });

  it('reads the prefix-cache counters from /metrics, before and after', async () => {
    const session = await openWith([
      {
        method: 'GET',
        path: '/metrics',
        response: [
          { status: 200, chunks: [fixture('metrics-before.txt')] },
          { status: 200, chunks: [fixture('metrics-after.txt')] },
        ],
      },
    ]);
    const before = await session.readCacheCounters!();
    const after = await session.readCacheCounters!();
    assert.deepEqual(before, { queries: 1000, hits: 200 });
    assert.deepEqual(after, { queries: 1600, hits: 712 });
  });

  it('W5 through the runner: the hit rate comes from the counters read around the trace', async () => {
    // vLLM leaves prompt_tokens_details out of `usage` unless started with
    // --enable-prompt-tokens-details (docs, "OpenAI-Compatible Server"): then /metrics is the only source.
    const chat = fixture('chat-prefix-cached.sse').replace(',"prompt_tokens_details":{"cached_tokens":256}', '');
    assert.doesNotMatch(chat, /cached_tokens/);
    const session = await openWith([
      { path: '/v1/completions', response: sseResponse(sseChunks(fixture('completions-normal.sse'))) },
      { path: '/v1/chat/completions', response: sseResponse(sseChunks(chat)) },
      {
        method: 'GET',
        path: '/metrics',
        response: [
          { status: 200, chunks: [fixture('metrics-before.txt')] },
          { status: 200, chunks: [fixture('metrics-after.txt')] },
        ],
      },
    ]);
    const turns = [
      [{ role: 'user' as const, content: 'hi' }],
      [
        { role: 'user' as const, content: 'hi' },
        { role: 'assistant' as const, content: 'Sure, here' },
        { role: 'user' as const, content: 'more' },
      ],
    ];
    const result = await runWorkload(
      { suiteVersion: 'suite-v1', suiteDigest: 'sha256:test', backend: 'vllm', session, signal: new AbortController().signal },
      { id: 'W5', name: 'agent-trace', kind: 'agent-trace', outputTokens: 3, turns },
    );
    assert.equal(result.error, null);
    assert.equal(result.turns!.length, 2);
    // metrics-before.txt: queries 1000, hits 200; metrics-after.txt: queries 1600, hits 712.
    // (712 − 200) / (1600 − 1000) = 512 / 600 = 0.85333… → 0.8533 at four decimals.
    assert.equal(result.prefix_cache_hit_rate, 0.8533);
    // Per turn, usage said nothing about cached tokens: no per-turn rate is made up.
    assert.deepEqual(
      result.turns!.map((t) => t.prefix_cache_hit_rate),
      [null, null],
    );
    // The trace starts cold and then reuses only its own prefix: turn 1 opens a cache_salt of its
    // own (none of the warm-up's, an earlier run's or repetition's blocks serve it), turn 2 carries
    // the same salt, so it finds the blocks turn 1 cached.
    const salts = server!.requests.filter((r) => r.method === 'POST').map((r) => ({ path: r.path, salt: (r.json as { cache_salt?: string }).cache_salt }));
    const [warmup, turn1, turn2] = salts;
    assert.deepEqual(
      salts.map((s) => s.path),
      ['/v1/completions', '/v1/chat/completions', '/v1/chat/completions'],
    );
    assert.ok(warmup!.salt && turn1!.salt && warmup!.salt !== turn1!.salt, JSON.stringify(salts));
    assert.equal(turn2!.salt, turn1!.salt);
  });

  it('reads the older gpu_prefix_cache_* counter names, and gives undefined without metrics', async () => {
    const session = await openWith([
      {
        method: 'GET',
        path: '/metrics',
        response: [
          { status: 200, chunks: [fixture('metrics-legacy.txt')] },
          { status: 404, chunks: ['Not Found'] },
        ],
      },
    ]);
    assert.deepEqual(await session.readCacheCounters!(), { queries: 64, hits: 32 });
    assert.equal(await session.readCacheCounters!(), undefined);
  });

  it('refuses a model the server does not serve, naming the served one', async () => {
    server = await startReplayServer(serverRoutes);
    await assert.rejects(
      vllmDriver.open('other/model', { contextTokens: 10, parallel: 1 }, context({ vllm_url: server.url })),
      (e: unknown) => e instanceof DriverError && e.message.includes(MODEL) && e.message.includes('other/model'),
    );
  });

  it("opens with a warning when the run may outgrow max_model_len; a request that does not fit fails with vLLM's message", async () => {
    // vLLM's answer to an over-long prompt: HTTP 400 with an ErrorResponse whose message is built in
    // vllm/entrypoints/openai/serving_engine.py (_validate_input): "This model's maximum context length is …".
    const tooLong = {
      object: 'error',
      message:
        "This model's maximum context length is 4096 tokens. However, you requested 8292 tokens (8192 in the messages, 100 in the completion). Please reduce the length of the messages or completion.",
      type: 'BadRequestError',
      param: null,
      code: 400,
    };
    server = await startReplayServer([...serverRoutes, { method: 'POST', path: '/v1/completions', response: jsonResponse(400, tooLong) }]);
    const lines: string[] = [];
    const session = await vllmDriver.open(MODEL, { contextTokens: 8192, parallel: 1 }, { ...context({ vllm_url: server.url }), log: (l: string) => lines.push(l) });
    assert.equal(session.capabilities.max_context_tokens, 4096, 'the harness skips W3 tiers beyond this');
    assert.match(lines.join('\n'), /max_model_len 4096.*--max-model-len 8192/);
    await assert.rejects(collect(session.generate(request())), (e: unknown) => e instanceof HttpStatusError && e.status === 400 && /maximum context length is 4096 tokens/.test(e.message));
  });
});
