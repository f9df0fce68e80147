/**
 * The llama.cpp driver: attaches to a running llama-server (llama_cpp_url), spawns one
 * (llama_cpp_path / PATH), or runs llama.cpp in-process through node-llama-cpp when neither exists.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DriverError, errorMessage, getJson, type Driver, type DriverCapabilities, type DriverContext, type DriverDetection, type DriverSession, type Extras, type ModelInfo, type OpenOptions } from '@llm-speed/framework';
import { modelIdentity, readGgufMetadata } from './gguf/index.js';
import { ensureSynthModel, type SynthQuant, type SynthSize } from './synth/index.js';
import { attachUrl, findLlamaServer, serverVersion } from './detect.js';
import { streamCompletion } from './server/completion.js';
import { spawnServer } from './server/spawn.js';
import { embeddedVersion, openEmbedded } from './embedded/session.js';

const NAME = 'llama.cpp';

function serverCapabilities(parallel: number, maxContext?: number): DriverCapabilities {
  return { streaming: true, exact_output_length: true, prefix_cache_stats: true, true_concurrency: parallel > 1, ...(maxContext ? { max_context_tokens: maxContext } : {}) };
}

/** A .gguf path as given, or "synth:<size>[:<quant>]" / nothing → the synthetic model. */
async function resolveModel(modelRef: string | undefined, ctx: DriverContext): Promise<string> {
  if (modelRef === undefined || modelRef.startsWith('synth:')) {
    const [, size = 'tiny', quant = 'F16'] = (modelRef ?? 'synth:tiny').split(':');
    return ensureSynthModel({ size: size as SynthSize, quant: quant as SynthQuant, cacheDir: ctx.cacheDir, log: ctx.log });
  }
  const path = resolve(modelRef);
  try {
    await readGgufMetadata(path);
  } catch (error) {
    throw new DriverError(NAME, `cannot use model ${path}: ${errorMessage(error)}`, { suggestions: ['pass the path of a valid .gguf file'] });
  }
  return path;
}

async function detect(ctx: DriverContext): Promise<DriverDetection> {
  const url = attachUrl(ctx);
  if (url) {
    try {
      await getJson(`${url}/health`, { headersTimeoutMs: 5_000, signal: ctx.signal });
      const props = await getJson<{ build_info?: string }>(`${url}/props`, { headersTimeoutMs: 5_000, signal: ctx.signal }).catch(() => ({}) as { build_info?: string });
      return { name: NAME, available: true, version: props.build_info ?? 'unknown (attached)', capabilities: serverCapabilities(1) };
    } catch (error) {
      return { name: NAME, available: false, reason: `llama-server at ${url} is not reachable: ${errorMessage(error)}` };
    }
  }
  const binary = findLlamaServer(ctx);
  if (binary) {
    const { version, backends } = await serverVersion(binary);
    return { name: NAME, available: true, version: version ?? 'unknown', build_flags: backends, capabilities: serverCapabilities(1) };
  }
  const embedded = await embeddedVersion();
  if (embedded) return { name: NAME, available: true, version: embedded, build_flags: ['cpu'], capabilities: { streaming: true, exact_output_length: true, prefix_cache_stats: false, true_concurrency: false } };
  return { name: NAME, available: false, reason: 'llama-server not found on PATH; set --llama-cpp-path or install node-llama-cpp' };
}

async function listModels(ctx: DriverContext): Promise<ModelInfo[]> {
  const paths: string[] = [];
  const configured = ctx.config.model;
  for (const entry of Array.isArray(configured) ? configured : configured ? [configured] : []) if (typeof entry === 'string' && entry.endsWith('.gguf')) paths.push(resolve(entry));
  const synthDir = join(ctx.cacheDir, 'models');
  for (const file of await readdir(synthDir).catch(() => [] as string[])) if (file.endsWith('.gguf')) paths.push(join(synthDir, file));
  const models: ModelInfo[] = [];
  for (const path of paths) {
    try {
      const ref = await modelIdentity(path, ctx.cacheDir);
      models.push({ identifier: ref.identifier, name: ref.name, size: ref.size ?? undefined, quant: ref.quant ?? undefined, digest: ref.digest ?? undefined } as ModelInfo);
    } catch {
      // An unreadable file is not a model; detection should not fail because of it.
    }
  }
  return models;
}

async function open(modelRef: string | undefined, options: OpenOptions, ctx: DriverContext): Promise<DriverSession> {
  const url = attachUrl(ctx);
  if (url) {
    const props = await getJson<{ build_info?: string; model_path?: string; default_generation_settings?: { n_ctx?: number } }>(`${url}/props`, { signal: ctx.signal });
    const model = props.model_path ? await modelIdentity(props.model_path, ctx.cacheDir).catch(() => undefined) : undefined;
    return {
      model: model ?? { identifier: modelRef ?? 'attached', name: modelRef ?? 'attached' },
      backendVersion: props.build_info ?? 'unknown',
      capabilities: serverCapabilities(options.parallel),
      extras: { engine: 'server', mode: 'attach' },
      generate: (request) => streamCompletion(url, request),
      close: async () => undefined,
    };
  }
  const path = await resolveModel(modelRef, ctx);
  const model = await modelIdentity(path, ctx.cacheDir);
  // The context the model was trained for: W3 tiers beyond it are skipped, and no server is sized past it.
  const maxContext = (await readGgufMetadata(path)).contextLength;
  const binary = findLlamaServer(ctx);
  if (binary) {
    const { version } = await serverVersion(binary);
    return openSpawned({ binary, path, model, maxContext, version: version ?? 'unknown', options, ctx });
  }
  ctx.log('no llama-server found: using the embedded llama.cpp engine (node-llama-cpp), slower than llama-server on small CPUs; put llama-server on PATH (or run scripts/build-llama-server.sh) for full-speed numbers');
  // One thread: measured on the 2-core reference machine at 386–461 tok/s vs 88 tok/s with two
  // (bench/llamacpp-overhead.mjs); node-llama-cpp's extra threads contend with its own worker.
  const engine = await openEmbedded(path, { contextTokens: Math.min(options.contextTokens, maxContext ?? Infinity) });
  return {
    model,
    backendVersion: engine.version,
    capabilities: { streaming: true, exact_output_length: true, prefix_cache_stats: true, true_concurrency: false, ...(maxContext ? { max_context_tokens: maxContext } : {}) },
    extras: { engine: 'embedded', threads: engine.threads, batch_size: engine.batchSize, sampling: 'greedy' },
    // The embedded engine decodes well below llama-server on small CPUs (README): results say which ran.
    // Session flags go on every result; W4 gets serial-concurrency from the harness (true_concurrency false).
    flags: ['embedded-engine'],
    generate: (request) => engine.generate(request),
    close: () => engine.close(),
  };
}

interface SpawnedSlots {
  contextTokens: number;
  parallel: number;
}

/**
 * A llama-server this driver starts and owns. It starts with one slot holding the longest request
 * of the run; prepare() restarts it when a workload needs more slots or more context, so W4 gets
 * sixteen small slots and W5 one large one instead of sixteen slots of W5's context (which would
 * be a 300k-token KV cache, and slower: llama.cpp's unified KV pool halves W4 batch-16 throughput
 * on the reference machine). Restarts happen between workloads, outside every timing.
 */
async function openSpawned(args: {
  binary: string;
  path: string;
  model: DriverSession['model'];
  maxContext?: number;
  version: string;
  options: OpenOptions;
  ctx: DriverContext;
}): Promise<DriverSession & { readonly pid: number }> {
  const { binary, path, model, ctx } = args;
  const fit = (tokens: number) => Math.min(tokens, args.maxContext ?? Infinity);
  let slots: SpawnedSlots = { contextTokens: fit(args.options.contextTokens), parallel: 1 };
  const start = async (wanted: SpawnedSlots) => {
    ctx.log(`starting llama-server for ${model.name} (${wanted.parallel} slot${wanted.parallel > 1 ? 's' : ''} of ${wanted.contextTokens} tokens)`);
    const started = await spawnServer({ binary, model: path, contextTokens: wanted.contextTokens, parallel: wanted.parallel, signal: ctx.signal });
    const props = await getJson<{ default_generation_settings?: { n_ctx?: number } }>(`${started.baseUrl}/props`, { headersTimeoutMs: 10_000, signal: ctx.signal }).catch(
      () => ({}) as { default_generation_settings?: { n_ctx?: number } },
    );
    return { server: started, nCtx: props.default_generation_settings?.n_ctx };
  };
  let { server, nCtx } = await start(slots);
  const extras = (): Extras => ({ engine: 'server', mode: 'spawn', threads: server.threads, parallel: slots.parallel, ...(nCtx ? { n_ctx: nCtx } : {}) });

  const session: DriverSession & { readonly pid: number } = {
    // The process id is for local supervision and tests, never for results: it stays out of extras.
    get pid() {
      return server.pid;
    },
    model,
    backendVersion: args.version,
    // The server can always be given as many slots as W4 asks for.
    capabilities: serverCapabilities(Math.max(2, args.options.parallel), args.maxContext),
    extras: extras(),
    async prepare(needs) {
      const wanted = { contextTokens: fit(needs.contextTokens), parallel: Math.max(1, needs.parallel) };
      if (wanted.parallel <= slots.parallel && wanted.contextTokens <= slots.contextTokens) return;
      await server.stop();
      slots = wanted;
      ({ server, nCtx } = await start(slots));
      session.extras = extras();
    },
    generate: (request) => streamCompletion(server.baseUrl, request),
    close: () => server.stop(),
  };
  return session;
}

export const llamaCppDriver: Driver = { name: NAME, detect, listModels, open };
