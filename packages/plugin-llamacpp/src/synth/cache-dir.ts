import { cacheDir } from '@llm-speed/framework';

/** llm-speed's cache folder, resolved once for every package by the framework (paths.ts). */
export function resolveCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return cacheDir(env);
}
