/**
 * The driver contract test suite. A driver author calls `runDriverContractTests(...)` inside their
 * own mocha run; every bundled driver runs it too. It checks what the harness relies on:
 * detect/listModels shapes (driver.schema.json), token event order and monotonic timestamps,
 * a TTFT that cannot start before the request left nor end before the backend's first token,
 * token counts that agree with what the backend produced, exact output length (or an honest
 * end-of-sequence stop where the backend cannot force it), the chat (`messages`) path W5 uses,
 * the suite's sampling arriving in the backend's request (spelt as its API family spells greedy),
 * a request without sampling refused with an error naming the field, and that aborting stops
 * generation within a deadline and close() releases the backend.
 *
 * The timing and request checks need to see the backend's side: pass `backend` with what a
 * stand-in backend (a ReplayServer, a fake runner module) recorded. Without it only the checks
 * that need no backend's view run.
 */
import assert from 'node:assert/strict';
import type { ChatMessage, Driver, DriverContext, DriverSession, GenerationEvent, GenerationRequest, Sampling } from '../contract/driver.js';
import { SUITE_SAMPLING, samplingOnTheWire, type SamplingWire } from '../contract/sampling.js';
import { check } from '../contract/validate.js';
import { resolveDriverSettings } from '../config/driver-settings.js';
import { now } from '../harness/clock.js';

/** One request as the stand-in backend saw it. */
export interface ContractBackendRequest {
  path: string;
  /** The body parsed as JSON. */
  json?: unknown;
  /** The raw body, when there is one. */
  body?: string;
  /** When the backend had the whole request, on the harness clock (`now()`), when it shares the test's process. */
  receivedAt?: number;
}

export interface ContractBackend {
  /** What the stand-in backend received, in order (a ReplayServer's `requests` qualifies). */
  requests(): ContractBackendRequest[] | Promise<ContractBackendRequest[]>;
  /** The generation endpoint(s); requests to other paths (model loads, chat templates, probes) are not generations. */
  generationPath: string | RegExp;
  /** The backend holds its first token back at least this long after it has the request (ms). */
  firstTokenDelayMs?: number;
  /**
   * Where the backend's wire format carries each sampling setting, as a dotted path into the
   * request body (vLLM: `{ temperature: 'temperature', topK: 'top_k', seed: 'seed' }`, Ollama:
   * `'options.top_k'`). Every listed setting must arrive with the value the request asked for.
   */
  sampling?: Partial<Record<keyof Sampling, string>>;
  /**
   * The API family the generation requests speak (METHODOLOGY §3.4.1): every request must carry
   * exactly the fields `samplingOnTheWire(wire, sampling)` gives and none it rules out (llama-server:
   * its own `repeat_penalty`, a top-k-only `samplers` chain, never `repetition_penalty`, which it
   * ignores). For `llama-server` also `ignore_eos: true` and `cache_prompt` as the request asked:
   * the same work per token whichever driver sends it.
   */
  wire?: SamplingWire;
}

export interface DriverContractOptions {
  /** A factory so each test gets a fresh driver (state must not leak between tests). */
  driver: () => Driver | Promise<Driver>;
  /** Context overrides: config (e.g. a loopback URL), cacheDir, env. */
  context?: Partial<DriverContext>;
  /** Model to open; undefined lets the driver pick its default. */
  modelRef?: string;
  /** Tokens to ask for in the generation checks (default 16). */
  outputTokens?: number;
  /** Deadline for one generation, ms (default 120 s). */
  generationTimeoutMs?: number;
  /** Deadline from abort() to the end of the stream, ms (default 5 s). */
  abortDeadlineMs?: number;
  /** Set false for a driver that cannot run here: only the detect/listModels shape checks run. */
  canGenerate?: boolean;
  /** The stand-in backend's view, for the timing, count and request checks. */
  backend?: ContractBackend;
  /** The mocha `describe`/`it` to register with (defaults to the globals). */
  mocha?: { describe: Mocha.SuiteFunction; it: Mocha.TestFunction; after: Mocha.HookFunction };
}

/** The suite's greedy sampling with a seed of its own, so a driver that sends a fixed seed of its own is caught. */
export const CONTRACT_SAMPLING: Readonly<Sampling> = Object.freeze({ ...SUITE_SAMPLING, seed: 4242 });

/** A short W5-shaped conversation: every role W5 sends, a tool result included. */
export const CONTRACT_CHAT: readonly ChatMessage[] = Object.freeze([
  { role: 'system', content: 'You are a coding agent. Answer tersely.' },
  { role: 'user', content: 'Read the file counter.py and tell me what it does.' },
  { role: 'assistant', content: 'read_file("counter.py")' },
  { role: 'tool', name: 'read_file', content: 'def count(n):\n    return list(range(1, n + 1))' },
  { role: 'user', content: 'Now count from one to one hundred, separated by commas.' },
]);

function baseContext(overrides: Partial<DriverContext> = {}, signal?: AbortSignal): DriverContext {
  return {
    config: {},
    cacheDir: overrides.cacheDir ?? process.env.LLM_SPEED_TEST_CACHE_DIR ?? `${process.env.HOME ?? '.'}/.cache/llm-speed`,
    env: process.env,
    log: () => {},
    ...overrides,
    signal: signal ?? overrides.signal ?? new AbortController().signal,
  };
}

/**
 * The context the CLI would give the driver: its settings resolved by the framework, as from the
 * config file's drivers.<name> section (here `context.settings`, or `context.config.drivers`) and
 * its LLM_SPEED_<NAME>_<KEY> variables in `context.env`, validated against its settingsSchema.
 */
function contextFor(driver: Driver, overrides: Partial<DriverContext> = {}): DriverContext {
  const base = baseContext(overrides);
  const sections = (base.config.drivers ?? {}) as Record<string, unknown>;
  return { ...base, settings: resolveDriverSettings(driver, { file: overrides.settings ?? sections[driver.name], env: base.env }) };
}

interface Collected {
  events: GenerationEvent[];
  /** When generate() was called: TTFT starts here unless the driver yields `sent`. */
  calledAt: number;
}

async function collect(session: DriverSession, request: Omit<GenerationRequest, 'signal' | 'sampling'>, signal: AbortSignal): Promise<Collected> {
  const events: GenerationEvent[] = [];
  const calledAt = now();
  for await (const e of session.generate({ ...request, sampling: { ...CONTRACT_SAMPLING }, signal })) events.push(e);
  return { events, calledAt };
}

type TokensEvent = Extract<GenerationEvent, { type: 'tokens' }>;
type UsageEvent = Extract<GenerationEvent, { type: 'usage' }>;
type SentEvent = Extract<GenerationEvent, { type: 'sent' }>;

function valueAt(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function matches(path: string, pattern: string | RegExp): boolean {
  const bare = path.split('?')[0]!;
  return typeof pattern === 'string' ? bare === pattern : pattern.test(bare);
}

/** The checks every generation must pass, whatever it was asked. */
function checkEvents(session: DriverSession, { events, calledAt }: Collected, n: number): { first: TokensEvent; start: number; sent?: SentEvent } {
  const last = events[events.length - 1];
  assert.equal(last?.type, 'done', 'the stream ends with a done event');
  assert.equal(events.filter((e) => e.type === 'done').length, 1, 'exactly one done event');
  const tokens = events.filter((e): e is TokensEvent => e.type === 'tokens');
  assert.ok(tokens.length > 0, 'tokens arrived');
  for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i]!.t >= tokens[i - 1]!.t, 'arrival timestamps never go back');
  assert.ok(tokens.every((e) => Number.isFinite(e.t)) && Number.isFinite(last.t), 'timestamps are clock readings');
  assert.ok(last.t >= tokens[tokens.length - 1]!.t, 'done comes no earlier than the last tokens');
  assert.ok(tokens.every((e) => Number.isInteger(e.count) && e.count >= 0));
  const sent = events.filter((e): e is SentEvent => e.type === 'sent');
  assert.ok(sent.length <= 1, 'at most one sent event');
  const first = tokens.find((e) => e.count > 0) ?? tokens[0]!;
  if (sent[0]) {
    assert.ok(events.indexOf(sent[0]) < events.indexOf(tokens[0]!), 'sent comes before the first tokens');
    assert.ok(Number.isFinite(sent[0].t) && sent[0].t >= calledAt, 'sent is stamped after generate() was called');
  }
  const start = sent[0]?.t ?? calledAt;
  assert.ok(first.t > start, `the first token arrived after the request left (TTFT ${first.t - start} ms)`);
  const usage = events.find((e): e is UsageEvent => e.type === 'usage');
  const arrived = tokens.reduce((s, e) => s + e.count, 0);
  // An arrival mark may carry fewer tokens than the chunk held, never more than the backend produced.
  if (usage?.outputTokens !== undefined) assert.ok(arrived <= usage.outputTokens, `arrivals count ${arrived} tokens, the backend says it produced ${usage.outputTokens}`);
  const produced = usage?.outputTokens ?? arrived;
  if (session.capabilities.exact_output_length) assert.equal(produced, n, 'exactly the requested number of tokens');
  else assert.ok(produced <= n && (produced === n || last.stopReason !== 'length'), 'fewer tokens only with an end-of-sequence stop');
  return { first, start, sent: sent[0] };
}

/** How early a setTimeout may fire by performance.now(): libuv's loop clock counts whole milliseconds. */
const TIMER_GRANULARITY_MS = 1;

/** The backend's view of the generation just made: when it had the request, and what it was told. */
async function checkBackendSide(backend: ContractBackend, seenBefore: number, timing: ReturnType<typeof checkEvents>, expectText: string[], cachePrompt: boolean): Promise<void> {
  const all = await backend.requests();
  const generations = all.slice(seenBefore).filter((r) => matches(r.path, backend.generationPath));
  assert.equal(generations.length, 1, `one generation request reached the backend (saw ${generations.length})`);
  const req = generations[0]!;
  if (req.receivedAt !== undefined) {
    assert.ok(timing.first.t > req.receivedAt, 'the first tokens event comes after the backend had the request');
    if (timing.sent) assert.ok(timing.sent.t <= req.receivedAt, 'sent is stamped before the request reached the backend');
  }
  if (backend.firstTokenDelayMs !== undefined) {
    const ttft = timing.first.t - timing.start;
    // The backend's hold is a setTimeout, which libuv fires against its loop time, cached in whole
    // milliseconds: it can end up to 1 ms early by performance.now() (seen: 24.9 ms for a 25 ms hold
    // on a loaded 2-core machine). A driver that starts TTFT late loses far more than that.
    assert.ok(ttft >= backend.firstTokenDelayMs - TIMER_GRANULARITY_MS, `TTFT ${ttft.toFixed(1)} ms is shorter than the ${backend.firstTokenDelayMs} ms the backend held its first token`);
  }
  for (const [setting, path] of Object.entries(backend.sampling ?? {})) {
    assert.equal(valueAt(req.json, path), CONTRACT_SAMPLING[setting as keyof Sampling], `sampling ${setting} arrives as ${path} = ${CONTRACT_SAMPLING[setting as keyof Sampling]}`);
  }
  if (backend.wire) {
    const { fields, absent } = samplingOnTheWire(backend.wire, CONTRACT_SAMPLING);
    for (const [path, value] of Object.entries(fields)) assert.deepEqual(valueAt(req.json, path), value, `${backend.wire}: greedy sends ${path} = ${JSON.stringify(value)}`);
    for (const path of absent) assert.equal(valueAt(req.json, path), undefined, `${backend.wire}: the request carries no ${path}`);
    if (backend.wire === 'llama-server') {
      assert.equal(valueAt(req.json, 'ignore_eos'), true, 'llama-server: ignore_eos, so the output is as long as asked');
      assert.equal(valueAt(req.json, 'cache_prompt'), cachePrompt, `llama-server: cache_prompt ${cachePrompt}, as the request asked`);
    }
  }
  const text = req.body ?? JSON.stringify(req.json ?? '');
  for (const piece of expectText) {
    // JSON bodies escape newlines and quotes: compare each line of the expected text on its own.
    for (const line of piece.split('\n')) assert.ok(text.includes(JSON.stringify(line).slice(1, -1)) || text.includes(line), `the request carries "${line.slice(0, 40)}"`);
  }
}

export function runDriverContractTests(name: string, options: DriverContractOptions): void {
  const { describe, it, after } = options.mocha ?? (globalThis as unknown as { describe: Mocha.SuiteFunction; it: Mocha.TestFunction; after: Mocha.HookFunction });
  const n = options.outputTokens ?? 16;
  const deadline = options.generationTimeoutMs ?? 120_000;
  const abortDeadline = options.abortDeadlineMs ?? 5_000;
  const backend = options.backend;
  const seen = async () => (backend ? (await backend.requests()).length : 0);

  describe(`driver contract: ${name}`, function () {
    this.timeout(deadline * 4);
    const sessions: DriverSession[] = [];
    after(async () => {
      for (const s of sessions) await s.close().catch(() => {});
    });

    it('detect() answers a valid DriverDetection with its own name', async () => {
      const driver = await options.driver();
      const detection = await driver.detect(contextFor(driver, options.context));
      assert.deepEqual(check('driver', detection, 'DriverDetection'), []);
      assert.equal(detection.name, driver.name);
      if (!detection.available) assert.ok(detection.reason && !detection.reason.includes('\n'), 'an unavailable driver gives a one-line reason');
    });

    it('settingsSchema, when the driver has one, compiles and accepts the settings this suite runs with', async () => {
      const driver = await options.driver();
      if (!driver.settingsSchema) return;
      // The framework validates ctx.settings with it before the driver sees them: a schema that does not compile skips the driver.
      assert.ok(contextFor(driver, options.context).settings);
    });

    it('listModels() answers valid ModelInfo entries', async () => {
      const driver = await options.driver();
      const detection = await driver.detect(contextFor(driver, options.context));
      if (!detection.available) return;
      const models = await driver.listModels(contextFor(driver, options.context));
      assert.ok(Array.isArray(models));
      for (const m of models) assert.deepEqual(check('driver', m, 'ModelInfo'), []);
    });

    if (options.canGenerate === false) return;

    it(`generates ${n} tokens: events in order, a real TTFT, counts the backend agrees with, exact length or an honest stop, the suite's sampling sent`, async () => {
      const driver = await options.driver();
      const session = await driver.open(options.modelRef, { contextTokens: 1024, parallel: 1 }, contextFor(driver, options.context));
      sessions.push(session);
      assert.deepEqual(check('driver', { ...session.capabilities }, 'DriverCapabilities'), []);
      if (session.backendBuild) assert.deepEqual(check('workload-result', session.backendBuild, 'BackendBuild'), [], 'backendBuild is a valid BackendBuild');
      const before = await seen();
      const prompt = 'Count from one to one hundred, separated by commas:';
      const collected = await collect(session, { prompt, maxTokens: n, cachePrompt: false }, new AbortController().signal);
      const timing = checkEvents(session, collected, n);
      if (backend) await checkBackendSide(backend, before, timing, [prompt], false);
    });

    it(`generates ${n} tokens from a chat conversation (messages, as W5 sends them)`, async () => {
      const driver = await options.driver();
      const session = await driver.open(options.modelRef, { contextTokens: 1024, parallel: 1 }, contextFor(driver, options.context));
      sessions.push(session);
      const before = await seen();
      const messages = CONTRACT_CHAT.map((m) => ({ ...m }));
      const collected = await collect(session, { messages, maxTokens: n, cachePrompt: true }, new AbortController().signal);
      const timing = checkEvents(session, collected, n);
      if (backend)
        await checkBackendSide(
          backend,
          before,
          timing,
          messages.map((m) => m.content),
          true,
        );
    });

    it('a request without sampling is refused with a contract error naming the field, and nothing is sent', async () => {
      const driver = await options.driver();
      const session = await driver.open(options.modelRef, { contextTokens: 1024, parallel: 1 }, contextFor(driver, options.context));
      sessions.push(session);
      const before = await seen();
      // What a driver test written for framework 0.1 sends: no sampling.
      const old = { prompt: 'Count from one to ten:', maxTokens: n, cachePrompt: false, signal: new AbortController().signal } as unknown as GenerationRequest;
      let failure: unknown;
      try {
        for await (const _ of session.generate(old)) void _;
      } catch (error) {
        failure = error;
      }
      assert.ok(failure instanceof Error, "generate() without sampling must fail, not generate with the backend's defaults");
      assert.notEqual(failure.name, 'TypeError', `a raw TypeError instead of a contract error: ${failure.message}`);
      assert.match(failure.message, /sampling/, `the error names the missing field: ${failure.message}`);
      if (backend) {
        const generations = (await backend.requests()).slice(before).filter((r) => matches(r.path, backend.generationPath));
        assert.equal(generations.length, 0, 'no generation request reached the backend');
      }
    });

    it(`aborting stops the generation within ${abortDeadline} ms and close() releases the backend`, async () => {
      const driver = await options.driver();
      const session = await driver.open(options.modelRef, { contextTokens: 2048, parallel: 1 }, contextFor(driver, options.context));
      sessions.push(session); // closed in after() too if an assertion below fails
      const abort = new AbortController();
      let seenTokens = 0;
      let abortedAt: number | undefined;
      const started = now();
      try {
        for await (const e of session.generate({
          prompt: 'Write a very long story about measuring things.',
          maxTokens: 1000,
          cachePrompt: false,
          sampling: { ...CONTRACT_SAMPLING },
          signal: abort.signal,
        })) {
          if (e.type === 'tokens') {
            seenTokens += e.count;
            if (seenTokens >= 2 && abortedAt === undefined) {
              abortedAt = now();
              abort.abort();
            }
          }
        }
      } catch (error) {
        // Throwing on abort is allowed; hanging is not. An error before the abort is a real failure.
        if (!abort.signal.aborted) throw error;
      }
      const stoppedAt = now();
      // Without this, a generation that failed or ended at once would pass as "stopped early".
      assert.ok(abort.signal.aborted && abortedAt !== undefined, 'tokens arrived, so the test could abort mid-generation');
      assert.ok(seenTokens < 1000, 'generation stopped before the requested length');
      assert.ok(stoppedAt - abortedAt < abortDeadline, `the stream ended ${Math.round(stoppedAt - abortedAt)} ms after abort (deadline ${abortDeadline} ms)`);
      assert.ok(stoppedAt - started < deadline, 'stopped within the generation deadline');
      await session.close();
      await session.close(); // idempotent
    });
  });
}
