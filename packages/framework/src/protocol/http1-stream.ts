/**
 * A lean HTTP/1.1 client for one job: POST a JSON body to a plain-http backend and hand the
 * response body to a push parser as it is read, each read stamped with the time it was read.
 *
 * Why not undici here: a local backend streams one token per network read, and every read costs
 * the client CPU that the backend on the same machine no longer has (METHODOLOGY §3.5). undici
 * reads its socket through a Readable stream and allocates a buffer per read; on the 2-core
 * reference machine that cost 25–50 µs of CPU per token more than reading the socket into one
 * reused buffer (net `onread`), which is what this client does (measured with llama-server, W1,
 * both ways alternating). It covers what such a response can be — status line, headers, 1xx
 * responses, chunked or Content-Length or close-delimited bodies, trailers — and keeps
 * connections alive between requests, so a timed request does not pay a TCP handshake the
 * warm-up already paid. HTTPS and every non-streaming request stay on undici (protocol/http.ts).
 *
 * The read buffer is shared by all connections: a read is handed to the parser, which copies what
 * it keeps (the text decoder does), before the callback returns and any other socket is read.
 */
import { connect, type Socket } from 'node:net';

/** What a streamed exchange reports, in order: one response (or an error), body pieces, the end. */
export interface Http1Sink {
  /** The final (non-1xx) status and headers (names lower-cased). */
  response: (status: number, headers: ReadonlyMap<string, string>) => void;
  /** Body bytes (chunked framing removed), read at clock time t: a view of a reused buffer, valid only during the call. */
  data: (bytes: Uint8Array, t: number) => void;
  /** The body ended at clock time t. */
  end: (t: number) => void;
  /** The exchange failed; `responded` says whether response() was called. Called at most once, and never after end(). */
  error: (error: Error, responded: boolean) => void;
}

export interface Http1Request {
  url: URL;
  body: string;
  headers: Record<string, string>;
  headersTimeoutMs: number;
  /** Longest silence between two reads of the body (0: none). */
  bodyTimeoutMs: number;
  clock: () => number;
}

/** A protocol violation or a connection lost mid-response, with a code a caller can report. */
export class Http1Error extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'Http1Error';
    this.code = code;
  }
}

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
/** Idle connections are closed before common server keep-alive timeouts (llama-server's cpp-httplib: 5 s). */
const IDLE_MS = 4_000;
const MAX_IDLE_PER_ORIGIN = 64;
/**
 * A reader that stops at the backend's last event (llama-server's stop, OpenAI's [DONE]) leaves
 * only the chunked terminator unread: it is waited for this long, or this many bytes, so the
 * connection is kept for the next request; a response still streaming is cut (its backend stops).
 */
const DRAIN_MS = 200;
const DRAIN_BYTES = 16 * 1024;

interface Connection {
  socket: Socket;
  origin: string;
  exchange: Exchange | undefined;
  /** Served a request before: a failure before any response byte may be a stale keep-alive socket. */
  reused: boolean;
  idleTimer: NodeJS.Timeout | undefined;
  /** When it went idle (performance.now()): on a starved machine the idle timer can fire late. */
  idleSince: number;
}

const idle = new Map<string, Connection[]>();

function takeIdle(origin: string): Connection | undefined {
  const list = idle.get(origin);
  while (list && list.length > 0) {
    const conn = list.pop()!;
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    conn.idleTimer = undefined;
    // Idle past IDLE_MS (its timer had not run yet): the server may have closed it already.
    if (performance.now() - conn.idleSince > IDLE_MS) {
      conn.socket.destroy();
      continue;
    }
    if (!conn.socket.destroyed && conn.socket.readyState === 'open') return conn;
  }
  return undefined;
}

function dropIdle(conn: Connection): void {
  const list = idle.get(conn.origin);
  const at = list?.indexOf(conn) ?? -1;
  if (at !== -1) list!.splice(at, 1);
  if (conn.idleTimer) clearTimeout(conn.idleTimer);
  conn.idleTimer = undefined;
  conn.socket.destroy();
}

function release(conn: Connection): void {
  conn.exchange = undefined;
  conn.reused = true;
  conn.idleSince = performance.now();
  const list = idle.get(conn.origin) ?? [];
  if (conn.socket.destroyed || list.length >= MAX_IDLE_PER_ORIGIN) {
    conn.socket.destroy();
    return;
  }
  list.push(conn);
  idle.set(conn.origin, list);
  // An idle connection never keeps the CLI alive.
  conn.socket.unref();
  conn.socket.setTimeout(0);
  conn.idleTimer = setTimeout(() => dropIdle(conn), IDLE_MS);
  conn.idleTimer.unref();
}

function openConnection(url: URL, origin: string): Connection {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const conn: Connection = { socket: undefined as unknown as Socket, origin, exchange: undefined, reused: false, idleTimer: undefined, idleSince: 0 };
  conn.socket = connect({
    host,
    port: Number(url.port || 80),
    noDelay: true,
    onread: {
      buffer: READ_BUFFER,
      // Always READ_BUFFER (the buffer given above); true: keep reading.
      callback: (length: number) => {
        const exchange = conn.exchange;
        if (exchange === undefined) {
          // Bytes nobody asked for: the connection is out of step, never reuse it.
          dropIdle(conn);
          return false;
        }
        exchange.read(READ_BUFFER, length);
        return true;
      },
    },
  });
  conn.socket.on('error', (error) => {
    if (conn.exchange) conn.exchange.lost(error);
    else dropIdle(conn);
  });
  conn.socket.on('end', () => {
    if (conn.exchange) conn.exchange.closed();
    else dropIdle(conn);
  });
  conn.socket.on('close', () => {
    if (conn.exchange) conn.exchange.lost(new Http1Error('ECONNRESET', 'the connection closed before the response ended'));
    else dropIdle(conn);
  });
  conn.socket.on('timeout', () => conn.exchange?.lost(new Http1Error('BODY_TIMEOUT', 'the response went silent for longer than the body timeout')));
  return conn;
}

const enum Phase {
  Head,
  Body,
  Done,
}

const enum Framing {
  Chunked,
  Length,
  Close,
}

const enum ChunkState {
  Size,
  Extension,
  Data,
  DataEnd,
  Trailers,
}

/** The value of an ASCII hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Header names a caller may not set: the client frames the request itself. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'expect', 'te', 'keep-alive']);

function requestHead(request: Http1Request): Buffer {
  const url = request.url;
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(headers)) {
    if (RESERVED.has(name)) continue;
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new Http1Error('INVALID_HEADER', `the header name "${name}" is not a valid HTTP token`);
    if (/[\r\n\0]/.test(value)) throw new Http1Error('INVALID_HEADER', `the ${name} header holds a line break or NUL`);
    head += `${name}: ${value}\r\n`;
  }
  head += `Content-Length: ${Buffer.byteLength(request.body)}\r\n\r\n`;
  return Buffer.from(head, 'latin1');
}

/** One request and its response on one connection. */
class Exchange {
  private readonly request: Http1Request;
  private readonly sink: Http1Sink;
  private conn: Connection | undefined;
  private retried = false;
  private phase = Phase.Head;
  private head = '';
  private sawResponseByte = false;
  private responded = false;
  private keepAlive = false;
  private framing = Framing.Close;
  private remaining = 0;
  private chunkState = ChunkState.Size;
  private sizeDigits = 0;
  private lineBytes = 0;
  private trailerText = false;
  private headersTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private draining: NodeJS.Timeout | undefined;
  private drained = 0;

  constructor(request: Http1Request, sink: Http1Sink) {
    this.request = request;
    this.sink = sink;
  }

  start(): void {
    let head: Buffer;
    try {
      head = requestHead(this.request);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (this.request.headersTimeoutMs > 0) {
      this.headersTimer = setTimeout(() => this.fail(new Http1Error('HEADERS_TIMEOUT', `no response headers within ${this.request.headersTimeoutMs} ms`)), this.request.headersTimeoutMs);
    }
    this.send(head);
  }

  /** `fresh`: a new connection even when idle ones wait (the retry: they may be as stale as the one that failed). */
  private send(head: Buffer, fresh = false): void {
    const origin = this.request.url.host;
    const conn = (fresh ? undefined : takeIdle(origin)) ?? openConnection(this.request.url, origin);
    this.conn = conn;
    conn.exchange = this;
    conn.socket.ref();
    conn.socket.setTimeout(0);
    conn.socket.cork();
    conn.socket.write(head);
    conn.socket.write(this.request.body, 'utf8');
    conn.socket.uncork();
  }

  socket(): Socket | undefined {
    return this.finished ? undefined : this.conn?.socket;
  }

  /** The reader needs no more of the body (see DRAIN_MS): the end is awaited briefly, then the connection closed. */
  drain(): void {
    if (this.finished || this.draining) return;
    if (this.phase !== Phase.Body) {
      this.fail(new Http1Error('CANCELLED', 'cancelled'));
      return;
    }
    this.draining = setTimeout(() => this.fail(new Http1Error('CANCELLED', 'cancelled')), DRAIN_MS);
    this.draining.unref();
    this.conn?.socket.resume();
  }

  /** A read from the socket: `length` bytes at the start of `buffer`. */
  read(buffer: Buffer, length: number): void {
    const t = this.request.clock();
    if (this.finished) return;
    this.sawResponseByte = true;
    let offset = 0;
    if (this.phase === Phase.Head) {
      offset = this.readHead(buffer, length);
      if (offset < 0 || this.finished) return;
    }
    if (this.phase === Phase.Body) {
      if (offset < length) this.readBody(buffer, offset, length, t);
    } else if (offset < length) this.keepAlive = false; // bytes after a body-less response: never reuse
    if (this.phase === Phase.Done && !this.finished) this.complete(t);
  }

  /** Accumulates the response head; returns where the body starts in this read, or -1 when more is needed. */
  private readHead(buffer: Buffer, length: number): number {
    // Offsets in `head` map to offsets in this read: latin1 is one character per byte.
    let origin = -this.head.length;
    this.head += buffer.toString('latin1', 0, length);
    for (;;) {
      const end = this.head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (this.head.length > MAX_HEAD_BYTES) this.fail(new Http1Error('HEADERS_OVERFLOW', `the response headers exceed ${MAX_HEAD_BYTES} bytes`));
        return -1;
      }
      const text = this.head.slice(0, end);
      const bodyStart = end + 4;
      const parsed = parseHead(text);
      if (parsed instanceof Http1Error) {
        this.fail(parsed);
        return -1;
      }
      if (parsed.status >= 100 && parsed.status < 200) {
        // An informational response (100 Continue, 103 Early Hints): the real one follows.
        this.head = this.head.slice(bodyStart);
        origin += bodyStart;
        continue;
      }
      this.head = '';
      this.begin(parsed);
      return origin + bodyStart;
    }
  }

  private begin(parsed: { version: string; status: number; headers: Map<string, string> }): void {
    if (this.headersTimer) clearTimeout(this.headersTimer);
    this.headersTimer = undefined;
    const { headers, status, version } = parsed;
    const connection = (headers.get('connection') ?? '').toLowerCase();
    this.keepAlive = version === '1.1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const te = headers.get('transfer-encoding');
    const cl = headers.get('content-length');
    if (status === 204 || status === 304) {
      this.framing = Framing.Length;
      this.remaining = 0;
    } else if (te !== undefined) {
      // RFC 9112 §6.3: Transfer-Encoding wins over Content-Length; anything but chunked last reads to the close.
      const codings = te
        .toLowerCase()
        .split(',')
        .map((s) => s.trim());
      this.framing = codings[codings.length - 1] === 'chunked' ? Framing.Chunked : Framing.Close;
      if (cl !== undefined) this.keepAlive = false;
    } else if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) {
        this.fail(new Http1Error('INVALID_CONTENT_LENGTH', `the response's Content-Length "${cl}" is not a number`));
        return;
      }
      this.framing = Framing.Length;
      this.remaining = Number(cl);
    } else {
      this.framing = Framing.Close;
    }
    if (this.framing === Framing.Close) this.keepAlive = false;
    this.phase = this.framing === Framing.Length && this.remaining === 0 ? Phase.Done : Phase.Body;
    this.responded = true;
    if (this.request.bodyTimeoutMs > 0) this.conn?.socket.setTimeout(this.request.bodyTimeoutMs);
    this.sink.response(status, headers);
  }

  private readBody(buffer: Buffer, from: number, to: number, t: number): void {
    if (this.draining) {
      this.drained += to - from;
      if (this.drained > DRAIN_BYTES) return this.fail(new Http1Error('CANCELLED', 'cancelled'));
    }
    if (this.framing === Framing.Close) {
      this.sink.data(buffer.subarray(from, to), t);
      return;
    }
    if (this.framing === Framing.Length) {
      const n = Math.min(this.remaining, to - from);
      if (n > 0) this.sink.data(buffer.subarray(from, from + n), t);
      this.remaining -= n;
      if (this.remaining === 0) {
        this.phase = Phase.Done;
        if (from + n < to) this.keepAlive = false; // bytes beyond the body: never reuse
      }
      return;
    }
    this.readChunked(buffer, from, to, t);
  }

  /**
   * Chunked transfer coding (RFC 9112 §7.1): size line, data, CRLF, ..., a zero-size chunk,
   * trailers, CRLF. Read byte by byte without building strings: a token's chunk costs a few
   * comparisons besides handing its data on. A bare LF is taken for CRLF (§2.2).
   */
  private readChunked(buffer: Buffer, from: number, to: number, t: number): void {
    let i = from;
    while (i < to && !this.finished) {
      switch (this.chunkState) {
        case ChunkState.Data: {
          const n = Math.min(this.remaining, to - i);
          this.sink.data(buffer.subarray(i, i + n), t);
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.chunkState = ChunkState.DataEnd;
          break;
        }
        case ChunkState.Size: {
          const c = buffer[i++]!;
          const digit = hexValue(c);
          if (digit >= 0) {
            if (++this.sizeDigits > 12) return this.fail(new Http1Error('INVALID_CHUNK', 'a chunk size is too large'));
            this.remaining = this.remaining * 16 + digit;
          } else if (c === 10) {
            if (this.sizeDigits === 0) return this.fail(new Http1Error('INVALID_CHUNK', 'a chunk-size line holds no size'));
            this.startChunk();
          } else if (c === 59 /* ; */) {
            this.chunkState = ChunkState.Extension;
          } else if (c !== 13 && c !== 32 && c !== 9) {
            return this.fail(new Http1Error('INVALID_CHUNK', `a chunk-size line holds "${String.fromCharCode(c)}"`));
          }
          break;
        }
        case ChunkState.Extension: {
          // Chunk extensions carry nothing a generation stream needs: skipped to the line end.
          const lf = buffer.indexOf(10, i);
          if (lf === -1 || lf >= to) {
            this.lineBytes += to - i;
            if (this.lineBytes > MAX_CHUNK_LINE) return this.fail(new Http1Error('INVALID_CHUNK', 'a chunk-size line is too long'));
            i = to;
          } else {
            i = lf + 1;
            this.startChunk();
          }
          break;
        }
        case ChunkState.DataEnd: {
          const c = buffer[i++]!;
          if (c === 10) this.chunkState = ChunkState.Size;
          else if (c !== 13) return this.fail(new Http1Error('INVALID_CHUNK', 'a chunk was longer than its size said'));
          break;
        }
        case ChunkState.Trailers: {
          const lf = buffer.indexOf(10, i);
          const end = lf === -1 || lf >= to ? to : lf;
          this.lineBytes += end - i;
          // Only whether the line is empty matters: trailers are not used.
          if (end > i && !(end - i === 1 && buffer[i] === 13)) this.trailerText = true;
          if (this.lineBytes > MAX_CHUNK_LINE) return this.fail(new Http1Error('INVALID_CHUNK', 'a trailer line is too long'));
          i = end;
          if (end === to) break;
          i++;
          if (!this.trailerText) {
            // The blank line after the trailers: the message is complete.
            this.phase = Phase.Done;
            if (i < to) this.keepAlive = false; // bytes beyond the message: never reuse
            return;
          }
          this.trailerText = false;
          this.lineBytes = 0;
          break;
        }
      }
    }
  }

  /** A chunk-size line ended: its data follows, or, for size 0, the trailers. */
  private startChunk(): void {
    this.chunkState = this.remaining === 0 ? ChunkState.Trailers : ChunkState.Data;
    this.sizeDigits = 0;
    this.lineBytes = 0;
    this.trailerText = false;
  }

  /** The server closed its side. */
  closed(): void {
    if (this.finished) return;
    if (this.phase === Phase.Body && this.framing === Framing.Close) {
      this.phase = Phase.Done;
      this.complete(this.request.clock());
      return;
    }
    this.lost(new Http1Error('ECONNRESET', 'the connection closed before the response ended'));
  }

  /** The connection failed (reset, refused, timed out). */
  lost(error: Error): void {
    if (this.finished) return;
    const conn = this.conn;
    // A kept-alive connection the server had already closed: nothing was answered, so the request
    // is sent once more on a new connection (as browsers and undici do for a stale socket).
    if (conn?.reused && !this.sawResponseByte && !this.retried) {
      this.retried = true;
      conn.exchange = undefined;
      conn.socket.destroy();
      this.send(requestHead(this.request), true);
      return;
    }
    this.fail(error);
  }

  private complete(t: number): void {
    this.finished = true;
    if (this.draining) clearTimeout(this.draining);
    const conn = this.conn!;
    if (this.keepAlive) release(conn);
    else {
      conn.exchange = undefined;
      conn.socket.destroy();
    }
    this.sink.end(t);
  }

  fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (this.headersTimer) clearTimeout(this.headersTimer);
    if (this.draining) clearTimeout(this.draining);
    const conn = this.conn;
    if (conn) {
      conn.exchange = undefined;
      conn.socket.destroy();
    }
    this.sink.error(error, this.responded);
  }
}

function parseHead(text: string): { version: string; status: number; headers: Map<string, string> } | Http1Error {
  const lines = text.split('\r\n');
  const status = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(lines[0]!);
  if (!status) return new Http1Error('INVALID_RESPONSE', `the response does not start with an HTTP/1.x status line: "${lines[0]!.slice(0, 60)}"`);
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return new Http1Error('INVALID_RESPONSE', `a response header line has no name: "${line.slice(0, 60)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers.get(name);
    if (name === 'content-length' && seen !== undefined && seen !== value) return new Http1Error('INVALID_CONTENT_LENGTH', 'the response has two different Content-Length headers');
    headers.set(name, seen === undefined || name === 'content-length' ? value : `${seen}, ${value}`);
  }
  return { version: status[1]!, status: Number(status[2]), headers };
}

export interface Http1Control {
  /** Ends the exchange: the connection is closed, not reused. With a reason the sink hears it as error() (unless the exchange had ended); without, the sink hears nothing more. */
  cancel: (reason?: Error) => void;
  /** The reader needs no more of the body: the sink hears nothing more; a response about to end keeps its connection (DRAIN_MS), any other is cut. */
  done: () => void;
  /** Stops reading the socket until resume() (a consumer far behind). */
  pause: () => void;
  resume: () => void;
}

/** Sends the request and reports the response to `sink`. */
export function http1Stream(request: Http1Request, sink: Http1Sink): Http1Control {
  let cancelled = false;
  const guarded: Http1Sink = {
    response: (status, headers) => !cancelled && sink.response(status, headers),
    data: (bytes, t) => !cancelled && sink.data(bytes, t),
    end: (t) => !cancelled && sink.end(t),
    error: (error, responded) => !cancelled && sink.error(error, responded),
  };
  const exchange = new Exchange(request, guarded);
  exchange.start();
  return {
    cancel: (reason) => {
      if (cancelled) return;
      if (reason) exchange.fail(reason);
      cancelled = true;
      exchange.fail(new Http1Error('CANCELLED', 'cancelled'));
    },
    done: () => {
      if (cancelled) return;
      cancelled = true;
      exchange.drain();
    },
    pause: () => exchange.socket()?.pause(),
    resume: () => exchange.socket()?.resume(),
  };
}
