// Loads every schema once so consumers (the CLI, the server, third-party CI) share one copy.
import { readFileSync } from 'node:fs';

const load = (name) => JSON.parse(readFileSync(new URL(`./${name}.schema.json`, import.meta.url), 'utf8'));

export const schemaNames = ['driver', 'workload-result', 'run', 'suite', 'config'];
export const schemas = Object.fromEntries(schemaNames.map((name) => [name, load(name)]));
export const schemaPath = (name) => new URL(`./${name}.schema.json`, import.meta.url).pathname;
