/**
 * Settings of driver plugins. A driver declares the keys it takes as a JSON Schema
 * (`Driver.settingsSchema`); the user sets them in the config file's `drivers.<name>` section, in
 * `LLM_SPEED_<NAME>_<KEY>` environment variables, or with a flag the CLI has for a bundled driver,
 * with the precedence every setting has: flag > env > config file. The framework merges the
 * layers, validates the result with ajv against the driver's own schema — errors name the driver,
 * the key and where the value came from — and hands the driver its section as `ctx.settings`.
 *
 * The variable of a key: `LLM_SPEED_`, then the driver name and the key joined by `_`, upper-cased,
 * with every `-` and `.` as `_` (openai-compat + base_url → LLM_SPEED_OPENAI_COMPAT_BASE_URL).
 */
import * as Ajv2020Module from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type { Driver } from '../contract/driver.js';
import { describeErrors } from '../contract/validate.js';
import { DriverError, ValidationError, errorMessage } from '../errors.js';
import { nearest } from '../util/nearest.js';

const Ajv2020 = Ajv2020Module.default.default ?? Ajv2020Module.default;
const addFormats = addFormatsModule.default.default ?? addFormatsModule.default;

/** A driver's settings schema: a JSON Schema (draft 2020-12) for its `drivers.<name>` object. */
export type DriverSettingsSchema = Record<string, unknown>;

type SettingsLayer = Record<string, unknown>;

export interface DriverSettingsLayers {
  /** The config file's `drivers.<name>` section. */
  file?: unknown;
  env: NodeJS.ProcessEnv;
  /** Values set by command-line flags, keyed as in the schema; each with the flag that set it. */
  flags?: Record<string, { value: unknown; flag: string }>;
}

/** `LLM_SPEED_<NAME>_<KEY>`: upper case, `-` and `.` as `_`. */
export function driverEnvVar(driver: string, key: string): string {
  return `LLM_SPEED_${driver}_${key}`.replace(/[-.]/g, '_').toUpperCase();
}

/** The keys a settings schema declares, with their JSON types. */
function declaredKeys(schema: DriverSettingsSchema): Record<string, string | undefined> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  const out: Record<string, string | undefined> = {};
  for (const [key, property] of Object.entries(properties)) out[key] = typeof property?.type === 'string' ? property.type : undefined;
  return out;
}

/** An environment value as the schema's type wants it; what cannot be read is left as text for ajv to refuse by name. */
function fromEnv(raw: string, type: string | undefined): unknown {
  switch (type) {
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return raw;
    case 'integer':
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'array':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'object':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

// Third-party schemas may use keywords or formats of their own: not strict, unlike our own schemas.
let ajv: InstanceType<typeof Ajv2020> | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(driver: string, schema: DriverSettingsSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    if (!ajv) {
      ajv = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
      addFormats(ajv);
    }
    try {
      fn = ajv.compile(schema);
    } catch (error) {
      throw new DriverError(driver, `its settings schema is not a valid JSON Schema: ${errorMessage(error)}`, {
        suggestions: ['This is a bug in the driver plugin: tell its author.'],
      });
    }
    compiled.set(schema, fn);
  }
  return fn;
}

/**
 * A driver's resolved settings: config file < environment < flags, validated against the driver's
 * schema. Without a schema the config file's section is passed through as it is (a driver that
 * wants environment variables and validation declares one).
 */
export function resolveDriverSettings(driver: Pick<Driver, 'name' | 'settingsSchema'>, layers: DriverSettingsLayers): Record<string, unknown> {
  const file = layers.file;
  if (file !== undefined && (file === null || typeof file !== 'object' || Array.isArray(file))) {
    throw new ValidationError(`config file drivers.${driver.name}`, ['must be an object of settings']);
  }
  const merged: SettingsLayer = { ...(file as SettingsLayer | undefined) };
  const source: Record<string, string> = {};
  for (const key of Object.keys(merged)) source[key] = `drivers.${driver.name}.${key} in the config file`;
  const schema = driver.settingsSchema;
  if (!schema) return merged;

  for (const [key, type] of Object.entries(declaredKeys(schema))) {
    const variable = driverEnvVar(driver.name, key);
    const raw = layers.env[variable];
    if (raw !== undefined && raw !== '') {
      merged[key] = fromEnv(raw, type);
      source[key] = variable;
    }
  }
  for (const [key, { value, flag }] of Object.entries(layers.flags ?? {})) {
    if (value === undefined) continue;
    merged[key] = value;
    source[key] = flag;
  }

  const validate = validatorFor(driver.name, schema);
  if (!validate(merged)) {
    const known = Object.keys(declaredKeys(schema));
    const problems = describeErrors(validate.errors).map((line) => {
      // "/base_url: must match format "uri"" → name the key, the driver and where the value came from.
      const match = /^\/([^/:]+)(.*)$/.exec(line);
      if (match && source[match[1]!]) return `${match[1]}${match[2]} (from ${source[match[1]!]})`;
      const unexpected = /^\(root\): unexpected field "([^"]+)"/.exec(line);
      if (unexpected) {
        const guess = nearest(unexpected[1]!, known);
        return `unknown key "${unexpected[1]}" in drivers.${driver.name}${guess ? ` (did you mean "${guess}"?)` : known.length ? ` (it takes: ${known.join(', ')})` : ''}`;
      }
      return line;
    });
    throw new ValidationError(`the ${driver.name} driver's settings`, problems, [`Fix the value in the config file's drivers.${driver.name} section, or the variable or flag named above.`]);
  }
  return merged;
}

/**
 * Config file sections for drivers that are not installed: a typo would otherwise be ignored in
 * silence. One line each, with the nearest installed name.
 */
export function unknownDriverSections(drivers: unknown, installed: string[]): string[] {
  if (drivers === null || typeof drivers !== 'object') return [];
  return Object.keys(drivers)
    .filter((name) => !installed.includes(name))
    .map((name) => {
      const guess = nearest(name, installed);
      return `config file: drivers.${name} matches no installed driver${guess ? ` (did you mean "${guess}"?)` : ''}; it is ignored (installed: ${installed.join(', ') || 'none'})`;
    });
}
