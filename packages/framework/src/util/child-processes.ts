/**
 * Every backend process the CLI starts (llama-server, the Python runners) is registered here, so
 * none outlives the CLI: on an interrupt the command kills what its drivers did not stop in time,
 * and on 'exit' (which process.exit reaches, and which the CLI's signal handlers make sure to
 * reach) a synchronous SIGKILL takes the rest. Without a handler, SIGTERM and SIGHUP end Node
 * without any 'exit' event, which is how llama-server used to be orphaned.
 *
 * The registry lives on globalThis under a registered symbol: a plugin that resolved its own copy
 * of the framework still shares the CLI's one set.
 */
import type { ChildProcess } from 'node:child_process';

interface Registry {
  live: Set<ChildProcess>;
  exitHook: boolean;
}

const KEY = Symbol.for('llm-speed.supervised-children');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (holder[KEY] ??= { live: new Set(), exitHook: false });
}

/** Registers a child that must end when the CLI ends; it leaves the set by itself when it exits. */
export function superviseChild(child: ChildProcess): void {
  const reg = registry();
  reg.live.add(child);
  const forget = () => reg.live.delete(child);
  child.once('exit', forget);
  child.once('error', forget);
  if (!reg.exitHook) {
    reg.exitHook = true;
    // Only synchronous work runs on 'exit': a kill is a syscall, so it does.
    process.once('exit', () => killSupervisedChildren('SIGKILL'));
  }
}

/** Sends `signal` to every registered child still running; returns how many. */
export function killSupervisedChildren(signal: NodeJS.Signals = 'SIGKILL'): number {
  let count = 0;
  for (const child of registry().live) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      if (child.kill(signal)) count++;
    } catch {
      // already gone
    }
  }
  return count;
}

/** The pids of registered children still running (tests, diagnostics). */
export function supervisedPids(): number[] {
  return [...registry().live].filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined).map((c) => c.pid!);
}
