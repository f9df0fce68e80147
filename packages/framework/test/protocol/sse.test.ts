import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readSse, SseParser, type SseEvent } from '../../src/protocol/sse.js';

/**
 * The expected events come from the event-stream format itself (WHATWG HTML §9.2.6, "Interpreting
 * an event stream"), applied to a document built line by line, not from a parser: each `data`
 * line's value joins the event's data with "\n", the last `event` field names it ("message" when
 * absent or empty), comments and other fields add nothing, a blank line dispatches the event if it
 * has data. One project rule beyond the spec (protocol/sse.ts): an event left without its blank
 * line when the stream ends is still delivered, stamped with the end.
 *
 * Every event is stamped with the arrival of the chunk holding the first byte of the line end that
 * completed it: chunk i (from 0) arrives at t = i + 1, the end of the stream at t = END.
 */
const END = 1000;

type Line =
  | { kind: 'data'; value: string; colon: boolean }
  | { kind: 'event'; value: string }
  | { kind: 'comment'; text: string }
  | { kind: 'other'; name: 'id' | 'retry' | 'foo'; value: string }
  | { kind: 'bare-data' };
type Ending = '\n' | '\r\n' | '\r';
interface Block {
  lines: Array<{ line: Line; ending: Ending }>;
  /** The blank line(s) after the block; none for a last block the stream ends inside. */
  blanks: Ending[];
}

const text = fc.string({ unit: 'grapheme', maxLength: 10 }).map((s) => s.replace(/[\r\n]/g, ''));
const ending = fc.constantFrom<Ending>('\n', '\r\n', '\r');
const line: fc.Arbitrary<Line> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('data' as const), value: text, colon: fc.boolean() }) },
  fc.record({ kind: fc.constant('event' as const), value: text.map((s) => s.replace(/^ +/, '')) }),
  fc.record({ kind: fc.constant('comment' as const), text }),
  fc.record({ kind: fc.constant('other' as const), name: fc.constantFrom('id' as const, 'retry' as const, 'foo' as const), value: text }),
  fc.constant({ kind: 'bare-data' as const }),
);
const block: fc.Arbitrary<Block> = fc.record({
  lines: fc.array(fc.record({ line, ending }), { minLength: 1, maxLength: 4 }),
  blanks: fc.array(ending, { minLength: 1, maxLength: 2 }),
});

function lineText(l: Line): string {
  switch (l.kind) {
    case 'data':
      // "data:value" only when the value does not start with a space (one space after the colon is dropped).
      return l.colon && !l.value.startsWith(' ') ? `data:${l.value}` : `data: ${l.value}`;
    case 'event':
      return `event: ${l.value}`;
    case 'comment':
      return `:${l.text}`;
    case 'other':
      return `${l.name}: ${l.value}`;
    case 'bare-data':
      return 'data';
  }
}

/** The document's bytes, and the events the format says it holds with the byte offset that completes each (-1: the end). */
function build(blocks: Block[], bom: boolean, lastUnterminated: boolean): { bytes: Uint8Array; events: Array<{ event: string; data: string; at: number }> } {
  const encoder = new TextEncoder();
  let doc = bom ? '\ufeff' : '';
  let bytes = bom ? 3 : 0;
  const events: Array<{ event: string; data: string; at: number }> = [];
  let previous: Ending | undefined;
  const add = (s: string) => {
    doc += s;
    bytes += encoder.encode(s).length;
  };
  blocks.forEach((b, bi) => {
    const data: string[] = [];
    let type = '';
    const last = bi === blocks.length - 1;
    b.lines.forEach(({ line: l, ending: e }, li) => {
      add(lineText(l));
      if (l.kind === 'data') data.push(l.value);
      if (l.kind === 'bare-data') data.push('');
      if (l.kind === 'event') type = l.value;
      const unterminated = last && lastUnterminated && li === b.lines.length - 1 && b.blanks.length === 0;
      if (!unterminated) add(e);
      previous = unterminated ? undefined : e;
    });
    let at = -1;
    for (let blank of b.blanks) {
      // "\r" then a blank line ended by "\n" would read as one "\r\n": the blank line ends with "\r" instead.
      if (previous === '\r' && blank === '\n') blank = '\r';
      if (at === -1) at = bytes;
      add(blank);
      previous = blank;
    }
    if (data.length > 0) events.push({ event: type || 'message', data: data.join('\n'), at });
  });
  return { bytes: encoder.encode(doc), events };
}

function cutAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) chunks.push(bytes.slice(from, p));
    from = Math.max(from, p);
  }
  return chunks;
}

function expectedStamps(chunks: Uint8Array[], events: Array<{ event: string; data: string; at: number }>): SseEvent[] {
  const starts: number[] = [];
  let offset = 0;
  for (const c of chunks) {
    starts.push(offset);
    offset += c.length;
  }
  return events.map((e) => {
    if (e.at === -1) return { event: e.event, data: e.data, t: END };
    let index = 0;
    while (index + 1 < starts.length && starts[index + 1]! <= e.at) index++;
    return { event: e.event, data: e.data, t: index + 1 };
  });
}

function parseChunks(chunks: Array<Uint8Array | string>): SseEvent[] {
  const out: SseEvent[] = [];
  const parser = new SseParser((e) => out.push(e));
  chunks.forEach((c, i) => parser.push(c, i + 1));
  parser.end(END);
  return out;
}

async function readChunks(chunks: Array<Uint8Array | string>): Promise<SseEvent[]> {
  let time = 0;
  const body = (async function* () {
    for (const c of chunks) {
      time++;
      yield c;
    }
    time = END;
  })();
  const out: SseEvent[] = [];
  for await (const e of readSse(body, () => time)) out.push(e);
  return out;
}

const document = fc.record({
  blocks: fc.array(block, { minLength: 1, maxLength: 6 }),
  bom: fc.boolean(),
  lastUnterminated: fc.boolean(),
  dropLastBlanks: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 12 }),
});

describe('SseParser', () => {
  it('gives the events the format defines, each stamped with the chunk that completed it, however the bytes are cut (mid-line, mid-"\\r\\n", mid-UTF-8)', () => {
    fc.assert(
      fc.property(document, ({ blocks, bom, lastUnterminated, dropLastBlanks, cuts }) => {
        if (dropLastBlanks) blocks[blocks.length - 1]!.blanks = [];
        const { bytes, events } = build(blocks, bom, lastUnterminated);
        const chunks = cutAt(bytes, cuts);
        assert.deepEqual(parseChunks(chunks), expectedStamps(chunks, events));
      }),
      { numRuns: 400 },
    );
  });

  it('readSse gives the same events and stamps from a chunk stream as the parser fed directly', async () => {
    await fc.assert(
      fc.asyncProperty(document, async ({ blocks, bom, lastUnterminated, cuts }) => {
        const { bytes, events } = build(blocks, bom, lastUnterminated);
        const chunks = cutAt(bytes, cuts);
        assert.deepEqual(await readChunks(chunks), expectedStamps(chunks, events));
      }),
      { numRuns: 100 },
    );
  });

  it('a llama-server token event per chunk: one event each, stamped with its own chunk', () => {
    const chunk = (i: number) => `data: {"index":0,"content":"t${i}","tokens":[${i}],"stop":false}\n\n`;
    const out = parseChunks([chunk(1), chunk(2), chunk(3)]);
    assert.deepEqual(
      out.map((e) => [e.data, e.t]),
      [1, 2, 3].map((i) => [`{"index":0,"content":"t${i}","tokens":[${i}],"stop":false}`, i]),
    );
  });

  it('"\\r\\n" cut between chunks is one line end: no empty line dispatches early, nothing doubles', () => {
    // Hand-worked: "data: a\r" | "\n\r" | "\n" — the blank line's "\r" is in chunk 2.
    assert.deepEqual(parseChunks(['data: a\r', '\n\r', '\n']), [{ event: 'message', data: 'a', t: 2 }]);
    // Two data lines, the first ended by "\r\n" across the cut: one event with both lines.
    assert.deepEqual(parseChunks(['data: a\r', '\ndata: b\n\n']), [{ event: 'message', data: 'a\nb', t: 2 }]);
  });

  it('a multi-byte character cut between chunks is decoded whole', () => {
    const bytes = new TextEncoder().encode('data: é🙂\n\n');
    const out = parseChunks([bytes.slice(0, 7), bytes.slice(7, 9), bytes.slice(9)]);
    assert.deepEqual(out, [{ event: 'message', data: 'é🙂', t: 3 }]);
  });

  it('many events in one chunk: all stamped with that chunk, in order', () => {
    const many = Array.from({ length: 200 }, (_, i) => `data: ${i}\n\n`).join('');
    const out = parseChunks([many]);
    assert.equal(out.length, 200);
    assert.ok(out.every((e, i) => e.data === String(i) && e.t === 1));
  });
});
