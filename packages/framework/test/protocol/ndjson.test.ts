import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readNdjson, NdjsonParseError, NdjsonParser } from '../../src/protocol/ndjson.js';

/** Yields the chunks as given, advancing a fake clock by 10 ms per chunk. */
function chunked(chunks: Array<string | Uint8Array>): { body: AsyncIterable<string | Uint8Array>; clock: () => number } {
  let time = 0;
  return {
    clock: () => time,
    body: (async function* () {
      for (const chunk of chunks) {
        time += 10;
        yield chunk;
      }
    })(),
  };
}

async function collect(chunks: Array<string | Uint8Array>) {
  const { body, clock } = chunked(chunks);
  const out: Array<{ value: unknown; t: number }> = [];
  for await (const item of readNdjson(body, clock)) out.push(item);
  return out;
}

describe('readNdjson', () => {
  it('yields one value per line, stamped with the arrival of its chunk', async () => {
    const out = await collect(['{"a":1}\n', '{"a":2}\n']);
    assert.deepEqual(out, [
      { value: { a: 1 }, t: 10 },
      { value: { a: 2 }, t: 20 },
    ]);
  });

  it('splits several lines arriving in one chunk, all with that chunk time', async () => {
    const out = await collect(['{"a":1}\n{"a":2}\n{"a":3}\n']);
    assert.deepEqual(
      out.map((o) => o.value),
      [{ a: 1 }, { a: 2 }, { a: 3 }],
    );
    assert.deepEqual(
      out.map((o) => o.t),
      [10, 10, 10],
    );
  });

  it('joins a line split across chunks and stamps it with the completing chunk', async () => {
    const out = await collect(['{"resp', 'onse":"he', 'llo"}\n{"b"', ':2}\n']);
    assert.deepEqual(out, [
      { value: { response: 'hello' }, t: 30 },
      { value: { b: 2 }, t: 40 },
    ]);
  });

  it('decodes a multi-byte UTF-8 character split between byte chunks', async () => {
    const bytes = new TextEncoder().encode('{"r":"é"}\n');
    const cut = bytes.indexOf(0xc3) + 1;
    const out = await collect([bytes.slice(0, cut), bytes.slice(cut)]);
    assert.deepEqual(out, [{ value: { r: 'é' }, t: 20 }]);
  });

  it('skips blank lines and CRLF endings, and delivers a last line without newline', async () => {
    const out = await collect(['\r\n{"a":1}\r\n\n', '{"a":2}']);
    assert.deepEqual(
      out.map((o) => o.value),
      [{ a: 1 }, { a: 2 }],
    );
  });

  it('throws NdjsonParseError on a line that is not JSON', async () => {
    await assert.rejects(collect(['{"a":1}\n', 'Traceback (most recent call last)\n']), (error: unknown) => {
      assert.ok(error instanceof NdjsonParseError);
      assert.match(error.message, /Traceback/);
      return true;
    });
  });
});

describe('NdjsonParser', () => {
  /** Chunk i (from 0) arrives at t = i + 1; each value is stamped with the chunk holding its line's "\n". */
  it('gives every value once, stamped with the chunk holding its newline, however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ value: fc.jsonValue({ maxDepth: 2 }), crlf: fc.boolean(), blank: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cuts) => {
          const encoder = new TextEncoder();
          let doc = '';
          const newlineAt: number[] = [];
          for (const l of lines) {
            doc += JSON.stringify(l.value) + (l.crlf ? '\r' : '');
            newlineAt.push(encoder.encode(doc).length);
            doc += '\n' + (l.blank ? '\n' : '');
          }
          const bytes = encoder.encode(doc);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1))), bytes.length].sort((a, b) => a - b);
          const out: Array<{ value: unknown; t: number }> = [];
          const parser = new NdjsonParser((v) => out.push(v));
          let from = 0;
          const chunkOf: number[] = [];
          for (const p of points) {
            if (p <= from) continue;
            parser.push(bytes.slice(from, p), chunkOf.length + 1);
            chunkOf.push(p);
            from = p;
          }
          parser.end(1000);
          const expected = lines.map((l, i) => ({ value: JSON.parse(JSON.stringify(l.value)) as unknown, t: chunkOf.findIndex((end) => end > newlineAt[i]!) + 1 }));
          assert.deepEqual(out, expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
