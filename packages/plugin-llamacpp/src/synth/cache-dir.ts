import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * llm-speed's cache folder: LLM_SPEED_CACHE_DIR, else $XDG_CACHE_HOME/llm-speed, else
 * ~/.cache/llm-speed. Local to this plugin until the framework provides it.
 */
export function resolveCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LLM_SPEED_CACHE_DIR) return env.LLM_SPEED_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'llm-speed');
  return join(homedir(), '.cache', 'llm-speed');
}
