/**
 * Where llm-speed keeps things on disk. Config (keys, consent) and cache (runs, models, builds)
 * follow the XDG base directories; LLM_SPEED_CONFIG_DIR / LLM_SPEED_CACHE_DIR override them.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

function xdg(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const value = env[variable];
  return value && value.startsWith('/') ? value : join(env.HOME || homedir(), fallback);
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LLM_SPEED_CONFIG_DIR || join(xdg(env, 'XDG_CONFIG_HOME', '.config'), 'llm-speed');
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LLM_SPEED_CACHE_DIR || join(xdg(env, 'XDG_CACHE_HOME', '.cache'), 'llm-speed');
}

export function runsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'runs');
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LLM_SPEED_DATA_DIR || join(xdg(env, 'XDG_DATA_HOME', '.local/share'), 'llm-speed');
}
