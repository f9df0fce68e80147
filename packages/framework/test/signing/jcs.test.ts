import assert from 'node:assert/strict';
import { canonicalize, canonicalPayloadBytes, CanonicalizationError } from '../../src/signing/index.js';

function fromHex(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('canonicalize (RFC 8785)', () => {
  it('serialises the RFC 8785 Appendix B number vectors', () => {
    const vectors: Array<[string, string]> = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [hex, expected] of vectors) assert.equal(canonicalize(fromHex(hex)), expected, hex);
  });

  it('rejects NaN and Infinity (RFC 8785 Appendix B) wherever they are', () => {
    for (const hex of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      assert.throws(() => canonicalize({ a: [1, fromHex(hex)] }), CanonicalizationError);
    }
  });

  it('produces the RFC 8785 §3.2.2 sample output', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    assert.equal(canonicalize(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    ) as Record<string, string>;
    // Read the member order off the text: JSON.parse would move the integer-like key "1" first.
    const order = [...canonicalize(input).matchAll(/:"([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(order, ['Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh']);
    assert.ok(canonicalize(input).startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"'));
  });

  it('nests, drops undefined members, and refuses lone surrogates', () => {
    assert.equal(canonicalize({ b: { d: 1, c: [true, undefined] }, a: undefined, '': 'x' }), '{"":"x","b":{"c":[true,null],"d":1}}');
    assert.throws(() => canonicalize({ s: 'a\uD800b' }), CanonicalizationError);
  });

  it('names where the offending value is', () => {
    assert.throws(() => canonicalize({ results: [{ ok: 1 }, { extras: { x: NaN } }] }), /at results\[1\]\.extras\.x:/);
    assert.throws(() => canonicalize([0, 'a\uDC00']), /at \[1\]:/);
    assert.throws(() => canonicalize(Infinity), /at \(root\)/);
  });

  it('reads values as JSON.parse(JSON.stringify(value)) would: toJSON used, functions and symbols dropped', () => {
    const value = { when: new Date(Date.UTC(2026, 10, 28)), f: () => 1, s: Symbol('x'), kept: 1, custom: { toJSON: () => ({ b: 2, a: 1 }) } };
    assert.equal(canonicalize(value), canonicalize(JSON.parse(JSON.stringify(value))));
    assert.equal(canonicalize(value), '{"custom":{"a":1,"b":2},"kept":1,"when":"2026-11-28T00:00:00.000Z"}');
  });

  it('refuses what JSON cannot hold with a typed error naming the type and the place', () => {
    for (const [value, message] of [
      [{ a: { n: 10n } }, 'cannot canonicalise a bigint at a.n'],
      [[() => 1], 'cannot canonicalise a function at [0]'],
      [Symbol('x'), 'cannot canonicalise a symbol at (root)'],
    ] as const) {
      assert.throws(
        () => canonicalize(value),
        (e: unknown) => e instanceof CanonicalizationError && e.message === message && e.code === 'canonicalization' && e.name === 'CanonicalizationError',
        message,
      );
    }
  });

  it('canonicalPayloadBytes leaves out signature and public_key', () => {
    const bytes = canonicalPayloadBytes({ z: 1, signature: 'sig', public_key: 'key', a: 'é' });
    assert.equal(new TextDecoder().decode(bytes), '{"a":"é","z":1}');
    assert.equal(bytes.length, 16); // 15 characters, é is two UTF-8 bytes
  });
});
