/**
 * In-process llama.cpp through node-llama-cpp, used when no llama-server is installed.
 * Issue §3 measured that threads and sampling decide everything here: defaults gave 2.2 tok/s,
 * one thread with greedy sampling 560 tok/s on the 2-core test machine. So: the request's
 * (greedy) sampling and an explicit thread count, both reported in extras.
 *
 * With `batching`, simultaneous streams (W4) each get a sequence of one context, and
 * node-llama-cpp decodes the sequences that have a token queued in one batch, as llama-server's
 * slots are: the engine is then sized per workload like a spawned server (prepare()), one
 * sequence with W5's whole context or sixteen small ones for W4. Without it (the driver's choice,
 * see EMBEDDED_BATCHING in driver.ts) one sequence serves the streams one after another.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { DriverError, errorMessage, now, requestSampling, type BackendBuild, type GenerationEvent, type GenerationRequest, type OpenOptions } from '@llm-speed/framework';
import type { ChatHistoryItem, Llama, LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';
import { toolResultAsUserText } from '../tool-turn.js';
import { exposeEngine, installedEngine, type InstalledEngine } from '../engine/store.js';

export interface EmbeddedEngine {
  version: string;
  build: BackendBuild;
  threads: number;
  batchSize: number;
  /** Sequences of the current context: simultaneous streams it decodes together. */
  readonly sequences: number;
  /** Context tokens of each sequence. */
  readonly contextSize: number;
  generate(request: GenerationRequest): AsyncGenerator<GenerationEvent>;
  /** Re-creates the context when a workload needs more sequences or context (untimed, between workloads). */
  prepare(needs: OpenOptions): Promise<void>;
  /** Clears every sequence (untimed, between workloads): nothing evaluated before is reused after. */
  forget(): Promise<void>;
  close(): Promise<void>;
}

/** node-llama-cpp's package folder (its exports do not list package.json). */
export function nodeLlamaCppRoot(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('node-llama-cpp');
  return entry.slice(0, entry.lastIndexOf('node-llama-cpp') + 'node-llama-cpp'.length);
}

export async function nodeLlamaCppVersion(): Promise<string> {
  return (JSON.parse(await readFile(`${nodeLlamaCppRoot()}/package.json`, 'utf8')) as { version: string }).version;
}

/**
 * The commit of the llama.cpp source node-llama-cpp ships (llama/gitRelease.bundle, the same
 * bundle scripts/build-llama-server.sh builds llama-server from): a git bundle starts with a text
 * header, "# v2 git bundle" then "<sha> <ref>" lines.
 */
export async function bundledLlamaCppCommit(root = nodeLlamaCppRoot()): Promise<string | undefined> {
  try {
    const head = (await readFile(`${root}/llama/gitRelease.bundle`)).subarray(0, 4096).toString('latin1');
    return /^([0-9a-f]{40}) /m.exec(head)?.[1]?.slice(0, 7);
  } catch {
    return undefined;
  }
}

/**
 * "0.5.0 (de3ff81), node-llama-cpp 3.22.1": llama.cpp's release and commit spelt as a llama-server
 * built from the same source names itself (detect.ts), then the binding's version.
 */
async function versionOf(llama: Llama): Promise<string> {
  const release = llama.llamaCppRelease.release.replace(/^v(?=\d)/, '');
  const commit = await bundledLlamaCppCommit();
  return `${commit ? `${release} (${commit})` : release}, node-llama-cpp ${await nodeLlamaCppVersion()}`;
}

/** The same spelling as versionOf(), from the files node-llama-cpp ships (llama/llama.cpp.info.json's tag). */
async function versionWithoutLoading(): Promise<string> {
  const info = await readFile(`${nodeLlamaCppRoot()}/llama/llama.cpp.info.json`, 'utf8').then(
    (t) => JSON.parse(t) as { tag?: string },
    () => ({}) as { tag?: string },
  );
  const release = info.tag?.replace(/^v(?=\d)/, '');
  const commit = await bundledLlamaCppCommit();
  const llamaCpp = release && commit ? `${release} (${commit})` : (release ?? (commit ? `(${commit})` : undefined));
  return `${llamaCpp ? `${llamaCpp}, ` : ''}node-llama-cpp ${await nodeLlamaCppVersion()}`;
}

/** What node-llama-cpp's getLlama() loaded: its GPU type (false: the CPU) and the GPU names. */
async function buildOf(llama: Llama): Promise<BackendBuild> {
  const gpu = llama.gpu;
  if (gpu === false) return { kind: 'cpu' };
  const kind: BackendBuild['kind'] = gpu === 'cuda' || gpu === 'vulkan' || gpu === 'metal' ? gpu : 'unknown';
  const names = await llama.getGpuDeviceNames().catch(() => [] as string[]);
  return names.length > 0 ? { kind, devices: [...new Set(names.map((n) => n.slice(0, 64)))].slice(0, 16) } : { kind };
}

/**
 * The GPU the embedded engine is asked to use: the build `llm-speed engine install` put in the
 * data folder for this node-llama-cpp version, or Metal on Apple silicon (its one build, which
 * ships with llm-speed); otherwise none. What it then runs on is what node-llama-cpp reports.
 */
export async function embeddedGpu(env: NodeJS.ProcessEnv = process.env): Promise<{ gpu: 'cuda' | 'vulkan' | 'metal'; engine?: InstalledEngine } | undefined> {
  const engine = await installedEngine(await nodeLlamaCppVersion(), env).catch(() => undefined);
  if (engine) return { gpu: engine.gpu, engine };
  if (process.platform === 'darwin' && process.arch === 'arm64') return { gpu: 'metal' };
  return undefined;
}

/** Set when the GPU build was asked for and did not load: the engine then runs on the CPU, and says why. */
export let embeddedGpuFailure: string | undefined;

async function loadLlama(threads?: number, env: NodeJS.ProcessEnv = process.env): Promise<Llama> {
  const nlc = await import('node-llama-cpp');
  const common = { build: 'never' as const, ...(threads ? { maxThreads: threads } : {}) };
  embeddedGpuFailure = undefined;
  const wanted = await embeddedGpu(env);
  if (wanted) {
    if (wanted.engine) exposeEngine(wanted.engine);
    try {
      // progressLogs off: a build that cannot load is reported once, by the driver, not by node-llama-cpp's console.
      return await nlc.getLlama({ ...common, gpu: wanted.gpu, progressLogs: false });
    } catch (error) {
      embeddedGpuFailure = `the ${wanted.gpu.toUpperCase()} build did not load (${errorMessage(error).split('\n')[0]})`;
    }
  }
  return nlc.getLlama({ ...common, gpu: false });
}

export async function embeddedInfo(env: NodeJS.ProcessEnv = process.env): Promise<{ version: string; build: BackendBuild } | undefined> {
  // An installed GPU engine is named without loading it: loading initialises the GPU (seconds on
  // a CUDA machine), which `detect` must not pay; the run reports what it actually ran on.
  const wanted = await embeddedGpu(env).catch(() => undefined);
  if (wanted?.engine) {
    return { version: await versionWithoutLoading(), build: { kind: wanted.gpu } };
  }
  try {
    const llama = await loadLlama(undefined, env);
    return { version: await versionOf(llama), build: await buildOf(llama) };
  } catch {
    return undefined;
  }
}

export async function openEmbedded(
  modelPath: string,
  options: { contextTokens: number; parallel?: number; maxContext?: number; threads?: number; batching?: boolean; env?: NodeJS.ProcessEnv },
): Promise<EmbeddedEngine> {
  const nlc = await import('node-llama-cpp');
  const threads = options.threads ?? 1;
  const batchSize = 512;
  const llama = await loadLlama(threads, options.env);
  const model = await llama.loadModel({ modelPath });
  const fit = (tokens: number) => Math.max(256, Math.min(tokens, options.maxContext ?? Infinity));

  let context: LlamaContext;
  let all: LlamaContextSequence[] = [];
  let free: LlamaContextSequence[] = [];
  const sequencesFor = (parallel: number) => (options.batching ? Math.max(1, parallel) : 1);
  let sizing = { contextSize: fit(options.contextTokens), sequences: sequencesFor(options.parallel ?? 1) };
  const waiting: Array<(sequence: LlamaContextSequence) => void> = [];
  const createContext = async () => {
    context = await model.createContext({ contextSize: sizing.contextSize, batchSize: Math.max(batchSize, sizing.sequences), threads, sequences: sizing.sequences });
    all = Array.from({ length: sizing.sequences }, () => context.getSequence());
    free = [...all];
  };
  await createContext();

  // Chat turns go through the model's own chat template from the GGUF, as llama-server's
  // /apply-template does, so W5 sends the same kind of prompt on both engines. Without a template
  // llama-server falls back to ChatML (llama.cpp src/llama-chat.cpp: "<|im_start|>{role}\n{content}
  // <|im_end|>\n" per message, then "<|im_start|>assistant\n"), and so does this engine.
  const ggufTemplate = (model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }).tokenizer?.chat_template;
  const templateWrapper = typeof ggufTemplate === 'string' ? nlc.resolveChatWrapper(model) : undefined;
  // llama-server starts every prompt with BOS when the vocabulary asks for it; tokenize() does not.
  const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
  const withBos = (tokens: Token[]): Token[] => (bos !== null && tokens[0] !== bos ? [bos, ...tokens] : tokens);
  const chatTokens = (messages: NonNullable<GenerationRequest['messages']>): Token[] => {
    if (!templateWrapper) {
      const text = messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
      return model.tokenize(text, true);
    }
    const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
      if (m.role === 'system') return { type: 'system', text: m.content };
      if (m.role === 'assistant') return { type: 'model', response: [m.content] };
      // Tool results travel as a user turn, as the server path does for templates without a tool role.
      if (m.role === 'tool') return { type: 'user', text: toolResultAsUserText(m) };
      return { type: 'user', text: m.content };
    });
    // An empty model turn at the end: the context ends where the assistant's answer begins.
    history.push({ type: 'model', response: [] });
    return templateWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer);
  };

  // Each generation holds one sequence; more simultaneous streams than sequences wait their turn.
  // The lowest free sequence is taken, so consecutive requests (W5's turns) reuse the same one.
  const acquire = async (): Promise<LlamaContextSequence> => {
    free.sort((a, b) => all.indexOf(a) - all.indexOf(b));
    const sequence = free.shift();
    if (sequence) return sequence;
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (sequence: LlamaContextSequence) => {
    const next = waiting.shift();
    if (next) next(sequence);
    else free.push(sequence);
  };

  async function* generate(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    const sequence = await acquire();
    try {
      yield* generateOn(sequence, request);
    } finally {
      release(sequence);
    }
  }

  async function* generateOn(sequence: LlamaContextSequence, request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    const tokens = withBos(request.prompt !== undefined ? model.tokenize(request.prompt) : chatTokens(request.messages ?? []));
    // Events are collected by the callback and drained here; the callback stamps arrival with now().
    const queue: GenerationEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    let produced = 0;
    let cached = 0;
    const { temperature, topK, topP, minP, seed } = requestSampling(request);
    const run = (async () => {
      if (request.cachePrompt) {
        // What llama-server's cache_prompt does: keep the longest common prefix of the previous
        // request (W5 re-sends its growing conversation) and evaluate only the rest. At least the
        // last prompt token is evaluated again, so there are logits to sample the first token from.
        await sequence.adaptStateToTokens(tokens, false);
        cached = Math.max(0, Math.min(sequence.nextTokenIndex, tokens.length - 1));
        if (sequence.nextTokenIndex > cached) await sequence.eraseContextTokenRanges([{ start: cached, end: sequence.nextTokenIndex }]);
      } else {
        await sequence.clearHistory();
      }
      // The suite's sampling; no repetition penalty is configured, so none applies.
      const iterator = sequence.evaluate(tokens.slice(cached), { temperature, topK, topP, minP, seed });
      for await (const _token of iterator) {
        produced++;
        queue.push({ type: 'tokens', t: now(), count: 1 });
        wake?.();
        if (produced >= request.maxTokens || request.signal.aborted) break;
      }
    })()
      .catch((error: unknown) => {
        failure = error;
      })
      .finally(() => {
        finished = true;
        wake?.();
      });
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    await run;
    if (failure && !request.signal.aborted) throw new DriverError('llama.cpp', `embedded generation failed: ${errorMessage(failure)}`, { cause: failure });
    // Counted here with the model's own tokenizer, not reported by a server: token_counts "tokenizer".
    yield { type: 'usage', promptTokens: tokens.length, outputTokens: produced, cachedPromptTokens: cached, countedBy: 'tokenizer' };
    yield { type: 'done', t: now(), stopReason: request.signal.aborted ? 'abort' : 'length', extras: {} };
  }

  return {
    version: await versionOf(llama),
    build: await buildOf(llama),
    threads,
    batchSize,
    get sequences() {
      return sizing.sequences;
    },
    get contextSize() {
      return sizing.contextSize;
    },
    generate,
    async prepare(needs) {
      const wanted = { contextSize: fit(needs.contextTokens), sequences: sequencesFor(needs.parallel) };
      if (wanted.contextSize === sizing.contextSize && wanted.sequences === sizing.sequences) return;
      // Called between workloads, when no generation holds a sequence.
      await context.dispose();
      sizing = wanted;
      await createContext();
    },
    async forget() {
      // Called between workloads, when no generation holds a sequence.
      for (const sequence of all) await sequence.clearHistory();
    },
    close: async () => {
      await context.dispose();
      await model.dispose();
    },
  };
}
