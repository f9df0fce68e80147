/**
 * `llm-speed validate`: schema validation for CI pipelines. Each file gets a verdict and one
 * line per problem; the schema is named or guessed from the file's shape.
 */
import { readFile } from 'node:fs/promises';
import { check } from '../contract/validate.js';
import { errorMessage } from '../errors.js';
import type { SchemaName } from '@llm-speed/schemas';

export const SCHEMA_ALIASES: Record<string, SchemaName> = {
  result: 'workload-result',
  'workload-result': 'workload-result',
  run: 'run',
  config: 'config',
  suite: 'suite',
  driver: 'driver',
};

export interface FileVerdict {
  file: string;
  schema: SchemaName | null;
  valid: boolean;
  errors: string[];
}

/** Guesses which schema a document is meant for from the fields that only that schema has. */
export function guessSchema(value: unknown): SchemaName | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if ('fingerprint' in v && 'results' in v) return 'run';
  if ('workload' in v && 'decode_tps' in v) return 'workload-result';
  if ('workloads' in v && 'fixtures' in v) return 'suite';
  if ('detection' in v) return 'driver';
  return 'config';
}

async function parseFile(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  if (/\.ya?ml$/i.test(file)) {
    const yaml = await import('js-yaml');
    return yaml.load(text);
  }
  return JSON.parse(text);
}

export async function validateFile(file: string, schema?: SchemaName): Promise<FileVerdict> {
  let value: unknown;
  try {
    value = await parseFile(file);
  } catch (error) {
    return { file, schema: schema ?? null, valid: false, errors: [`cannot read: ${errorMessage(error).split('\n')[0]}`] };
  }
  const chosen = schema ?? guessSchema(value);
  if (!chosen) return { file, schema: null, valid: false, errors: ['not a JSON object; pass --schema to say what it should be'] };
  const errors = check(chosen, value);
  return { file, schema: chosen, valid: errors.length === 0, errors };
}
