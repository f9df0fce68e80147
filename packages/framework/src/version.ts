import { readFileSync } from 'node:fs';

/** The framework's own version, read from its package.json so it cannot drift. */
export const frameworkVersion: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
