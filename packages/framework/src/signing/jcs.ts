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

/**
 * The keys and indexes from the root to the value being serialised. Kept as a stack and turned
 * into "a.b[2]" only when an error needs it: the server canonicalises every upload, and building
 * a path string per member cost more than the serialisation itself.
 */
type PathStack = Array<string | number>;

function pathText(stack: PathStack): string {
  if (stack.length === 0) return '(root)';
  return stack.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function serializeString(value: string, stack: PathStack): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalizationError(`lone surrogate in a string at ${pathText(stack)}: not valid I-JSON`);
  return JSON.stringify(value);
}

function serialize(value: unknown, stack: PathStack): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError(`cannot canonicalise ${value} at ${pathText(stack)}: JSON has no such number`);
      return String(value); // -0 prints as "0", as JCS requires
    case 'string':
      return serializeString(value, stack);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          stack.push(i);
          out += (i > 0 ? ',' : '') + serialize(value[i] === undefined ? null : value[i], stack);
          stack.pop();
        }
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      if (typeof record.toJSON === 'function') return serialize((record.toJSON as () => unknown)(), stack);
      let out = '{';
      let first = true;
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
        stack.push(key);
        out += (first ? '' : ',') + serializeString(key, stack) + ':' + serialize(member, stack);
        stack.pop();
        first = false;
      }
      return out + '}';
    }
    default:
      throw new CanonicalizationError(`cannot canonicalise a ${typeof value} at ${pathText(stack)}`);
  }
}

/** The JCS text of `value` (RFC 8785). Throws CanonicalizationError on anything I-JSON forbids. */
export function canonicalize(value: unknown): string {
  return serialize(value, []);
}

/** The signed bytes: JCS (UTF-8) of the run with `signature` and `public_key` left out. */
export function canonicalPayloadBytes(run: object): Uint8Array {
  const { signature: _signature, public_key: _publicKey, ...rest } = run as Record<string, unknown>;
  return new TextEncoder().encode(canonicalize(rest));
}
