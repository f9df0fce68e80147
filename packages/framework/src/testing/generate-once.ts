/** Small helpers for a driver's own unit tests: a context, and one generation's events. */
import { tmpdir } from 'node:os';
import type { ChatMessage, Driver, DriverContext, DriverSession, GenerationEvent, OpenOptions } from '../contract/driver.js';
import { SUITE_SAMPLING } from '../contract/sampling.js';

/** A driver context for tests: no config, a temp cache folder, this process's env, a fresh signal, no log; overrides win. */
export function driverTestContext(overrides: Partial<DriverContext> = {}): DriverContext {
  return { config: {}, cacheDir: tmpdir(), env: process.env, signal: new AbortController().signal, log: () => undefined, ...overrides };
}

/**
 * Opens `modelRef`, runs one generation (the suite's sampling; a prompt or messages, maxTokens,
 * cachePrompt true unless said) to its end, and closes the session whatever happens.
 */
export async function generateOnce(
  driver: Driver,
  modelRef: string | undefined,
  request: { prompt?: string; messages?: ChatMessage[]; maxTokens: number; cachePrompt?: boolean },
  ctx: DriverContext = driverTestContext(),
  options: OpenOptions = { contextTokens: 512, parallel: 1 },
): Promise<{ session: DriverSession; events: GenerationEvent[] }> {
  const session = await driver.open(modelRef, options, ctx);
  const events: GenerationEvent[] = [];
  try {
    for await (const e of session.generate({ cachePrompt: true, ...request, sampling: SUITE_SAMPLING, signal: new AbortController().signal })) events.push(e);
  } finally {
    await session.close();
  }
  return { session, events };
}
