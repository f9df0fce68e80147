/**
 * The driver contract test suite. A driver author calls `runDriverContractTests(...)` inside their
 * own mocha run; every bundled driver runs it too. It checks what the harness relies on:
 * detect/listModels shapes (driver.schema.json), token event order and monotonic timestamps,
 * exact output length (or an honest end-of-sequence stop where the backend cannot force it),
 * and that aborting stops generation promptly and close() releases the backend.
 */
import assert from 'node:assert/strict';
import type { Driver, DriverContext, DriverSession, GenerationEvent } from '../contract/driver.js';
import { check } from '../contract/validate.js';

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
  /** Set false for a driver that cannot run here: only the detect/listModels shape checks run. */
  canGenerate?: boolean;
  /** The mocha `describe`/`it` to register with (defaults to the globals). */
  mocha?: { describe: Mocha.SuiteFunction; it: Mocha.TestFunction; after: Mocha.HookFunction };
}

function context(overrides: Partial<DriverContext> = {}, signal?: AbortSignal): DriverContext {
  return {
    config: {},
    cacheDir: overrides.cacheDir ?? process.env.LLM_SPEED_TEST_CACHE_DIR ?? `${process.env.HOME ?? '.'}/.cache/llm-speed`,
    env: process.env,
    log: () => {},
    ...overrides,
    signal: signal ?? overrides.signal ?? new AbortController().signal,
  };
}

async function collect(session: DriverSession, maxTokens: number, signal: AbortSignal): Promise<GenerationEvent[]> {
  const events: GenerationEvent[] = [];
  for await (const e of session.generate({ prompt: 'Count from one to one hundred, separated by commas:', maxTokens, cachePrompt: true, signal })) {
    events.push(e);
  }
  return events;
}

export function runDriverContractTests(name: string, options: DriverContractOptions): void {
  const { describe, it, after } = options.mocha ?? (globalThis as unknown as { describe: Mocha.SuiteFunction; it: Mocha.TestFunction; after: Mocha.HookFunction });
  const n = options.outputTokens ?? 16;
  const deadline = options.generationTimeoutMs ?? 120_000;

  describe(`driver contract: ${name}`, function () {
    this.timeout(deadline * 3);
    const sessions: DriverSession[] = [];
    after(async () => {
      for (const s of sessions) await s.close().catch(() => {});
    });

    it('detect() answers a valid DriverDetection with its own name', async () => {
      const driver = await options.driver();
      const detection = await driver.detect(context(options.context));
      assert.deepEqual(check('driver', detection, 'DriverDetection'), []);
      assert.equal(detection.name, driver.name);
      if (!detection.available) assert.ok(detection.reason && !detection.reason.includes('\n'), 'an unavailable driver gives a one-line reason');
    });

    it('listModels() answers valid ModelInfo entries', async () => {
      const driver = await options.driver();
      const detection = await driver.detect(context(options.context));
      if (!detection.available) return;
      const models = await driver.listModels(context(options.context));
      assert.ok(Array.isArray(models));
      for (const m of models) assert.deepEqual(check('driver', m, 'ModelInfo'), []);
    });

    if (options.canGenerate === false) return;

    it(`generates ${n} tokens: events in order, monotonic timestamps, exact length or an honest stop`, async () => {
      const driver = await options.driver();
      const session = await driver.open(options.modelRef, { contextTokens: 512, parallel: 1 }, context(options.context));
      sessions.push(session);
      assert.deepEqual(check('driver', { ...session.capabilities }, 'DriverCapabilities'), []);
      const events = await collect(session, n, new AbortController().signal);
      const last = events[events.length - 1];
      assert.equal(last?.type, 'done', 'the stream ends with a done event');
      assert.equal(events.filter((e) => e.type === 'done').length, 1, 'exactly one done event');
      const tokens = events.filter((e): e is Extract<GenerationEvent, { type: 'tokens' }> => e.type === 'tokens');
      assert.ok(tokens.length > 0, 'tokens arrived');
      for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i]!.t >= tokens[i - 1]!.t, 'arrival timestamps never go back');
      assert.ok(tokens.every((e) => Number.isFinite(e.t)) && Number.isFinite(last.t), 'timestamps are clock readings');
      assert.ok(last.t >= tokens[tokens.length - 1]!.t, 'done comes no earlier than the last tokens');
      assert.ok(tokens.every((e) => Number.isInteger(e.count) && e.count >= 0));
      const sent = events.filter((e): e is Extract<GenerationEvent, { type: 'sent' }> => e.type === 'sent');
      assert.ok(sent.length <= 1, 'at most one sent event');
      if (sent[0]) {
        assert.ok(events.indexOf(sent[0]) < events.indexOf(tokens[0]!), 'sent comes before the first tokens');
        assert.ok(Number.isFinite(sent[0].t) && sent[0].t <= tokens[0]!.t, 'sent is stamped no later than the first token');
      }
      const usage = events.find((e): e is Extract<GenerationEvent, { type: 'usage' }> => e.type === 'usage');
      const produced = usage?.outputTokens ?? tokens.reduce((s, e) => s + e.count, 0);
      if (session.capabilities.exact_output_length) assert.equal(produced, n, 'exactly the requested number of tokens');
      else assert.ok(produced <= n && (produced === n || last.stopReason !== 'length'), 'fewer tokens only with an end-of-sequence stop');
    });

    it('aborting stops the generation promptly and close() releases the backend', async () => {
      const driver = await options.driver();
      const session = await driver.open(options.modelRef, { contextTokens: 2048, parallel: 1 }, context(options.context));
      sessions.push(session); // closed in after() too if an assertion below fails
      const abort = new AbortController();
      let seen = 0;
      const started = performance.now();
      try {
        for await (const e of session.generate({ prompt: 'Write a very long story about measuring things.', maxTokens: 1000, cachePrompt: false, signal: abort.signal })) {
          if (e.type === 'tokens') {
            seen += e.count;
            if (seen >= 2) abort.abort();
          }
        }
      } catch (error) {
        // Throwing on abort is allowed; hanging is not. An error before the abort is a real failure.
        if (!abort.signal.aborted) throw error;
      }
      // Without this, a generation that failed or ended at once would pass as "stopped early".
      assert.ok(abort.signal.aborted, 'tokens arrived, so the test could abort mid-generation');
      assert.ok(seen < 1000, 'generation stopped before the requested length');
      assert.ok(performance.now() - started < deadline, 'stopped within the deadline');
      await session.close();
      await session.close(); // idempotent
    });
  });
}
