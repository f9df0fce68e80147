/**
 * Runs the real `llm-speed` binary (the built dist) in a sandbox of temp folders, so tests never
 * touch the user's config, cache or plugin data. End-to-end tests only; unit tests call library code.
 */
import { execa, type Result, type ResultPromise } from 'execa';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

/** A finished run: output as text (execa's default encoding), a failure as an exit code, not a throw. */
export type CliResult = Result<{ reject: false }>;

/** The running CLI: awaited, its CliResult; meanwhile its stdio streams and kill(), as execa gives them. */
export type CliRun = ResultPromise<{ reject: false }>;

export interface Sandbox {
  root: string;
  env: Record<string, string>;
  run(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number; input?: string }): CliRun;
  cleanup(): void;
}

export function sandbox(extraEnv: Record<string, string> = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'llm-speed-cli-'));
  const env: Record<string, string> = {
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_CACHE_HOME: join(root, 'cache'),
    LLM_SPEED_CONFIG_DIR: join(root, 'config', 'llm-speed'),
    // Shared across tests so the synthetic model and the llama.cpp build are made once.
    LLM_SPEED_CACHE_DIR: process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(root, 'cache', 'llm-speed'),
    NO_COLOR: '1',
    ...extraEnv,
  };
  return {
    root,
    env,
    run: (args, options = {}) =>
      execa('node', [BIN, ...args], {
        env: { ...env, ...options.env },
        reject: false,
        timeout: options.timeoutMs ?? 120_000,
        input: options.input,
        cwd: root,
      }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The commands the CLI printed for pasting: each stands alone on a line, two spaces in. */
export function printedCommands(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('  llm-speed '))
    .map((line) => line.slice(2));
}

/**
 * Pastes a printed command into a shell, as a user would: bash runs the line as it is, with
 * `llm-speed` on PATH (a shim for this checkout's binary), in `cwd`, with only `env` — by default
 * none of the LLM_SPEED_* variables the printing invocation had, so the command must carry what
 * matters itself.
 */
export async function paste(line: string, options: { env: Record<string, string>; cwd: string; input?: string; timeoutMs?: number }): Promise<CliResult> {
  const bin = mkdtempSync(join(tmpdir(), 'llm-speed-shim-'));
  writeFileSync(join(bin, 'llm-speed'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'llm-speed'), 0o755);
  try {
    return await execa('bash', ['-c', line], {
      env: { ...options.env, PATH: `${bin}:/usr/bin:/bin` },
      extendEnv: false,
      reject: false,
      cwd: options.cwd,
      input: options.input,
      timeout: options.timeoutMs ?? 120_000,
    });
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}
