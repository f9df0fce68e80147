/**
 * The client-side privacy invariant (PRIVACY §1): before any upload, no string longer than 256
 * characters may appear anywhere except at the few whitelisted fields. It guards against a driver
 * (or a future change) putting prompt or output text into `extras`.
 *
 * The whitelist is matched by position in the payload, not by bare key name, so an `extras` entry
 * that happens to be called "error" or "backend" is still checked.
 */
import { LlmSpeedError } from '../errors.js';

export const PRIVACY_STRING_LIMIT = 256;

/** Positions whose strings may be long; `[]` stands for any array index. */
const WHITELIST = new Set([
  'fingerprint.accelerator_summary',
  'fingerprint.fingerprint_hash',
  'public_key',
  'signature',
  'cli_version',
  'results[].error',
  'results[].suite_version',
  'results[].workload',
  'results[].backend',
  'results[].backend_version',
  'results[].model.identifier',
  'results[].model.name',
  'results[].model.size',
  'results[].model.quant',
  'results[].model.digest',
]);

export class PrivacyInvariantError extends LlmSpeedError {
  readonly path: string;
  constructor(path: string) {
    super('privacy-invariant', `upload payload contains unexpected long string at ${path}; refusing to upload (privacy invariant).`, {
      suggestions: ['a driver put long text into the payload (most likely in extras); report it as a bug, nothing was sent'],
    });
    this.name = 'PrivacyInvariantError';
    this.path = path;
  }
}

function visit(value: unknown, path: string, shape: string): void {
  if (typeof value === 'string') {
    if (value.length > PRIVACY_STRING_LIMIT && !WHITELIST.has(shape)) throw new PrivacyInvariantError(path || '(root)');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => visit(item, `${path}[${i}]`, `${shape}[]`));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      // A key is a string the server stores too; long ones are as suspicious as long values.
      if (key.length > PRIVACY_STRING_LIMIT) throw new PrivacyInvariantError(childPath);
      visit(child, childPath, shape ? `${shape}.${key}` : key);
    }
  }
}

/** Throws PrivacyInvariantError naming the first offending path (e.g. `results[0].extras.note`). */
export function assertPrivacyInvariant(payload: unknown): void {
  visit(payload, '', '');
}
