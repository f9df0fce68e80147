/**
 * A loopback HTTP server that replays recorded backend transcripts, so drivers are tested against
 * the exact bytes (and chunk boundaries) a real backend sends, without the backend.
 *
 * Each route answers method + path with a scripted response: status, headers, body chunks with
 * delays between them, an optional slow first chunk and an optional dropped connection mid-stream.
 * A route may instead compute its response from the request (a fake backend that streams exactly
 * the max_tokens it was asked for). Every request is recorded (headers and body) so tests can
 * assert what a driver sent, with the number of chunks written: a stream the client hangs up on
 * stops there, as a backend stops generating for a closed connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReplayChunk {
  /** Text is written as UTF-8; bytes as they are (a cut inside a multi-byte character). */
  data: string | Uint8Array;
  /** Wait this long before writing the chunk. */
  delayMs?: number;
}

export interface ReplayResponse {
  status: number;
  headers?: Record<string, string>;
  chunks: Array<string | ReplayChunk>;
  /** Destroy the socket after writing this many chunks (a backend crash mid-stream). */
  dropAfterChunks?: number;
  /** Hold back the first chunk this long after the headers (a slow first token). */
  firstChunkDelayMs?: number;
}

export interface ReplayRoute {
  method?: string;
  /** Path to match, without the query string; a RegExp matches the path too. */
  path: string | RegExp;
  /**
   * One response answered every time, or a queue answered in order (the last one repeats unless
   * `times` limits the route), or a function computing the response from the recorded request.
   */
  response: ReplayResponse | ReplayResponse[] | ((request: RecordedRequest) => ReplayResponse);
  /** Answer at most this many requests; later ones fall through to the next route or a 404. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path including the query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** Response chunks written so far; short of the response's chunks when the client hung up. */
  chunksWritten: number;
  /** When the whole request had arrived, on the harness clock (performance.now(): same process, same clock). */
  receivedAt: number;
}

export interface ReplayServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startReplayServer(routes: ReplayRoute[]): Promise<ReplayServer> {
  const requests: RecordedRequest[] = [];
  const answered = routes.map(() => 0);
  const sockets = new Set<Socket>();

  const pick = (method: string, path: string, request: RecordedRequest): ReplayResponse | undefined => {
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i]!;
      if (route.method && route.method.toUpperCase() !== method) continue;
      if (typeof route.path === 'string' ? route.path !== path : !route.path.test(path)) continue;
      if (route.times !== undefined && answered[i]! >= route.times) continue;
      const n = answered[i]!++;
      if (typeof route.response === 'function') return route.response(request);
      const list = Array.isArray(route.response) ? route.response : [route.response];
      return list[Math.min(n, list.length - 1)];
    }
    return undefined;
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const receivedAt = performance.now();
    const body = Buffer.concat(parts).toString('utf8');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const fullPath = req.url ?? '/';
    const recorded: RecordedRequest = { method, path: fullPath, headers: { ...req.headers }, body, json, chunksWritten: 0, receivedAt };
    requests.push(recorded);

    const response = pick(method, fullPath.split('?')[0]!, recorded);
    if (!response) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no replay route for ${method} ${fullPath}` }));
      return;
    }
    res.writeHead(response.status, response.headers ?? {});
    // Send the headers now: a slow first token must show up as a gap after the headers.
    res.flushHeaders();
    for (let i = 0; i < response.chunks.length; i++) {
      if (response.dropAfterChunks !== undefined && i >= response.dropAfterChunks) break;
      const chunk = response.chunks[i]!;
      const { data, delayMs } = typeof chunk === 'string' ? { data: chunk, delayMs: 0 } : chunk;
      const wait = (i === 0 ? (response.firstChunkDelayMs ?? 0) : 0) + (delayMs ?? 0);
      if (wait > 0) await sleep(wait);
      if (res.destroyed) return;
      res.write(data);
      recorded.chunksWritten++;
    }
    if (response.dropAfterChunks !== undefined && response.dropAfterChunks < response.chunks.length) {
      // Let the written chunks leave before the reset, then cut the connection without a final chunk.
      await sleep(10);
      res.socket?.destroy();
      return;
    }
    res.end();
  };

  const server = createServer((req, res) => {
    answer(req, res).catch(() => res.socket?.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive clients would hold the server open: close their sockets too.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * How a fake backend packs `n` generated tokens into streamed chunks: 1–4 tokens a chunk by
 * default (cycling 1, 3, 2, 4), as real servers do when a detokenizer buffers or a speculative
 * decoder accepts several tokens at once. A driver that counts chunks as tokens then reports the
 * wrong length, which a fake sending one token per chunk would never show.
 */
export function tokenChunks(n: number, pattern: readonly number[] = [1, 3, 2, 4]): number[] {
  const sizes: number[] = [];
  let left = n;
  for (let i = 0; left > 0; i++) {
    const size = Math.min(left, Math.max(1, pattern[i % pattern.length]!));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/** Splits an SSE transcript file into its events (each ending with the blank line), one chunk per event. */
export function sseChunks(transcript: string): string[] {
  const normalized = transcript.replace(/\r\n/g, '\n');
  const events = normalized.split(/(?<=\n\n)/);
  return events.filter((e) => e.length > 0);
}

/** A ReplayResponse for an SSE body, with the usual streaming headers. */
export function sseResponse(chunks: Array<string | ReplayChunk>, extra: Partial<ReplayResponse> = {}): ReplayResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...(extra.headers ?? {}) },
    ...extra,
    chunks,
  };
}

/** A ReplayResponse with a JSON body. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ReplayResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, chunks: [JSON.stringify(body)] };
}
