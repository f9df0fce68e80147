/**
 * The openai-compat driver reads the server's version where the server says one, from transcripts
 * of each server's documented endpoint beside its OpenAI layer (the real llama-server is in
 * packages/cli/test/cli/openai-compat-llama.e2e.test.ts):
 *   - llama-server GET /props: `build_info` "b<build>-<commit>", `total_slots`,
 *     `default_generation_settings.n_ctx` (llama.cpp tools/server/README.md, "GET /props");
 *   - vLLM GET /version: {"version": "0.11.0"} (vllm/entrypoints/openai/api_server.py, `show_version`);
 *   - TGI GET /info: model_id, model_sha, version, sha, router "text-generation-router", ...
 *     (text-generation-inference docs, OpenAPI "Info");
 *   - Ollama GET /api/version: {"version": "0.12.3"} (ollama docs/api.md, "Version");
 *   - LM Studio: its REST API documents no version endpoint; GET /api/v0/models lists each model's
 *     `quantization`, `arch`, `compatibility_type` (lmstudio.ai docs, "REST API v0"), so the quant is read.
 * A server that answers none of them stays `unknown`, as before.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { driverContextFor, llamaServerVersion, probeServerIdentity, serverRoot, type DriverContext } from '@llm-speed/framework';
import { jsonResponse, openAiBackendRoutes, startReplayServer, type ReplayRoute, type ReplayServer } from '@llm-speed/framework/testing';
import { openAiCompatDriver } from '../src/index.js';

const MODEL = 'local-model';

const get = (path: string, body: unknown): ReplayRoute => ({ method: 'GET', path, response: jsonResponse(200, body) });

const SERVERS: Array<{ name: string; routes: ReplayRoute[]; version: string; engine?: string; quant?: string; exact?: boolean; owner?: string }> = [
  {
    name: 'llama-server',
    routes: [get('/props', { default_generation_settings: { n_ctx: 8192, params: { top_k: 40 } }, total_slots: 4, model_path: '/models/m.gguf', chat_template: '', build_info: 'b7410-de3ff81' })],
    version: 'b7410 (de3ff81)',
    engine: 'llama-server',
    exact: true,
  },
  // vLLM's /v1/models says owned_by "vllm" (vllm/entrypoints/openai/serving_models.py, ModelCard).
  { name: 'vLLM', routes: [get('/version', { version: '0.11.0' })], version: '0.11.0', engine: 'vllm', owner: 'vllm' },
  // Another service answering GET /version: its version is read, but it is not called vLLM.
  { name: 'a server with a /version of its own', routes: [get('/version', { version: '2.1.0' })], version: '2.1.0', owner: 'sglang' },
  {
    name: 'TGI',
    routes: [
      get('/info', {
        model_id: 'mistralai/Ministral-8B-Instruct-2410',
        model_sha: '4847e87e5975a573a2a190399ca62cd266c899ad',
        max_concurrent_requests: 128,
        max_input_tokens: 32767,
        max_total_tokens: 32768,
        router: 'text-generation-router',
        version: '3.2.1',
        sha: '4d28897b4e345f4dfdd93d3434e50ac8afcdf9e1',
        docker_label: 'sha-4d28897',
      }),
    ],
    version: '3.2.1',
    engine: 'tgi',
  },
  { name: 'Ollama', routes: [get('/api/version', { version: '0.12.3' })], version: '0.12.3', engine: 'ollama' },
  {
    name: 'LM Studio',
    routes: [
      get('/api/v0/models', {
        object: 'list',
        data: [
          { id: MODEL, object: 'model', type: 'llm', publisher: 'lmstudio-community', arch: 'qwen2', compatibility_type: 'gguf', quantization: 'Q4_K_M', state: 'loaded', max_context_length: 32768 },
        ],
      }),
    ],
    version: 'unknown',
    engine: 'lm-studio',
    quant: 'Q4_K_M',
  },
  { name: 'a server that says nothing', routes: [], version: 'unknown' },
];

function contextFor(url: string): DriverContext {
  return driverContextFor(openAiCompatDriver, { config: {}, cacheDir: tmpdir(), env: { LLM_SPEED_OPENAI_COMPAT_BASE_URL: `${url}/v1` }, signal: new AbortController().signal, log: () => undefined });
}

describe("openai-compat: the server's own version, from its documented endpoint", () => {
  for (const server of SERVERS) {
    describe(server.name, () => {
      let replay: ReplayServer;
      before(async () => {
        replay = await startReplayServer([...server.routes, ...openAiBackendRoutes({ model: MODEL, honours: ['ignore_eos'], ...(server.owner ? { modelFields: { owned_by: server.owner } } : {}) })]);
      });
      after(() => replay.close());

      it(`results say backend_version ${server.version}${server.engine ? ` and engine ${server.engine}` : ''}`, async () => {
        const session = await openAiCompatDriver.open(MODEL, { contextTokens: 512, parallel: 1 }, contextFor(replay.url));
        try {
          assert.equal(session.backendVersion, server.version);
          assert.equal(session.extras.engine, server.engine);
          assert.equal(session.model.quant, server.quant);
          assert.equal(session.model.digest, undefined, "the weights are the server's: no digest is claimed");
          assert.equal(session.capabilities.exact_output_length, server.exact === true, 'exact length only where the server is known to honour ignore_eos');
          if (server.name === 'llama-server') {
            assert.equal(session.capabilities.true_concurrency, true, 'four slots decode together');
            assert.equal(session.capabilities.max_context_tokens, 8192, "the model list names no context: /props's n_ctx, what one slot (one request) may hold");
          }
        } finally {
          await session.close();
        }
        const detection = await openAiCompatDriver.detect(contextFor(replay.url));
        assert.equal(detection.version, server.version === 'unknown' ? undefined : server.version);
        if (server.engine) assert.match(detection.reason!, new RegExp(`^${server.engine}`));
      });
    });
  }

  it('spells llama-server builds as llama.cpp does, and finds the root under /v1', () => {
    assert.equal(llamaServerVersion('b7410-de3ff81'), 'b7410 (de3ff81)');
    assert.equal(llamaServerVersion('b1-de3ff81abcdef'), '(de3ff81)', 'build 1 counts a one-commit bundle: it names nothing');
    assert.equal(llamaServerVersion('b4567-unknown'), 'b4567');
    assert.equal(llamaServerVersion('custom'), 'custom');
    assert.equal(serverRoot('http://127.0.0.1:1234/v1/'), 'http://127.0.0.1:1234');
    assert.equal(serverRoot('http://127.0.0.1:1234'), 'http://127.0.0.1:1234');
  });

  it('a dead or silent endpoint answers nothing within the deadline', async () => {
    const started = performance.now();
    assert.deepEqual(await probeServerIdentity('http://127.0.0.1:9/v1', { timeoutMs: 500 }), {});
    assert.ok(performance.now() - started < 3_000);
  });
});
