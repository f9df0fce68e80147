/**
 * `llm-speed plugins install|link` run npm through @oclif/plugin-plugins, which reports a failed
 * npm only as "<node> …/npm-cli.js install … exited with code 1" (and `link` runs npm with
 * --loglevel=silent, so nothing else is printed). npm still writes the log of every run to its
 * logs folder; for such a failure we read the log of that run and put npm's own error lines
 * (E404, ENOENT, ERESOLVE, …) into the error the user sees, with the log's path.
 */
import { Errors } from '@oclif/core';
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

const NPM_EXIT = /(?:npm-cli\.js|[\\/]npm(?:\.cmd)?)\s+(\S.*?) exited with code (\d+)/s;
const MAX_LINES = 20;

export interface NpmExit {
  /** The npm arguments, as the failed command line printed them. */
  args: string;
  code: number;
}

/** The npm exit that @oclif/plugin-plugins reports, or undefined for any other error. */
export function npmExit(error: unknown): NpmExit | undefined {
  const match = NPM_EXIT.exec(error instanceof Error ? error.message : String(error));
  return match ? { args: match[1].trim(), code: Number(match[2]) } : undefined;
}

/** npm's error lines from a debug log ("12 error code E404" → "npm error code E404"), without the log-path line. */
export function npmErrorLines(log: string): string[] {
  const lines: string[] = [];
  for (const line of log.split('\n')) {
    const match = /^\d+ error ?(.*)$/.exec(line);
    if (match && !match[1].startsWith('A complete log of this run')) lines.push(`npm error ${match[1]}`.trimEnd());
  }
  return lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES), `npm error … (${lines.length - MAX_LINES} more lines in the log)`] : lines;
}

/** Where npm writes its logs when nothing overrides it: <cache>/_logs. */
function defaultLogsDir(env: NodeJS.ProcessEnv): string {
  if (env.npm_config_logs_dir) return env.npm_config_logs_dir;
  const cache = env.npm_config_cache || (process.platform === 'win32' && env.LOCALAPPDATA ? join(env.LOCALAPPDATA, 'npm-cache') : join(homedir(), '.npm'));
  return join(cache, '_logs');
}

/** Asks npm (the one on PATH) for its logs folder, for configurations set in an .npmrc. */
function configuredLogsDir(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('npm', ['config', 'get', 'logs-dir'], { timeout: 10_000, shell: process.platform === 'win32' }, (error, stdout) => resolve(error ? undefined : stdout.trim() || undefined));
  });
}

/** The newest npm log written since `since` (ms) whose error lines exist; preferring the one run with `args`. */
async function findLog(dir: string, since: number, args: string): Promise<{ path: string; text: string } | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /-debug-\d+\.log$/.test(n));
  } catch {
    return undefined;
  }
  const recent = [];
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs >= since - 1000) recent.push({ path, mtime: info.mtimeMs });
  }
  recent.sort((a, b) => b.mtime - a.mtime);
  const firstArg = args.split(/\s+/).find((a, i) => i > 0 && !a.startsWith('-'));
  let fallback: { path: string; text: string } | undefined;
  for (const { path } of recent) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (npmErrorLines(text).length === 0) continue;
    if (!firstArg || text.includes(JSON.stringify(firstArg))) return { path, text };
    fallback ??= { path, text };
  }
  return fallback;
}

/**
 * The error to show for `error`: unchanged unless it is a failed npm run of the plugin commands,
 * in which case a CLIError whose message carries npm's own reason and the path of its full log.
 */
export async function explainNpmFailure(error: unknown, since: number, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const exit = npmExit(error);
  if (!exit) return error;
  let log = await findLog(defaultLogsDir(env), since, exit.args);
  if (!log) {
    const configured = await configuredLogsDir();
    if (configured && configured !== defaultLogsDir(env)) log = await findLog(configured, since, exit.args);
  }
  if (!log) return error;
  const command = exit.args.split(/\s+/)[0] || 'install';
  return new Errors.CLIError([`npm ${command} failed (exit code ${exit.code}). npm says:`, ...npmErrorLines(log.text), `npm's full log: ${log.path}`].join('\n'), {
    exit: 1,
  });
}
