import assert from 'node:assert/strict';
import { request } from 'undici';
import { startReplayServer, sseChunks, sseResponse, jsonResponse, type ReplayServer } from '../../src/testing/index.js';

describe('replay server', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('answers a route with its chunks, in order, and records the request', async () => {
    server = await startReplayServer([{ method: 'POST', path: '/v1/completions', response: sseResponse(['data: a\n\n', 'data: b\n\n']) }]);
    const res = await request(`${server.url}/v1/completions?x=1`, { method: 'POST', body: '{"k":1}', headers: { authorization: 'Bearer z' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream');
    assert.equal(await res.body.text(), 'data: a\n\ndata: b\n\n');
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.path, '/v1/completions?x=1');
    assert.deepEqual(server.requests[0]!.json, { k: 1 });
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer z');
  });

  it('delivers chunks separately when delays separate them', async () => {
    server = await startReplayServer([{ path: '/s', response: { status: 200, chunks: [{ data: 'one' }, { data: 'two', delayMs: 40 }] } }]);
    const res = await request(`${server.url}/s`);
    const parts: string[] = [];
    for await (const part of res.body) parts.push(Buffer.from(part).toString());
    assert.deepEqual(parts, ['one', 'two']);
  });

  it('holds back the first chunk after sending the headers', async () => {
    server = await startReplayServer([{ path: '/slow', response: { status: 200, chunks: ['x'], firstChunkDelayMs: 150 } }]);
    const start = performance.now();
    const res = await request(`${server.url}/slow`);
    const headersAt = performance.now() - start;
    await res.body.text();
    const bodyAt = performance.now() - start;
    // Ordering, not speed: the body comes at least the hold-back after the headers.
    assert.ok(bodyAt - headersAt >= 100, `body ${bodyAt} vs headers ${headersAt}`);
  });

  it('drops the connection mid-stream', async () => {
    server = await startReplayServer([{ path: '/drop', response: { status: 200, chunks: ['a', 'b', 'c'], dropAfterChunks: 1 } }]);
    const res = await request(`${server.url}/drop`);
    let got = '';
    await assert.rejects(async () => {
      for await (const part of res.body) got += Buffer.from(part).toString();
    });
    assert.equal(got, 'a');
  });

  it('answers a queue in order and honours times, then 404', async () => {
    server = await startReplayServer([{ path: '/q', response: [jsonResponse(503, { e: 1 }), jsonResponse(200, { ok: true })], times: 2 }]);
    const a = await request(`${server.url}/q`);
    assert.equal(a.statusCode, 503);
    await a.body.text();
    const b = await request(`${server.url}/q`);
    assert.equal(b.statusCode, 200);
    assert.deepEqual(await b.body.json(), { ok: true });
    const c = await request(`${server.url}/q`);
    assert.equal(c.statusCode, 404);
    await c.body.text();
  });

  it('matches on method', async () => {
    server = await startReplayServer([{ method: 'GET', path: '/m', response: jsonResponse(200, 1) }]);
    const res = await request(`${server.url}/m`, { method: 'POST', body: '' });
    assert.equal(res.statusCode, 404);
    await res.body.text();
  });

  it('computes a response from the recorded request', async () => {
    server = await startReplayServer([
      {
        method: 'POST',
        path: '/gen',
        response: (req) => {
          const n = (req.json as { max_tokens: number }).max_tokens;
          return { status: 200, chunks: Array.from({ length: n }, (_, i) => `${i}\n`) };
        },
      },
    ]);
    const res = await request(`${server.url}/gen`, { method: 'POST', body: JSON.stringify({ max_tokens: 3 }) });
    assert.equal(await res.body.text(), '0\n1\n2\n');
    assert.equal(server.requests[0]!.chunksWritten, 3);
  });

  it('stops writing a stream when the client hangs up', async () => {
    server = await startReplayServer([{ path: '/long', response: { status: 200, chunks: Array.from({ length: 200 }, () => ({ data: 'x', delayMs: 5 })) } }]);
    const abort = new AbortController();
    const res = await request(`${server.url}/long`, { signal: abort.signal });
    await assert.rejects(async () => {
      for await (const part of res.body) {
        if (part.length > 0) abort.abort();
      }
    });
    const recorded = server.requests[0]!;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = recorded.chunksWritten;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(after < 200, `stopped after ${after} chunks`);
    assert.equal(recorded.chunksWritten, after, 'nothing more is written after the hang-up');
  });

  it('splits an SSE transcript into one chunk per event', () => {
    assert.deepEqual(sseChunks('data: 1\r\n\r\n: ping\n\ndata: 2\n\n'), ['data: 1\n\n', ': ping\n\n', 'data: 2\n\n']);
  });
});
