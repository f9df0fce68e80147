/**
 * In-process llama.cpp through node-llama-cpp, used when no llama-server is installed.
 * Issue §3 measured that threads and sampling decide everything here: defaults gave 2.2 tok/s,
 * one thread with greedy sampling 560 tok/s on the 2-core test machine. So: greedy sampling
 * (topK 1, temperature 0) and an explicit thread count, both reported in extras.
 */
import { DriverError, errorMessage, now, type GenerationEvent, type GenerationRequest } from '@llm-speed/framework';
import type { ChatHistoryItem, Token } from 'node-llama-cpp';
import { toolResultAsUserText } from '../tool-turn.js';

export interface EmbeddedEngine {
  version: string;
  threads: number;
  batchSize: number;
  generate(request: GenerationRequest): AsyncGenerator<GenerationEvent>;
  close(): Promise<void>;
}

async function nodeLlamaCppVersion(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { readFile } = await import('node:fs/promises');
  const require = createRequire(import.meta.url);
  // The package's exports do not list package.json; find it next to the resolved entry point.
  const entry = require.resolve('node-llama-cpp');
  const root = entry.slice(0, entry.lastIndexOf('node-llama-cpp') + 'node-llama-cpp'.length);
  return (JSON.parse(await readFile(`${root}/package.json`, 'utf8')) as { version: string }).version;
}

export async function embeddedVersion(): Promise<string | undefined> {
  try {
    const nlc = await import('node-llama-cpp');
    const llama = await nlc.getLlama({ gpu: false, build: 'never' });
    return `${llama.llamaCppRelease.release} (node-llama-cpp ${await nodeLlamaCppVersion()}, embedded)`;
  } catch {
    return undefined;
  }
}

export async function openEmbedded(modelPath: string, options: { contextTokens: number; threads?: number }): Promise<EmbeddedEngine> {
  const nlc = await import('node-llama-cpp');
  const threads = options.threads ?? 1;
  const batchSize = 512;
  const llama = await nlc.getLlama({ gpu: false, build: 'never', maxThreads: threads });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: Math.max(256, options.contextTokens), batchSize, threads, sequences: 1 });
  const sequence = context.getSequence();
  const version = (await embeddedVersion()) ?? 'node-llama-cpp (embedded)';

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

  // One sequence, so one generation at a time: W4's simultaneous streams queue here (the session
  // is flagged serial-concurrency). Interleaved, they cleared each other's KV history mid-stream.
  let turn: Promise<void> = Promise.resolve();
  const nextTurn = async (): Promise<() => void> => {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const previous = turn;
    turn = previous.then(() => mine);
    await previous;
    return release;
  };

  async function* generate(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    const release = await nextTurn();
    try {
      yield* generateAlone(request);
    } finally {
      release();
    }
  }

  async function* generateAlone(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    const tokens = withBos(request.prompt !== undefined ? model.tokenize(request.prompt) : chatTokens(request.messages ?? []));
    // Events are collected by the callback and drained here; the callback stamps arrival with now().
    const queue: GenerationEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    let produced = 0;
    let cached = 0;
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
      const iterator = sequence.evaluate(tokens.slice(cached), { temperature: 0, topK: 1 });
      for await (const _token of iterator) {
        produced++;
        queue.push({ type: 'tokens', t: now(), count: 1 });
        wake?.();
        if (produced >= request.maxTokens || request.signal.aborted) break;
      }
    })()
      .catch((error) => (failure = error))
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
    yield { type: 'usage', promptTokens: tokens.length, outputTokens: produced, cachedPromptTokens: cached };
    yield { type: 'done', t: now(), stopReason: request.signal.aborted ? 'abort' : 'length', extras: {} };
  }

  return {
    version,
    threads,
    batchSize,
    generate,
    close: async () => {
      await context.dispose();
      await model.dispose();
    },
  };
}
