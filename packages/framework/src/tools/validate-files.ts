/**
 * `llm-speed validate`: schema validation for CI pipelines, for every file the CLI writes — a run,
 * its `.local.json` and `.timings.json` sidecars, a config file — and the other documents the
 * schemas define. Each file gets a verdict naming what it was found to be and one line per
 * problem; the kind is named with --schema or told from the file's name and shape.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Driver } from '../contract/driver.js';
import type { LlmSpeedConfig } from '../contract/generated/config.js';
import { check } from '../contract/validate.js';
import { errorMessage } from '../errors.js';
import { resolveDriverSettings, unknownDriverSections } from '../config/driver-settings.js';
import { unknownBackend } from '../harness/select-backend.js';
import { loadSuite, type LoadedSuite } from '../suite/load.js';
import { selectWorkloads } from '../suite/select.js';
import type { SchemaName } from '@llm-speed/schemas';

export type FileKind = 'run' | 'run-local' | 'run-timings' | 'workload-result' | 'config' | 'suite' | 'driver';

/** Each kind of file, the schema (and $defs entry) it is checked against, and what it is in words. */
export const FILE_KINDS: Record<FileKind, { schema: SchemaName; definition?: string; what: string }> = {
  run: { schema: 'run', what: 'a run: the signed payload `llm-speed bench` saves and uploads' },
  'run-local': { schema: 'run', definition: 'LocalRunMeta', what: "a run's local sidecar: the privacy mode --resume needs, never uploaded" },
  'run-timings': { schema: 'run', definition: 'RunTimings', what: "a run's timings sidecar: per-token decode intervals, kept locally" },
  'workload-result': { schema: 'workload-result', what: 'one workload result' },
  config: { schema: 'config', what: 'an llm-speed config file' },
  suite: { schema: 'suite', what: 'a workload suite definition' },
  driver: { schema: 'driver', what: "a driver's report (detection and models)" },
};

/** --schema values: every kind, plus `result` for a workload result. */
export const SCHEMA_ALIASES: Record<string, FileKind> = {
  run: 'run',
  'run-local': 'run-local',
  'run-timings': 'run-timings',
  result: 'workload-result',
  'workload-result': 'workload-result',
  config: 'config',
  suite: 'suite',
  driver: 'driver',
};

export interface FileVerdict {
  file: string;
  /** What the file was taken to be. */
  kind: FileKind | null;
  /** The schema it was checked against (a kind's schema; the sidecars are $defs of run). */
  schema: SchemaName | null;
  valid: boolean;
  errors: string[];
}

/**
 * What a document is, from its name (the sidecars the CLI writes next to a run) and then from the
 * fields only that kind has; anything else is read as a config file.
 */
export function classifyDocument(value: unknown, file = ''): FileKind | null {
  if (file.endsWith('.local.json')) return 'run-local';
  if (file.endsWith('.timings.json')) return 'run-timings';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if ('fingerprint' in v && 'results' in v) return 'run';
  if ('run' in v && 'privacy_mode' in v) return 'run-local';
  if ('run' in v && 'results' in v) return 'run-timings';
  if ('workload' in v && 'decode_tps' in v) return 'workload-result';
  if ('workloads' in v && 'fixtures' in v) return 'suite';
  if ('detection' in v) return 'driver';
  return 'config';
}

/** Kept for callers that only want the schema name. */
export function guessSchema(value: unknown): SchemaName | null {
  const kind = classifyDocument(value);
  return kind ? FILE_KINDS[kind].schema : null;
}

/** The run file a sidecar belongs to: the `run` it names, next to it. */
export function sidecarRunPath(file: string, value: unknown): string {
  const named = (value as { run?: unknown } | null)?.run;
  if (typeof named === 'string' && named && !/[\\/]/.test(named)) return join(dirname(file), named);
  return join(dirname(file), basename(file).replace(/\.(local|timings)\.json$/, '.json'));
}

async function parseFile(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  if (/\.json$/i.test(file)) return JSON.parse(text);
  // YAML (a superset of JSON) for .yaml/.yml and the extension-less .llm-speedrc; a file of
  // comments only (a fresh `llm-speed config init`) is an empty config.
  const yaml = await import('js-yaml');
  return yaml.load(text) ?? {};
}

/** What `llm-speed validate` knows beyond the schema: the installed drivers, by name and settings schema. */
export interface ValidateOptions {
  /** The installed drivers (bundled and plugins). Without them, backend names and driver sections are not checked. */
  drivers?: ReadonlyArray<Pick<Driver, 'name' | 'settingsSchema'>>;
}

/** As ValidateOptions, with the drivers found only when a config file needs them (discovery loads every plugin). */
export interface ValidateFileOptions {
  drivers?: () => Promise<ReadonlyArray<Pick<Driver, 'name' | 'settingsSchema'>>>;
}

/**
 * What `bench` would refuse in a schema-valid config file, in bench's own words, each line led by
 * where it is (`/workloads: unknown workload "W9"; suite-v1 has W1 chat-short, …`): the suite
 * version exists, every workload (top level and in each matrix run) is one of that suite's,
 * every backend is an installed driver, every `drivers.<name>` section belongs to one and passes
 * its settings schema. Bench checks the same through the same functions (selectWorkloads,
 * loadSuite, chooseDriver's unknownBackend, resolveDriverSettings), so the two cannot disagree.
 */
export function configProblems(config: LlmSpeedConfig, options: ValidateOptions = {}): string[] {
  const problems: string[] = [];
  const attempt = (at: string, fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      problems.push(`${at}: ${errorMessage(error)}`);
    }
  };
  let suite: LoadedSuite | undefined;
  attempt('/suite', () => (suite = loadSuite(config.suite ?? 'suite-v1')));
  if (suite) {
    const loaded = suite;
    if (config.workloads) attempt('/workloads', () => selectWorkloads(loaded, config.workloads));
    for (const [i, run] of (config.matrix?.runs ?? []).entries()) {
      if (run.workloads) attempt(`/matrix/runs/${i}/workloads`, () => selectWorkloads(loaded, run.workloads));
    }
  }
  if (options.drivers) {
    const installed = options.drivers.map((d) => d.name);
    const known = (name: string) => installed.some((n) => n.toLowerCase() === name.toLowerCase());
    if (config.backend && !known(config.backend)) problems.push(`/backend: ${unknownBackend(config.backend, installed).message}`);
    for (const [i, run] of (config.matrix?.runs ?? []).entries()) {
      if (run.backend && !known(run.backend)) problems.push(`/matrix/runs/${i}/backend: ${unknownBackend(run.backend, installed).message}`);
    }
    for (const line of unknownDriverSections(config.drivers, installed)) problems.push(`/drivers: ${line.replace(/^config file: /, '')}`);
    const sections = (config.drivers ?? {}) as Record<string, unknown>;
    for (const driver of options.drivers) {
      if (sections[driver.name] === undefined) continue;
      attempt(`/drivers/${driver.name}`, () => resolveDriverSettings(driver, { file: sections[driver.name], env: {} }));
    }
  }
  return problems;
}

export async function validateFile(file: string, kind?: FileKind, options: ValidateFileOptions = {}): Promise<FileVerdict> {
  let value: unknown;
  try {
    value = await parseFile(file);
  } catch (error) {
    return { file, kind: kind ?? null, schema: kind ? FILE_KINDS[kind].schema : null, valid: false, errors: [`cannot read: ${errorMessage(error).split('\n')[0]}`] };
  }
  const chosen = kind ?? classifyDocument(value, file);
  if (!chosen) return { file, kind: null, schema: null, valid: false, errors: ['not a JSON object; pass --schema to say what it should be'] };
  const { schema, definition } = FILE_KINDS[chosen];
  const errors = check(schema, value, definition);
  // Past the schema, a config is checked for what bench would refuse (its suite, workloads, backends).
  if (errors.length === 0 && chosen === 'config') errors.push(...configProblems(value as LlmSpeedConfig, { drivers: await options.drivers?.() }));
  return { file, kind: chosen, schema, valid: errors.length === 0, errors };
}
