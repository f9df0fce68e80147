/**
 * hosted-api driver against replayed transcripts. Wire formats:
 * - OpenAI API reference, "Chat Completions → streaming" (chat.completion.chunk objects, `usage: null`
 *   on each chunk and a final usage chunk with empty choices when stream_options.include_usage is
 *   set, `data: [DONE]`); error bodies {"error":{"message","type","code"}} ("Error codes" guide).
 * - OpenRouter docs "API Reference → Streaming": SSE comment lines `: OPENROUTER PROCESSING` keep
 *   the connection alive.
 * - Anthropic docs "Streaming Messages" (message_start … message_stop, `ping`, mid-stream `error`
 *   events) and "Errors" (HTTP 529 overloaded_error body).
 */
import { SUITE_SAMPLING } from '@llm-speed/framework';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inspect } from 'node:util';
import type { DriverContext, DriverSession, GenerationEvent } from '@llm-speed/framework';
import { startReplayServer, sseChunks, sseResponse, type ReplayResponse, type ReplayRoute, type ReplayServer } from '@llm-speed/framework/testing';
import { hostedDriver, HostedApiError, parseHostedModelRef, PROVIDERS, scrub } from '../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const KEY = 'sk-test-9f8e7d6c5b4a39281706abcdef';
const ANTHROPIC_KEY = 'sk-ant-api03-secretsecretsecret-XYZ';

function context(env: NodeJS.ProcessEnv): DriverContext {
  return { config: {}, cacheDir: tmpdir(), env, signal: new AbortController().signal, log: () => {} };
}

const request = (extra: Record<string, unknown> = {}) => ({ prompt: 'Count', maxTokens: 3, cachePrompt: true, sampling: SUITE_SAMPLING, signal: new AbortController().signal, ...extra });

async function collect(gen: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}
const tokensOf = (events: GenerationEvent[]) => events.filter((e) => e.type === 'tokens').length;
const usageOf = (events: GenerationEvent[]) => events.find((e) => e.type === 'usage') as Extract<GenerationEvent, { type: 'usage' }>;
const doneOf = (events: GenerationEvent[]) => events.at(-1) as Extract<GenerationEvent, { type: 'done' }>;
const json = (status: number, file: string): ReplayResponse => ({ status, headers: { 'content-type': 'application/json' }, chunks: [fixture(file)] });

/** Everything a session or an error exposes, as text, to look for the key in. */
function exposed(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'function' ? undefined : v)) + inspect(value, { depth: 6 });
}

describe('hosted-api driver', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function open(ref: string, routes: ReplayRoute[]): Promise<DriverSession> {
    server = await startReplayServer(routes);
    const env = {
      OPENAI_API_KEY: KEY,
      OPENROUTER_API_KEY: KEY,
      GROQ_API_KEY: KEY,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      LLM_SPEED_HOSTED_BASE_URL_OPENAI: server.url,
      LLM_SPEED_HOSTED_BASE_URL_OPENROUTER: server.url,
      LLM_SPEED_HOSTED_BASE_URL_GROQ: server.url,
      LLM_SPEED_HOSTED_BASE_URL_ANTHROPIC: server.url,
    };
    return hostedDriver.open(ref, { contextTokens: 1024, parallel: 1 }, context(env));
  }

  describe('detect', () => {
    it('is available when a key is set, naming the providers, without any network call', async () => {
      const d = await hostedDriver.detect(context({ OPENROUTER_API_KEY: KEY, GROQ_API_KEY: KEY, LLM_SPEED_HOSTED_BASE_URL_GROQ: 'http://127.0.0.1:1' }));
      assert.equal(d.available, true);
      assert.equal(d.version, 'providers: openrouter, groq');
      assert.doesNotMatch(exposed(d), new RegExp(KEY));
    });

    it('is skipped with the env var names when no key is set', async () => {
      const d = await hostedDriver.detect(context({ OPENAI_API_KEY: '  ' }));
      assert.equal(d.available, false);
      for (const p of PROVIDERS) assert.match(d.reason!, new RegExp(p.keyEnv));
    });
  });

  describe('model refs', () => {
    it('parses provider:model with slashes in the model id', () => {
      const ref = parseHostedModelRef('openrouter:meta-llama/llama-4-scout');
      assert.equal(ref.provider.name, 'openrouter');
      assert.equal(ref.model, 'meta-llama/llama-4-scout');
    });
    it('rejects a missing provider or an unknown one', () => {
      assert.throws(() => parseHostedModelRef('llama-4-scout'), /<provider>:<model>/);
      assert.throws(() => parseHostedModelRef('nowhere:x'), /unknown hosted provider/);
      assert.throws(() => parseHostedModelRef(undefined), /needs a model/);
    });
    it('open refuses a provider whose key is not set', async () => {
      await assert.rejects(hostedDriver.open('groq:llama', { contextTokens: 1, parallel: 1 }, context({ OPENAI_API_KEY: KEY })), /GROQ_API_KEY is not set/);
    });
  });

  describe('OpenAI-compatible providers', () => {
    it('streams chat completions with the bearer key; session names the provider and flags hosted', async () => {
      const session = await open('openai:gpt-4o-mini', [{ method: 'POST', path: '/v1/chat/completions', response: sseResponse(sseChunks(fixture('openai-chat-normal.sse'))) }]);
      assert.equal(session.backendVersion, 'openai');
      assert.deepEqual(session.flags, ['hosted-provider']);
      // The provider's hardware is not ours to see.
      assert.deepEqual(session.backendBuild, { kind: 'remote' });
      assert.equal(session.extras.provider, 'openai');
      assert.match(String(session.extras.note), /not local hardware/);
      assert.equal(session.capabilities.exact_output_length, false);
      const events = await collect(session.generate(request()));
      assert.equal(tokensOf(events), 3);
      assert.deepEqual(usageOf(events), { type: 'usage', promptTokens: 14, outputTokens: 3, cachedPromptTokens: 0 });
      assert.equal(doneOf(events).stopReason, 'length');
      const sent = server!.requests[0]!;
      assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
      const body = sent.json as Record<string, unknown>;
      assert.deepEqual(body.messages, [{ role: 'user', content: 'Count' }]);
      assert.equal(body.temperature, 0);
      assert.equal(body.seed, 42);
      assert.equal(body.top_k, undefined, 'the OpenAI API rejects fields it does not define');
      assert.equal(body.max_completion_tokens, 3, 'OpenAI takes max_completion_tokens');
      assert.deepEqual(body.stream_options, { include_usage: true });
      assert.doesNotMatch(exposed(session), new RegExp(KEY));
    });

    it('multi-token chunk and keep-alive comments (OpenRouter): usage gives the true count', async () => {
      const session = await open('openrouter:meta-llama/llama-4-scout', [{ path: '/v1/chat/completions', response: sseResponse(sseChunks(fixture('openrouter-multi-token-keepalive.sse'))) }]);
      const events = await collect(session.generate(request({ maxTokens: 5 })));
      assert.equal(tokensOf(events), 2);
      assert.equal(usageOf(events).outputTokens, 5);
      const body = server!.requests[0]!.json as Record<string, unknown>;
      assert.equal(body.model, 'meta-llama/llama-4-scout');
      assert.equal(body.max_tokens, 5);
      // OpenRouter takes the extended sampling fields; the OpenAI API itself would refuse top_k.
      assert.equal(body.top_k, 1);
      assert.equal(body.temperature, 0);
    });

    it('EOS before the requested length reports stop with fewer tokens', async () => {
      const session = await open('groq:llama-3.1-8b-instant', [{ path: '/v1/chat/completions', response: sseResponse(sseChunks(fixture('openai-chat-eos-early.sse'))) }]);
      const events = await collect(session.generate(request({ maxTokens: 64 })));
      assert.equal(doneOf(events).stopReason, 'stop');
      assert.equal(usageOf(events).outputTokens, 2);
    });

    it('slow first token: the first arrival is timestamped when it comes', async () => {
      const session = await open('openai:gpt-4o-mini', [{ path: '/v1/chat/completions', response: sseResponse(sseChunks(fixture('openai-chat-normal.sse')), { firstChunkDelayMs: 100 }) }]);
      const start = performance.now();
      const events = await collect(session.generate(request()));
      const first = events.find((e) => e.type === 'tokens') as { t: number };
      assert.ok(first.t - start >= 90);
    });

    it('mid-stream disconnect rejects with a HostedApiError, no hang', async () => {
      const session = await open('openai:gpt-4o-mini', [{ path: '/v1/chat/completions', response: sseResponse(sseChunks(fixture('openai-chat-normal.sse')), { dropAfterChunks: 2 }) }]);
      await assert.rejects(collect(session.generate(request())), HostedApiError);
    });

    it('429 and 503 become HostedApiErrors carrying the status and the provider message', async () => {
      const session = await open('openai:gpt-4o-mini', [{ path: '/v1/chat/completions', response: [json(429, 'openai-error-429.json'), json(503, 'groq-error-503.json')] }]);
      await assert.rejects(
        collect(session.generate(request())),
        (e: unknown) => e instanceof HostedApiError && e.status === 429 && /Rate limit reached/.test(e.message) && /rate-limiting/.test(e.suggestions.join(' ')),
      );
      await assert.rejects(collect(session.generate(request())), (e: unknown) => e instanceof HostedApiError && e.status === 503 && /Service Unavailable/.test(e.message));
    });

    it('never lets the key into an error, even when the provider echoes it', async () => {
      const echo = JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}. Also ${KEY.slice(0, 14)}...`, type: 'invalid_request_error', code: 'invalid_api_key' } });
      const session = await open('openai:gpt-4o-mini', [{ path: '/v1/chat/completions', response: { status: 401, headers: { 'content-type': 'application/json' }, chunks: [echo] } }]);
      const error = await collect(session.generate(request())).then(
        () => assert.fail('should reject'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof HostedApiError);
      assert.equal(error.status, 401);
      assert.match(error.message, /Incorrect API key provided: \*\*\*/);
      assert.doesNotMatch(exposed(error), new RegExp(KEY.slice(0, 10)));
      assert.doesNotMatch(error.stack ?? '', new RegExp(KEY.slice(0, 10)));
    });
  });

  describe('Anthropic Messages', () => {
    it('maps the event stream: pings ignored, text deltas timed, usage from message_start + message_delta', async () => {
      const session = await open('anthropic:claude-sonnet-4-5', [{ method: 'POST', path: '/v1/messages', response: sseResponse(sseChunks(fixture('anthropic-normal.sse'))) }]);
      assert.equal(session.backendVersion, 'anthropic');
      const events = await collect(
        session.generate(
          request({
            prompt: undefined,
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: 'Hi' },
            ],
            maxTokens: 6,
          }),
        ),
      );
      assert.equal(tokensOf(events), 3);
      assert.deepEqual(usageOf(events), { type: 'usage', promptTokens: 12 + 2048, outputTokens: 6, cachedPromptTokens: 2048 });
      assert.equal(doneOf(events).stopReason, 'max_tokens');
      const sent = server!.requests[0]!;
      assert.equal(sent.headers['x-api-key'], ANTHROPIC_KEY);
      assert.equal(sent.headers['anthropic-version'], '2023-06-01');
      assert.equal(sent.headers.authorization, undefined);
      const body = sent.json as Record<string, unknown>;
      assert.equal(body.stream, true);
      assert.equal(body.max_tokens, 6);
      assert.equal(body.system, 'Be brief.');
      assert.deepEqual(body.messages, [{ role: 'user', content: 'Hi' }]);
      assert.doesNotMatch(exposed(session), /sk-ant/);
    });

    it('end_turn before max_tokens is reported as the stop reason', async () => {
      const session = await open('anthropic:claude-sonnet-4-5', [{ path: '/v1/messages', response: sseResponse(sseChunks(fixture('anthropic-end-turn-early.sse'))) }]);
      const events = await collect(session.generate(request({ maxTokens: 100 })));
      assert.equal(doneOf(events).stopReason, 'end_turn');
    });

    it('a mid-stream error event rejects with the provider message', async () => {
      const session = await open('anthropic:claude-sonnet-4-5', [{ path: '/v1/messages', response: sseResponse(sseChunks(fixture('anthropic-overloaded-midstream.sse'))) }]);
      await assert.rejects(collect(session.generate(request())), (e: unknown) => e instanceof HostedApiError && /Overloaded/.test(e.message) && !e.message.includes(ANTHROPIC_KEY));
    });

    it('a dropped connection rejects (no message_stop), no hang', async () => {
      const session = await open('anthropic:claude-sonnet-4-5', [{ path: '/v1/messages', response: sseResponse(sseChunks(fixture('anthropic-normal.sse')), { dropAfterChunks: 4 }) }]);
      await assert.rejects(collect(session.generate(request())), HostedApiError);
    });

    it('HTTP 529 overloaded becomes a HostedApiError with status', async () => {
      const session = await open('anthropic:claude-sonnet-4-5', [{ path: '/v1/messages', response: json(529, 'anthropic-error-529.json') }]);
      await assert.rejects(collect(session.generate(request())), (e: unknown) => e instanceof HostedApiError && e.status === 529 && /Overloaded/.test(e.message));
    });
  });

  it('scrub removes the key and echoed prefixes of it', () => {
    assert.equal(scrub(`a ${KEY} b`, KEY), 'a *** b');
    assert.doesNotMatch(scrub(`prefix ${KEY.slice(0, 12)}…`, KEY), /sk-test-9f8e/);
  });
});
