/**
 * SIGINT, SIGTERM and SIGHUP end a command the same way: the first one aborts in-flight work
 * through the command's AbortSignal (drivers stop their backends, bench keeps and saves what
 * finished), and the process then exits with 128 + the signal number (130, 143, 129), so a script
 * or a supervisor sees that the run was interrupted. A second signal, or work that does not wind
 * down within the grace period, kills every backend process the CLI started and exits at once.
 *
 * "A second signal" means a second request from the user, not the first one delivered twice: a
 * parent that forwards the terminal's Ctrl-C to its child (a package runner's signal forwarding,
 * an init like tini) makes one keypress arrive twice within milliseconds, and taking that for
 * "quit now" would lose the run the first one was saving. The same signal again within
 * DUPLICATE_SIGNAL_MS is that one keypress; a person's second Ctrl-C takes longer.
 */
import { killSupervisedChildren } from '@llm-speed/framework';

export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** 128 + signal number, as shells report a process ended by that signal. */
export const SIGNAL_EXIT_CODES: Record<InterruptSignal, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The same signal again within this many ms is one delivery forwarded twice, not a second Ctrl-C. */
export const DUPLICATE_SIGNAL_MS = 250;

export interface InterruptHandle {
  /** The first signal received, if any. */
  readonly received: InterruptSignal | undefined;
  /** The exit code the process must end with (undefined when not interrupted). */
  readonly exitCode: number | undefined;
  /** Removes the handlers; if interrupted, sets process.exitCode and makes sure the process ends. */
  dispose(): void;
}

export function handleInterrupts(options: { onInterrupt(signal: InterruptSignal): void; log(line: string): void; graceMs?: number }): InterruptHandle {
  let received: InterruptSignal | undefined;
  let receivedAt = 0;
  const exitNow = (signal: InterruptSignal) => {
    killSupervisedChildren('SIGKILL');
    process.exit(SIGNAL_EXIT_CODES[signal]);
  };
  const handlers = new Map<InterruptSignal, () => void>();
  for (const signal of INTERRUPT_SIGNALS) {
    const handler = () => {
      if (received) {
        if (signal === received && performance.now() - receivedAt < DUPLICATE_SIGNAL_MS) return;
        return exitNow(received);
      }
      received = signal;
      receivedAt = performance.now();
      options.log(`interrupted (${signal}): stopping the backend and keeping what finished${signal === 'SIGINT' ? ' (Ctrl-C again to quit now)' : ''}`);
      // A backend that ignores its stop request must not hold the CLI (or itself) forever.
      setTimeout(() => exitNow(signal), options.graceMs ?? 20_000).unref();
      options.onInterrupt(signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return {
    get received() {
      return received;
    },
    get exitCode() {
      return received ? SIGNAL_EXIT_CODES[received] : undefined;
    },
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      if (!received) return;
      process.exitCode = SIGNAL_EXIT_CODES[received];
      killSupervisedChildren('SIGTERM');
      // Whatever still holds the event loop (a stdin listener, a socket) must not keep an
      // interrupted CLI alive: the 'exit' hook then SIGKILLs any child that ignored SIGTERM.
      const code = SIGNAL_EXIT_CODES[received];
      setTimeout(() => process.exit(code), 3_000).unref();
    },
  };
}
