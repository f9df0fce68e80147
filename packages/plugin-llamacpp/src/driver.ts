/**
 * The llama.cpp driver: attaches to a running llama-server (llama_cpp_url), spawns one
 * (llama_cpp_path / PATH), or runs llama.cpp in-process through node-llama-cpp when no path is
 * configured and none is found. A configured path that holds no llama-server is an error.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DriverError,
  errorMessage,
  getJson,
  postJson,
  type BackendBuild,
  type Driver,
  type DriverCapabilities,
  type DriverContext,
  type DriverDetection,
  type DriverSession,
  type Extras,
  type ModelInfo,
  type OpenOptions,
} from '@llm-speed/framework';
import { ggufModelShape, modelIdentity, readGgufMetadata, type GgufMetadata } from './gguf/index.js';
import { ensureSynthModel, SYNTH_QUANTS, SYNTH_SIZES, synthIdentifier, type SynthQuant, type SynthSize } from './synth/index.js';
import { attachUrl, configuredServerPath, lookupLlamaServer, parseBuildInfo, parseStartupLog, probeServer, serverVersion, type LlamaCppVersion, type ServerProbe } from './detect.js';
import { runsOnCpuOnly, servingProcess } from './server/listening-process.js';
import { streamCompletion } from './server/completion.js';
import { spawnServer, type SpawnedServer } from './server/spawn.js';
import { embeddedGpu, embeddedGpuFailure, embeddedInfo, openEmbedded } from './embedded/session.js';
import { engineBuilds } from './engine/packages.js';

const NAME = 'llama.cpp';

function serverCapabilities(slots: number, maxContext?: number): DriverCapabilities {
  return { streaming: true, exact_output_length: true, prefix_cache_stats: true, true_concurrency: slots > 1, ...(maxContext ? { max_context_tokens: maxContext } : {}) };
}

/** A spawned server is given as many slots as W4 asks for, so it always decodes streams together. */
function spawnedCapabilities(maxContext?: number): DriverCapabilities {
  return serverCapabilities(2, maxContext);
}

/**
 * Whether the embedded engine decodes W4's streams together (one node-llama-cpp sequence each).
 * Off: on the 2-core reference machine (one thread, machine shared with other work) batch-16
 * aggregate ÷ batch-1 came out at 0.73–1.52 across runs, and batched ÷ one-sequence batch-16 at
 * 1.03 in one same-run comparison (bench/embedded-batching.mjs): it does not beat one sequence
 * serving the streams one after another — and W4 says so (serial-concurrency).
 */
const EMBEDDED_BATCHING = false;

/** One sequence serves streams one after another; the common prompt prefix is kept between requests. */
function embeddedCapabilities(maxContext?: number): DriverCapabilities {
  return { streaming: true, exact_output_length: true, prefix_cache_stats: true, true_concurrency: EMBEDDED_BATCHING, ...(maxContext ? { max_context_tokens: maxContext } : {}) };
}

interface ServerProps {
  build_info?: string;
  model_path?: string;
  total_slots?: number;
  default_generation_settings?: { n_ctx?: number };
}

/**
 * What an attached server can do is the server's to say, not the run's: a 1-slot server decodes
 * W4's streams one after another, and no request may exceed one slot's n_ctx.
 */
function attachedCapabilities(props: ServerProps): DriverCapabilities {
  return serverCapabilities(props.total_slots ?? 1, props.default_generation_settings?.n_ctx);
}

/**
 * The llama-server binary behind an attached URL: the local process listening on it (procfs), or
 * else the one the user named with --llama-cpp-path when it was built from the commit /props
 * names. A llama-server merely found on PATH or in the cache is not taken for it: on a GPU machine
 * the project's own CPU build may sit beside the CUDA server being measured.
 */
async function attachedBinary(url: string, props: ServerProps, ctx: DriverContext): Promise<{ binary: string; args?: string[]; probe: ServerProbe } | undefined> {
  const serving = await servingProcess(url).catch(() => undefined);
  if (serving) return { binary: serving.exe, args: serving.args, probe: await probeServer(serving.exe, ctx.cacheDir) };
  const configured = configuredServerPath(ctx);
  if (!configured) return undefined;
  const { binary } = lookupLlamaServer(ctx);
  const commit = parseBuildInfo(props.build_info).commit;
  if (!binary || !commit) return undefined;
  const probe = await probeServer(binary, ctx.cacheDir);
  return probe.version.commit?.slice(0, 7) === commit.slice(0, 7) ? { binary, probe } : undefined;
}

/**
 * An attached server's release and commit: /props names only a build number and the commit, so
 * the binary serving it (or a llama-server on this machine built from the same commit) lends its
 * release name, the same spelling a spawned server gets; otherwise the build number stands in, as
 * llama.cpp's b<N> tags.
 */
async function attachedVersion(props: ServerProps, ctx: DriverContext, served?: { probe: ServerProbe }): Promise<string> {
  const fromProps = parseBuildInfo(props.build_info);
  const sameCommit = (local: LlamaCppVersion) => Boolean(local.commit && fromProps.commit && local.commit.slice(0, 7) === fromProps.commit.slice(0, 7) && local.version);
  if (served && sameCommit(served.probe.version)) return served.probe.version.version!;
  const { binary } = lookupLlamaServer(ctx);
  if (binary && fromProps.commit) {
    const local = await serverVersion(binary, ctx.cacheDir);
    if (sameCommit(local)) return local.version!;
  }
  return fromProps.version ?? 'unknown';
}

/** The log file an attached server writes, when the user names it: its start-up lines say which devices it loaded the model on. */
function attachedLogPath(ctx: DriverContext): string | undefined {
  const path = (ctx.config.llama_cpp_log as string | undefined) ?? ctx.env.LLM_SPEED_LLAMA_CPP_LOG;
  return path ? resolve(path) : undefined;
}

/** What the server's start-up log says it runs on, when a log file is named; undefined when it says nothing. */
async function buildFromLog(ctx: DriverContext): Promise<BackendBuild | undefined> {
  const path = attachedLogPath(ctx);
  if (!path) return undefined;
  const log = await readFile(path, 'utf8').catch((error) => {
    throw new DriverError(NAME, `cannot read the llama-server log ${path}: ${errorMessage(error)}`, {
      suggestions: ['point --llama-cpp-log (LLM_SPEED_LLAMA_CPP_LOG) at the file the attached llama-server logs to (llama-server --log-file), or unset it'],
    });
  });
  // A log file may hold several runs: the server now running is the one after the last exit
  // ("cleaning up before exit"), whose GPU back-ends announce themselves before it initialises.
  const lastStart = log.lastIndexOf('llama_server: initializing');
  const previousExit = lastStart >= 0 ? log.lastIndexOf('cleaning up before exit', lastStart) : -1;
  return parseStartupLog(previousExit >= 0 ? log.slice(previousExit) : log);
}

/**
 * What an attached server runs on, from what it and this machine tell (/props names no device):
 * its start-up log when named (--llama-cpp-log); else the binary serving it (attachedBinary) —
 * `cpu` when that build can use no device or its command line keeps the model off the GPU
 * (-ngl 0, --device none), else the devices its --list-devices names, as for a spawned server
 * whose log is silent. Without either the build is `unknown`, never guessed.
 */
async function attachedBuild(ctx: DriverContext, served?: { args?: string[]; probe: ServerProbe }): Promise<BackendBuild> {
  const logged = await buildFromLog(ctx);
  if (logged) return logged;
  if (!served?.probe.build) return { kind: 'unknown' };
  if (served.args && runsOnCpuOnly(served.args)) return { kind: 'cpu' };
  return served.probe.build;
}

/** The llama-server to spawn, if any; a configured path without one is an error, never a quiet switch of engine. */
function serverBinary(ctx: DriverContext): string | undefined {
  const { binary, problem } = lookupLlamaServer(ctx);
  if (problem) throw new DriverError(NAME, problem, { suggestions: ['Run `llm-speed detect` to see which llama-server is found.'] });
  return binary;
}

/** The one command that gets this driver a GPU engine, said when a run leaves the machine's GPU idle. */
const GPU_HINT = engineBuilds().length > 0 ? 'llm-speed engine install' : 'a llama-server built for this GPU, passed with --llama-cpp-path';

/**
 * Whether the embedded engine's GPU build should serve instead of a llama-server found on PATH or
 * in the cache that can only use the CPU: a GPU owner who ran `llm-speed engine install` gets the
 * GPU measured. A configured --llama-cpp-path is always taken at its word. Resolves the GPU.
 */
async function embeddedGpuInstead(listed: BackendBuild | undefined, ctx: DriverContext): Promise<string | undefined> {
  if (configuredServerPath(ctx) || listed?.kind !== 'cpu') return undefined;
  return (await embeddedGpu(ctx.env).catch(() => undefined))?.gpu;
}

const SYNTH_USAGE = `synth:<size>[:<quant>] or llm-speed/synth-llama-<size>-<quant> (sizes ${SYNTH_SIZES.join(', ')}; quants ${SYNTH_QUANTS.join(', ')})`;

function synthModel(size: string, quant: string, ctx: DriverContext): Promise<string> {
  if (!SYNTH_SIZES.includes(size as SynthSize) || !SYNTH_QUANTS.includes(quant as SynthQuant)) {
    throw new DriverError(NAME, `unknown synthetic model size "${size}" or quant "${quant}"`, { suggestions: [`use ${SYNTH_USAGE}`] });
  }
  return ensureSynthModel({ size: size as SynthSize, quant: quant as SynthQuant, cacheDir: ctx.cacheDir, log: ctx.log });
}

/** "llm-speed/synth-llama-tiny-Q8_0", the identifier results and listModels() give a synthetic model. */
function parseSynthIdentifier(modelRef: string): { size: SynthSize; quant: SynthQuant } | undefined {
  for (const size of SYNTH_SIZES) for (const quant of SYNTH_QUANTS) if (synthIdentifier(size, quant) === modelRef) return { size, quant };
  return undefined;
}

async function ggufPath(modelRef: string): Promise<string> {
  const path = resolve(modelRef);
  try {
    await readGgufMetadata(path);
  } catch (error) {
    throw new DriverError(NAME, `cannot use model ${path}: ${errorMessage(error)}`, { suggestions: ['pass the path of a valid .gguf file'] });
  }
  return path;
}

function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/**
 * Whatever listModels() answers opens: "synth:<size>[:<quant>]" / nothing / a synthetic model's
 * identifier → the synthetic model (generated on first use), a .gguf path as given, a listed
 * model's identifier (its file name without .gguf) → that file.
 */
async function resolveModel(modelRef: string | undefined, ctx: DriverContext): Promise<string> {
  if (modelRef === undefined || modelRef.startsWith('synth:')) {
    const [, size = DEFAULT_MODEL.size, quant = DEFAULT_MODEL.quant] = (modelRef ?? `synth:${DEFAULT_MODEL.size}`).split(':');
    return synthModel(size, quant, ctx);
  }
  const synth = parseSynthIdentifier(modelRef);
  if (synth) return synthModel(synth.size, synth.quant, ctx);
  if (await isFile(modelRef)) return ggufPath(modelRef);
  const models = await catalog(ctx);
  const listed = models.find((m) => m.info.identifier === modelRef);
  if (listed) return listed.path;
  // Something that reads as a path is reported as one (missing file), not as an unknown name.
  if (/\.gguf$/i.test(modelRef) || (/[\\/]/.test(modelRef) && !modelRef.startsWith('llm-speed/'))) return ggufPath(modelRef);
  const known = models.map((m) => m.info.identifier);
  throw new DriverError(NAME, `unknown model "${modelRef}"; available: ${known.length > 0 ? known.join(', ') : 'none listed'}`, {
    suggestions: ['pass the path of a .gguf file', `or a synthetic model: ${SYNTH_USAGE}`, 'Run `llm-speed list-models` to see what is available.'],
  });
}

async function detect(ctx: DriverContext): Promise<DriverDetection> {
  const url = attachUrl(ctx);
  if (url) {
    try {
      await getJson(`${url}/health`, { headersTimeoutMs: 5_000, signal: ctx.signal });
      const props = await getJson<ServerProps>(`${url}/props`, { headersTimeoutMs: 5_000, signal: ctx.signal }).catch(() => ({}) as ServerProps);
      const served = await attachedBinary(url, props, ctx).catch(() => undefined);
      const build = await attachedBuild(ctx, served).catch(() => ({ kind: 'unknown' }) as BackendBuild);
      return { name: NAME, available: true, version: await attachedVersion(props, ctx, served), build, capabilities: attachedCapabilities(props) };
    } catch (error) {
      return { name: NAME, available: false, reason: `llama-server at ${url} is not reachable: ${errorMessage(error)}` };
    }
  }
  const { binary, problem } = lookupLlamaServer(ctx);
  if (problem) return { name: NAME, available: false, reason: problem };
  if (binary) {
    const { version, build } = await probeServer(binary, ctx.cacheDir);
    // The model's trained context is only known once one is chosen: open() adds max_context_tokens.
    if (!(await embeddedGpuInstead(build, ctx)))
      return { name: NAME, available: true, version: version.version ?? 'unknown', build: build ?? { kind: 'unknown' }, capabilities: spawnedCapabilities() };
  }
  const embedded = await embeddedInfo(ctx.env);
  if (embedded) return { name: NAME, available: true, version: embedded.version, build: embedded.build, capabilities: embeddedCapabilities() };
  return { name: NAME, available: false, reason: 'llama-server not found on PATH; set --llama-cpp-path or install node-llama-cpp' };
}

/** The GGUF files this driver knows of (configured paths, then the cache's models folder) and what listModels() calls them. */
async function catalog(ctx: DriverContext): Promise<Array<{ path: string; info: ModelInfo }>> {
  const paths = new Set<string>();
  const configured = ctx.config.model;
  for (const entry of Array.isArray(configured) ? configured : configured ? [configured] : []) if (typeof entry === 'string' && entry.endsWith('.gguf')) paths.add(resolve(entry));
  const synthDir = join(ctx.cacheDir, 'models');
  for (const file of (await readdir(synthDir).catch(() => [] as string[])).sort()) if (file.endsWith('.gguf')) paths.add(join(synthDir, file));
  const models: Array<{ path: string; info: ModelInfo }> = [];
  for (const path of paths) {
    try {
      const ref = await modelIdentity(path, ctx.cacheDir);
      models.push({ path, info: { identifier: ref.identifier, name: ref.name, size: ref.size ?? undefined, quant: ref.quant ?? undefined, digest: ref.digest ?? undefined } as ModelInfo });
    } catch {
      // An unreadable file is not a model; detection should not fail because of it.
    }
  }
  return models;
}

/** What a bench with no --model runs on this driver: the synthetic reference model, made on first use. */
export const DEFAULT_MODEL = { size: 'tiny', quant: 'F16' } as const;

/**
 * The models --model accepts. The default synthetic model is always listed — `bench` generates
 * it on first use, so "no models" would be wrong — with a note when it is not generated yet.
 * An attached server serves its own model, so then only what is on disk is listed.
 */
async function listModels(ctx: DriverContext): Promise<ModelInfo[]> {
  const models = (await catalog(ctx)).map((m) => m.info);
  const identifier = synthIdentifier(DEFAULT_MODEL.size, DEFAULT_MODEL.quant);
  if (!attachUrl(ctx) && !models.some((m) => m.identifier === identifier)) {
    models.unshift({ identifier, name: identifier, quant: DEFAULT_MODEL.quant, synthetic: true, note: 'the default: `llm-speed bench` generates it on first use (seconds)' });
  }
  return models;
}

/** The model's shape for the bandwidth roofline (gguf/shape.ts); undefined when the file does not give it. */
function shapeOf(metadata: GgufMetadata | undefined): DriverSession['modelShape'] {
  const outcome = metadata ? ggufModelShape(metadata) : undefined;
  return outcome && 'shape' in outcome ? outcome.shape : undefined;
}

async function open(modelRef: string | undefined, options: OpenOptions, ctx: DriverContext): Promise<DriverSession> {
  const url = attachUrl(ctx);
  if (url) {
    const props = await getJson<ServerProps>(`${url}/props`, { signal: ctx.signal });
    const model = props.model_path ? await modelIdentity(props.model_path, ctx.cacheDir).catch(() => undefined) : undefined;
    if (props.total_slots === undefined) ctx.log(`llama-server at ${url} does not say how many slots it has: W4 is treated as serial`);
    const served = await attachedBinary(url, props, ctx).catch(() => undefined);
    const backendBuild = await attachedBuild(ctx, served);
    if (backendBuild.kind === 'unknown' && !attachedLogPath(ctx))
      ctx.log(
        `llama-server at ${url} does not say what it runs on: results say backend_build unknown (pass --llama-cpp-path with the llama-server binary it runs, or --llama-cpp-log with its log file)`,
      );
    const requests = coldAfterForget(() => url);
    let slotActions = true;
    return {
      model: model ?? { identifier: modelRef ?? 'attached', name: modelRef ?? 'attached' },
      backendVersion: await attachedVersion(props, ctx, served),
      backendBuild,
      // Read from the file the server names, when it is on this machine (its KV cache type is assumed f16).
      modelShape: props.model_path ? shapeOf(await readGgufMetadata(props.model_path).catch(() => undefined)) : undefined,
      capabilities: attachedCapabilities(props),
      extras: { engine: 'server', mode: 'attach' },
      // The server's slots may hold a previous run's conversation: erased where the server allows
      // slot actions (--slot-save-path), and W5's first turn reuses nothing in any case.
      async forgetPrompts() {
        if (slotActions) slotActions = await eraseSlots(url, props.total_slots ?? 1, ctx.signal);
        requests.forget();
      },
      generate: (request) => requests.generate(request),
      close: async () => undefined,
    };
  }
  // Before the model: a wrong --llama-cpp-path should not wait for a synthetic model to be generated.
  const binary = serverBinary(ctx);
  const path = await resolveModel(modelRef, ctx);
  const metadata = await readGgufMetadata(path);
  const model = await modelIdentity(path, ctx.cacheDir, { metadata });
  // The context the model was trained for: W3 tiers beyond it are skipped, and no server is sized past it.
  const maxContext = metadata.contextLength;
  if (binary) {
    const { version, build: listed } = await probeServer(binary, ctx.cacheDir);
    const instead = await embeddedGpuInstead(listed, ctx);
    if (!instead) {
      const session = await openSpawned({ binary, path, model, maxContext, version: version.version ?? 'unknown', listed: listed ?? { kind: 'unknown' }, options, ctx });
      if (session.backendBuild?.kind === 'cpu') session.gpuHint = GPU_HINT;
      session.modelShape = shapeOf(metadata);
      return session;
    }
    ctx.log(
      `the llama-server found (${binary}) runs on the CPU: using the installed ${instead.toUpperCase()} build of the embedded engine instead (pass --llama-cpp-path to measure that llama-server)`,
    );
  } else {
    ctx.log(
      'no llama-server found: using the embedded llama.cpp engine (node-llama-cpp), slower than llama-server on small CPUs; for full-speed numbers put llama-server on PATH or pass --llama-cpp-path (a llama.cpp release: https://github.com/ggml-org/llama.cpp/releases, or your own build: https://github.com/ggml-org/llama.cpp/blob/master/docs/build.md)',
    );
  }
  // One thread: measured on the 2-core reference machine at 386–461 tok/s vs 88 tok/s with two
  // (bench/llamacpp-overhead.mjs); node-llama-cpp's extra threads contend with its own worker.
  const engine = await openEmbedded(path, { contextTokens: options.contextTokens, parallel: 1, maxContext, batching: EMBEDDED_BATCHING, env: ctx.env });
  if (embeddedGpuFailure) ctx.log(`embedded engine: ${embeddedGpuFailure}; it runs on the CPU (llm-speed engine list shows what is installed)`);
  const extras = (): Extras => ({ engine: 'embedded', threads: engine.threads, batch_size: engine.batchSize, sequences: engine.sequences, n_ctx: engine.contextSize });
  const session: DriverSession = {
    model,
    backendVersion: engine.version,
    backendBuild: engine.build,
    modelShape: shapeOf(metadata),
    capabilities: embeddedCapabilities(maxContext),
    extras: extras(),
    // The embedded engine decodes well below llama-server on small CPUs (README): results say which ran.
    flags: ['embedded-engine'],
    ...(engine.build.kind === 'cpu' ? { gpuHint: GPU_HINT } : {}),
    // Sized per workload as a spawned server is: W4's streams get a sequence each, decoded together.
    async prepare(needs) {
      await engine.prepare(needs);
      session.extras = extras();
    },
    // The warm-up's tokens stay in the sequence: W5's first turn would reuse its BOS token.
    forgetPrompts: () => engine.forget(),
    generate: (request) => engine.generate(request),
    close: () => engine.close(),
  };
  return session;
}

/**
 * The configuration a spawned llama-server runs with. `pool` set: one KV pool shared by the slots
 * (--kv-unified), each slot free to use up to all of it; unset: each slot holds `slotContext`.
 */
export interface ServerShape {
  slotContext: number;
  parallel: number;
  pool?: number;
}

/**
 * How spawned servers are scheduled over a run's workloads (LLM_SPEED_LLAMA_CPP_SCHEDULE).
 * `shared` (the default): one server per configuration the run needs, all started at open() and
 * none restarted — one slot with the longest single-stream request (W1, W2 and W5 share it) and,
 * when the run has W4, sixteen slots of one W4 stream each beside it. `unified`: one server for
 * everything, W4's slots sharing one --kv-unified pool that also holds W5 (measured: it halves
 * W4's per-stream decode, so it is not the default; bench/shared-server.mjs). `per-workload`: one
 * server, restarted whenever a workload needs another shape, as before.
 */
export type ServerSchedule = 'shared' | 'unified' | 'per-workload';

export function serverSchedule(env: DriverContext['env']): ServerSchedule {
  const wanted = env.LLM_SPEED_LLAMA_CPP_SCHEDULE;
  return wanted === 'per-workload' || wanted === 'unified' ? wanted : 'shared';
}

/**
 * The configurations a `shared` run starts: one slot holding the longest single-stream request,
 * and the multi-stream workloads' slots (as many as the largest batch, each one stream's context).
 */
export function sharedShapes(needs: OpenOptions, fit: (tokens: number) => number): ServerShape[] {
  const each = needs.perWorkload ?? [{ contextTokens: needs.contextTokens, parallel: needs.parallel }];
  const single = each.filter((w) => w.parallel <= 1);
  const multi = each.filter((w) => w.parallel > 1);
  const shapes: ServerShape[] = [];
  if (single.length > 0) shapes.push({ slotContext: fit(Math.max(...single.map((w) => w.contextTokens))), parallel: 1 });
  if (multi.length > 0) shapes.push({ slotContext: fit(Math.max(...multi.map((w) => w.contextTokens))), parallel: Math.max(...multi.map((w) => w.parallel)) });
  return shapes;
}

/**
 * The tokens the workloads of `needs` hold at once, each request capped by fit() at what the model
 * can hold: W4's streams times one stream's context, or W5's one conversation, whichever is more.
 */
export function poolTokens(needs: OpenOptions, fit: (tokens: number) => number): number {
  const each = needs.perWorkload ?? [{ contextTokens: needs.contextTokens, parallel: needs.parallel }];
  return Math.max(...each.map((w) => fit(w.contextTokens) * Math.max(1, w.parallel)));
}

/** The shape that holds `needs`: fit() caps one request's context at the model's trained length. */
export function shapeFor(needs: OpenOptions, fit: (tokens: number) => number, schedule: ServerSchedule): ServerShape {
  const slotContext = fit(needs.contextTokens);
  const parallel = Math.max(1, needs.parallel);
  if (schedule !== 'unified' || parallel === 1 || needs.perWorkload === undefined) return { slotContext, parallel };
  return { slotContext, parallel, pool: Math.max(slotContext, poolTokens(needs, fit)) };
}

/** Whether a running server of this shape can serve a workload with these needs as it is. */
export function shapeHolds(shape: ServerShape, needs: OpenOptions, fit: (tokens: number) => number): boolean {
  const context = fit(needs.contextTokens);
  const parallel = Math.max(1, needs.parallel);
  if (parallel > shape.parallel || context > shape.slotContext) return false;
  return shape.pool === undefined || poolTokens(needs, fit) <= shape.pool;
}

/**
 * Erases what every slot of a llama-server holds (POST /slots/<id>?action=erase, which llama-server
 * allows only when started with --slot-save-path). Resolves whether every slot was erased.
 */
async function eraseSlots(baseUrl: string, slots: number, signal: AbortSignal): Promise<boolean> {
  let all = true;
  for (let id = 0; id < slots; id++) {
    try {
      await postJson(`${baseUrl}/slots/${id}?action=erase`, {}, { headersTimeoutMs: 30_000, signal });
    } catch {
      all = false;
      // A server without slot actions refuses every slot alike: asking the others changes nothing.
      if (id === 0) break;
    }
  }
  return all;
}

/**
 * Makes a generate() that, after forget(), sends the next prefix-reusing request (W5's first
 * turn) with cache_prompt off: it then reuses nothing the server cached before — not the warm-up's
 * BOS token, not the slot a previous run left, not llama-server's RAM prompt cache — and the slot
 * it fills serves the later turns as usual.
 */
function coldAfterForget(url: () => string): { generate: DriverSession['generate']; forget(): void } {
  let cold = false;
  return {
    forget: () => {
      cold = true;
    },
    // Only the first request after forget() is affected: W5's first turn already asks for a cold
    // prefix (cachePrompt false), and its later turns must still reuse the turn before.
    generate: (request) => {
      const force = cold && request.cachePrompt;
      cold = false;
      return streamCompletion(url(), force ? { ...request, cachePrompt: false } : request);
    },
  };
}

interface RunningServer {
  shape: ServerShape;
  server: SpawnedServer;
  nCtx?: number;
}

/**
 * The llama-servers this driver starts and owns (ServerSchedule): by default one per configuration
 * the run needs — one slot holding the longest single-stream request, sixteen small slots for W4 —
 * started together at open(), before any timing, so no workload waits for a restart: W5 finds the
 * server W1 and W2 used, W4 its own. (One server whose W4 slots share a --kv-unified pool with W5's
 * conversation halved W4's per-stream decode: METHODOLOGY §1.6.) prepare() picks the server that
 * holds the workload, erases its slots so the workload starts on an empty cache as on a fresh
 * server, and restarts a server only for a workload no running one can hold (a W3 tier) or after a
 * crash. If the second server cannot start (memory), the run falls back to restarting one server
 * per workload. Everything happens between workloads, outside every timing.
 */
async function openSpawned(args: {
  binary: string;
  path: string;
  model: DriverSession['model'];
  maxContext?: number;
  version: string;
  /** What `--list-devices` says this build can use, for when the start-up log says nothing. */
  listed: BackendBuild;
  options: OpenOptions;
  ctx: DriverContext;
}): Promise<DriverSession & { readonly pid: number }> {
  const { binary, path, model, ctx } = args;
  const fit = (tokens: number) => Math.min(tokens, args.maxContext ?? Infinity);
  let schedule = serverSchedule(ctx.env);
  // Without a pool or per-workload needs a single server starts with one slot: sixteen slots of
  // W5's context would be a 300k-token cache.
  const singleShape = (needs: OpenOptions): ServerShape => {
    const wanted = shapeFor(needs, fit, schedule);
    return wanted.pool !== undefined ? wanted : { slotContext: wanted.slotContext, parallel: 1 };
  };
  // Slot actions need a folder; erase writes nothing to it. Removed when the session closes.
  const slotDir = await mkdtemp(join(tmpdir(), 'llm-speed-slots-'));
  const start = async (wanted: ServerShape): Promise<RunningServer> => {
    const slots = `${wanted.parallel} slot${wanted.parallel > 1 ? 's' : ''}`;
    ctx.log(`starting llama-server for ${model.name} (${wanted.pool ? `${slots} sharing ${wanted.pool} tokens of KV cache` : `${slots} of ${wanted.slotContext} tokens`})`);
    const started = await spawnServer({
      binary,
      model: path,
      contextTokens: wanted.slotContext,
      parallel: wanted.parallel,
      ...(wanted.pool ? { unifiedPoolTokens: wanted.pool } : {}),
      slotSavePath: slotDir,
      signal: ctx.signal,
    });
    const props = await getJson<ServerProps>(`${started.baseUrl}/props`, { headersTimeoutMs: 10_000, signal: ctx.signal }).catch(() => ({}) as ServerProps);
    return { shape: wanted, server: started, nCtx: props.default_generation_settings?.n_ctx };
  };
  const stopAll = (list: RunningServer[]) => Promise.all(list.map((r) => r.server.stop()));

  let running: RunningServer[] = [];
  try {
    const shapes = schedule === 'shared' && args.options.perWorkload ? sharedShapes(args.options, fit) : [singleShape(args.options)];
    const started = await Promise.allSettled(shapes.map(start));
    running = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await stopAll(running);
      running = [];
      const reason = errorMessage(failed.reason);
      // One server that cannot start is the run's error; a second that cannot (memory, an old
      // llama-server without --kv-unified) leaves one server, restarted per workload.
      if (shapes.length === 1 && !(shapes[0]!.pool && /kv-unified/.test(reason))) throw failed.reason;
      ctx.log(`llama-server could not run ${shapes.length > 1 ? 'beside itself' : 'with --kv-unified'} (${reason.split('\n')[0]}): restarting one server per workload instead`);
      schedule = 'per-workload';
      running = [await start(singleShape(args.options))];
    }
  } catch (error) {
    await rm(slotDir, { recursive: true, force: true });
    throw error;
  }
  let active = running[0]!;
  const extras = (): Extras => ({
    engine: 'server',
    mode: 'spawn',
    threads: active.server.threads,
    parallel: active.shape.parallel,
    ...(active.nCtx ? { n_ctx: active.nCtx } : {}),
    kv_unified: active.shape.pool !== undefined,
    // With one pool, n_ctx (one slot's most, capped at the trained context) does not say its size.
    ...(active.shape.pool !== undefined ? { kv_tokens: active.server.kvTokens } : {}),
    llama_servers: running.length,
  });
  // What the server loaded the model on, by its own start-up log; the device list when the log is silent.
  const build = (): BackendBuild => parseStartupLog(active.server.startupLog) ?? args.listed;
  const requests = coldAfterForget(() => active.server.baseUrl);

  const session: DriverSession & { readonly pid: number } = {
    // The process id is for local supervision and tests, never for results: it stays out of extras.
    get pid() {
      return active.server.pid;
    },
    model,
    backendVersion: args.version,
    backendBuild: build(),
    capabilities: spawnedCapabilities(args.maxContext),
    extras: extras(),
    async prepare(needs) {
      // The running server with the fewest slots that holds this workload.
      const holding = running.filter((r) => shapeHolds(r.shape, needs, fit)).sort((a, b) => a.shape.parallel - b.shape.parallel)[0];
      if (holding && !holding.server.exited) {
        active = holding;
        // Each workload starts on an empty cache, as on a fresh server: no other slot's cells in the pool.
        await eraseSlots(active.server.baseUrl, active.shape.parallel, ctx.signal);
      } else {
        // A crashed server would fail every later workload with "connection refused": it is started
        // again. A workload no server holds replaces the one nearest its shape.
        const replaced = holding ?? running.find((r) => r.shape.parallel === Math.max(1, needs.parallel)) ?? active;
        if (replaced.server.exited) ctx.log(`llama-server (pid ${replaced.server.pid}) is no longer running: starting it again`);
        await replaced.server.stop();
        active = await start(holding ? holding.shape : shapeFor(needs, fit, schedule));
        running = [...running.filter((r) => r !== replaced), active];
      }
      session.extras = extras();
      session.backendBuild = build();
    },
    async forgetPrompts() {
      await eraseSlots(active.server.baseUrl, active.shape.parallel, ctx.signal);
      requests.forget();
    },
    generate: (request) => requests.generate(request),
    close: async () => {
      await stopAll(running);
      await rm(slotDir, { recursive: true, force: true });
    },
  };
  return session;
}

export const llamaCppDriver: Driver = { name: NAME, detect, listModels, open };
