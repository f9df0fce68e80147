/**
 * The schemas bound every number (METHODOLOGY §3.8): finite, non-negative where physical,
 * below a generous physical limit. A figure outside them is a measurement artefact (a division by
 * a near-zero interval, a clock jump), not a result: before a run is signed it is replaced by null
 * where the schema allows null (else by the bound) and its result gets the `out-of-bounds` flag,
 * so the run is still saved and published instead of failing validation after a long benchmark.
 * The limits are read from the schema itself through ajv's errors, so they cannot drift apart.
 */
import { validatorFor } from './validate.js';

export const OUT_OF_BOUNDS_FLAG = 'out-of-bounds';

interface Located {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

function locate(root: unknown, pointer: string): Located | undefined {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts.length === 0) return undefined;
  let node: unknown = root;
  for (const part of parts.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const last = parts[parts.length - 1]!;
  return { parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(last) : last };
}

/**
 * Brings every out-of-range or non-finite number of a run payload within the schema's bounds, in
 * place. Returns one line per change ("results[0].decode_tps: 2.5e+07 is above 10000000, dropped").
 */
export function enforceNumberBounds(run: { results?: Array<{ flags?: string[] }> }): string[] {
  const notes: string[] = [];
  const validate = validatorFor('run');
  const results = run.results;
  for (let round = 0; round < 3 && !validate(run as unknown); round++) {
    let changed = false;
    for (const error of validate.errors ?? []) {
      const isRange = ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum'].includes(error.keyword);
      const spot = locate(run, error.instancePath);
      if (!spot) continue;
      const value = (spot.parent as Record<string | number, unknown>)[spot.key];
      const nonFinite = error.keyword === 'type' && typeof value === 'number' && !Number.isFinite(value);
      if (!isRange && !nonFinite) continue;
      const schema = error.parentSchema as { type?: string | string[]; minimum?: number; maximum?: number };
      const types = Array.isArray(schema?.type) ? schema.type : [schema?.type];
      const nullable = types.includes('null');
      const next = nullable ? null : typeof value === 'number' && value > (schema.maximum ?? Infinity) ? schema.maximum! : (schema.minimum ?? 0);
      if (next === undefined || Object.is(next, value)) continue;
      (spot.parent as Record<string | number, unknown>)[spot.key] = next;
      changed = true;
      const where = error.instancePath
        .slice(1)
        .replace(/\/(\d+)(?=\/|$)/g, '[$1]')
        .replace(/\//g, '.');
      notes.push(`${where}: ${String(value)} is outside the schema's bounds, ${nullable ? 'dropped (null)' : `set to ${String(next)}`}`);
      const result = /^\/results\/(\d+)\//.exec(error.instancePath);
      const flags = result ? results?.[Number(result[1])]?.flags : undefined;
      if (flags && !flags.includes(OUT_OF_BOUNDS_FLAG)) flags.push(OUT_OF_BOUNDS_FLAG);
    }
    if (!changed) break;
  }
  return notes;
}
