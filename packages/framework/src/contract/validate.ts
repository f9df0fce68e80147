/**
 * ajv validators for everything that crosses a boundary: driver output, config files,
 * run payloads (client and server), suite files.
 */
import * as Ajv2020Module from 'ajv/dist/2020.js';
import * as addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { schemas, type SchemaName } from '@llm-speed/schemas';
import { ValidationError } from '../errors.js';
import { nearest } from '../util/nearest.js';

// ajv and ajv-formats are CommonJS; under NodeNext their default export sits one level down.
const Ajv2020 = Ajv2020Module.default.default ?? Ajv2020Module.default;
const addFormats = addFormatsModule.default.default ?? addFormatsModule.default;
type Ajv = InstanceType<typeof Ajv2020>;

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function instance(): Ajv {
  if (!ajv) {
    // strictRequired off: run.schema.json tightens results with allOf + required, which is legal 2020-12.
    // verbose: errors carry their schema, so a mistyped key can be answered with the keys that exist.
    ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
    // Annotation for json-schema-to-typescript only; it constrains nothing.
    ajv.addKeyword('tsType');
    addFormats(ajv);
    for (const schema of Object.values(schemas)) ajv.addSchema(schema);
  }
  return ajv;
}

/** Validator for a whole schema, or for one of its $defs (`driver#/$defs/ModelInfo`). */
export function validatorFor(name: SchemaName, definition?: string): ValidateFunction {
  const key = definition ? `${name}#/$defs/${definition}` : name;
  let fn = compiled.get(key);
  if (!fn) {
    const id = (schemas[name] as { $id: string }).$id;
    fn = instance().getSchema(definition ? `${id}#/$defs/${definition}` : id);
    if (!fn) throw new Error(`no schema ${key}`);
    compiled.set(key, fn);
  }
  return fn;
}

/** What the object may hold: the nearest known key when one is close, else the whole (short) list. */
function expectedFields(field: string, parentSchema: unknown): string {
  const known = Object.keys((parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}).filter((k) => k !== '$schema');
  if (known.length === 0) return '';
  // Only near-certain typos: a privacy refusal of "hostname" must not suggest "os_name".
  const guess = nearest(field, known);
  if (guess) return ` (did you mean "${guess}"?)`;
  return known.length <= 20 ? ` (expected one of: ${known.join(', ')})` : '';
}

/** One readable line per ajv error: `/results/0/extras: must NOT have additional property "hostname"`. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const at = e.instancePath || '(root)';
    if (e.keyword === 'additionalProperties') {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return `${at}: unexpected field "${field}"${expectedFields(field, e.parentSchema)}`;
    }
    if (e.keyword === 'enum') {
      return `${at}: ${e.message} (${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')})`;
    }
    return `${at}: ${e.message ?? e.keyword}`;
  });
}

export function check(name: SchemaName, value: unknown, definition?: string): string[] {
  const fn = validatorFor(name, definition);
  return fn(value) ? [] : describeErrors(fn.errors);
}

/** Throws a ValidationError naming `subject` when `value` does not match. */
export function assertValid<T>(name: SchemaName, value: unknown, subject: string, definition?: string): T {
  const problems = check(name, value, definition);
  if (problems.length > 0) throw new ValidationError(subject, problems);
  return value as T;
}
