/**
 * RFC 8785 JSON Canonicalization Scheme. Client and server both hash these bytes, so this is the
 * one implementation in the project (the server imports it from the framework).
 *
 * ECMAScript's own serialisers already give what JCS asks for in two places: String(number) is
 * the Number.prototype.toString algorithm JCS prescribes (§3.2.2.3), and JSON.stringify(string)
 * produces the JCS string escaping (§3.2.2.2). What JCS adds: keys sorted by UTF-16 code units
 * (§3.2.3, which is JavaScript's default string order), no whitespace, and the I-JSON limits
 * (no non-finite numbers, no lone surrogates).
 */
import { LlmSpeedError } from '../errors.js';

export class CanonicalizationError extends LlmSpeedError {
  constructor(message: string) {
    super('canonicalization', message);
    this.name = 'CanonicalizationError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalizationError(`lone surrogate in a string at ${path || '(root)'}: not valid I-JSON`);
  return JSON.stringify(value);
}

function serialize(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError(`cannot canonicalise ${value} at ${path || '(root)'}: JSON has no such number`);
      return String(value); // -0 prints as "0", as JCS requires
    case 'string':
      return serializeString(value, path);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => serialize(item === undefined ? null : item, `${path}[${i}]`)).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      if (typeof record.toJSON === 'function') return serialize((record.toJSON as () => unknown)(), path);
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined && typeof record[k] !== 'function' && typeof record[k] !== 'symbol')
        .sort()
        .map((k) => {
          const childPath = path ? `${path}.${k}` : k;
          return `${serializeString(k, childPath)}:${serialize(record[k], childPath)}`;
        });
      return `{${members.join(',')}}`;
    }
    default:
      throw new CanonicalizationError(`cannot canonicalise a ${typeof value} at ${path || '(root)'}`);
  }
}

/** The JCS text of `value` (RFC 8785). Throws CanonicalizationError on anything I-JSON forbids. */
export function canonicalize(value: unknown): string {
  return serialize(value, '');
}

/** The signed bytes: JCS (UTF-8) of the run with `signature` and `public_key` left out. */
export function canonicalPayloadBytes(run: object): Uint8Array {
  const { signature: _signature, public_key: _publicKey, ...rest } = run as Record<string, unknown>;
  return new TextEncoder().encode(canonicalize(rest));
}
