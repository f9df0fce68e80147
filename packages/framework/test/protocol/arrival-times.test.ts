/**
 * The arrival time of a token is the time the bytes that carry it were read (METHODOLOGY §3.1),
 * whatever reads them. Issue 28 moved the per-token path off undici's Readable body (read through
 * an async iterator, stamped by readSse) onto push parsers fed in the socket's read callback; this
 * test holds the new paths to the old one on the same bytes, written at the same moments.
 *
 * One in-process server (so it shares the harness clock) answers three requests at once and writes
 * each scripted chunk to all three in the same callback, GAP_MS apart, noting when it wrote it. The
 * chunks cut events mid-line, mid-character (é) and between "\r" and "\n". Read by the old path,
 * by postSse over undici's dispatch API and by postSse's lean HTTP/1.1 reader, the events must be
 * the same, each stamped no earlier than its completing chunk was written, and the three stamps of
 * an event within GAP_MS / 2 of each other — an event stamped by any other chunk would be a whole
 * GAP_MS off.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { postSse } from '../../src/protocol/http.js';
import { readSse, type SseEvent } from '../../src/protocol/sse.js';

const GAP_MS = 60;
const e = new TextEncoder();
const eAcute = e.encode('é'); // 2 bytes: cut between them
const CHUNKS: Uint8Array[] = [
  e.encode('data: {"tokens":[1],"content":"a"}\n\n'),
  e.encode('data: {"tokens":[2],"con'),
  e.encode('tent":"b"}\n\n'),
  new Uint8Array([...e.encode('data: {"tokens":[3],"content":"'), eAcute[0]!]),
  new Uint8Array([eAcute[1]!, ...e.encode('"}\r')]),
  e.encode('\n\r\n'),
  e.encode(': keep-alive\n\n'),
  e.encode('data: [DONE]\n\n'),
];
/** Hand-read from CHUNKS: each event's data and the chunk whose bytes completed it (its blank line). */
const EXPECTED = [
  { data: '{"tokens":[1],"content":"a"}', chunk: 0 },
  { data: '{"tokens":[2],"content":"b"}', chunk: 2 },
  { data: '{"tokens":[3],"content":"é"}', chunk: 5 },
  { data: '[DONE]', chunk: 7 },
];

async function broadcastServer(readers: number): Promise<{ url: string; writtenAt: number[]; close(): Promise<void> }> {
  const waiting: ServerResponse[] = [];
  const writtenAt: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      waiting.push(res);
      if (waiting.length < readers) return;
      void (async () => {
        for (const chunk of CHUNKS) {
          await new Promise((resolve) => setTimeout(resolve, GAP_MS));
          for (const r of waiting) r.write(chunk);
          writtenAt.push(performance.now());
        }
        for (const r of waiting) r.end();
      })();
    });
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/completion`,
    writtenAt,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function collect(events: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('arrival times: the new per-token paths against the old one', () => {
  it('same events, each stamped by the chunk that completed it, within GAP/2 of the old path', async () => {
    const server = await broadcastServer(3);
    try {
      const before = (async () => {
        // The path before issue 28: undici's Readable body, stamped by readSse as each chunk is handed over.
        const response = await request(server.url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
        return collect(readSse(response.body));
      })();
      const [old, dispatch, lean] = await Promise.all([before, collect(await postSse(server.url, {}, { transport: 'undici' })), collect(await postSse(server.url, {}))]);
      const { writtenAt } = server;
      for (const [name, events] of Object.entries({ old, dispatch, lean })) {
        assert.deepEqual(
          events.map((ev) => ({ event: ev.event, data: ev.data })),
          EXPECTED.map((x) => ({ event: 'message', data: x.data })),
          name,
        );
        events.forEach((ev, k) => {
          const written = writtenAt[EXPECTED[k]!.chunk]!;
          assert.ok(ev.t >= written, `${name}: event ${k} stamped ${(written - ev.t).toFixed(2)} ms before its bytes were written`);
        });
      }
      for (const [name, events] of Object.entries({ dispatch, lean })) {
        events.forEach((ev, k) => {
          const drift = Math.abs(ev.t - old[k]!.t);
          assert.ok(drift < GAP_MS / 2, `${name}: event ${k} stamped ${drift.toFixed(2)} ms away from the old path's stamp`);
        });
      }
    } finally {
      await server.close();
    }
  });
});
