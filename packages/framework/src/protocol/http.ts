/**
 * HTTP helpers on undici shared by the drivers: JSON GETs with a deadline and streaming POSTs
 * whose body is read chunk by chunk, each chunk stamped with the time it was read.
 *
 * Streaming POSTs are the per-token hot path (METHODOLOGY §3.5): they use undici's dispatch API,
 * whose handler is called in the socket's read callback, and hand each chunk straight to a push
 * parser (SSE, NDJSON) there. Reading the body through undici's Readable and an async iterator
 * cost about 15 µs more CPU per token on the 2-core reference machine (bench/observer-effect.mjs).
 */
import { request, Agent, type Dispatcher } from 'undici';
import { LlmSpeedError, TimeoutError, errorMessage } from '../errors.js';
import { now as defaultNow, type Clock } from '../harness/clock.js';
import { EventQueue } from './event-queue.js';
import { http1Stream } from './http1-stream.js';
import { NdjsonParser, type NdjsonValue } from './ndjson.js';
import { SseParser, type SseEvent } from './sse.js';

/** One keep-alive pool for loopback and remote backends; connections are reused across requests. */
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });

export class HttpStatusError extends LlmSpeedError {
  readonly status: number;
  readonly body: string;
  constructor(url: string, status: number, body: string) {
    super('http', `${redactUrl(url)} answered HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.body = body;
  }
}

export interface HttpOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Deadline for the response headers (connect + server think time). */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks. */
  bodyTimeoutMs?: number;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** A request that got no response: a headers timeout, a refused connection, an abort. */
function requestFailed(method: string, url: string, error: unknown, headersTimeout: number): LlmSpeedError {
  const code = (error as { code?: string }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'HEADERS_TIMEOUT') return new TimeoutError(`${method} ${redactUrl(url)}`, headersTimeout);
  return new LlmSpeedError('http', `${method} ${redactUrl(url)} failed: ${errorMessage(error)}`, { cause: error });
}

async function send(method: 'GET' | 'POST', url: string, body: string | undefined, options: HttpOptions): Promise<Dispatcher.ResponseData> {
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  try {
    return await request(url, {
      method,
      body,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      signal: options.signal,
      dispatcher: agent,
      headersTimeout,
      bodyTimeout: options.bodyTimeoutMs ?? 120_000,
    });
  } catch (error) {
    throw requestFailed(method, url, error, headersTimeout);
  }
}

async function failOnStatus(url: string, response: Dispatcher.ResponseData): Promise<void> {
  if (response.statusCode >= 400) {
    const text = await response.body.text().catch(() => '');
    throw new HttpStatusError(url, response.statusCode, text.trim());
  }
}

export async function getJson<T = unknown>(url: string, options: HttpOptions = {}): Promise<T> {
  const response = await send('GET', url, undefined, options);
  await failOnStatus(url, response);
  return (await response.body.json()) as T;
}

export async function getText(url: string, options: HttpOptions = {}): Promise<string> {
  const response = await send('GET', url, undefined, options);
  await failOnStatus(url, response);
  return response.body.text();
}

export async function postJson<T = unknown>(url: string, payload: unknown, options: HttpOptions = {}): Promise<T> {
  const response = await send('POST', url, JSON.stringify(payload), options);
  await failOnStatus(url, response);
  return (await response.body.json()) as T;
}

export interface StreamOptions extends HttpOptions {
  /** The clock each chunk's arrival is read from (default: the harness clock, performance.now()). */
  clock?: Clock;
  /**
   * 'auto' (default): plain http through the lean HTTP/1.1 reader (protocol/http1-stream.ts),
   * https through undici; 'undici': undici for both (to compare the two, as the tests do).
   */
  transport?: 'auto' | 'undici';
}

/** A push parser of a response body: fed every chunk with the time it was read, then the end. */
export interface BodyParser {
  /** `chunk` may be a view of a reused buffer: read or copy it before returning. */
  push(chunk: Uint8Array, t: number): void;
  end(t: number): void;
}

/** The most of an error response's body kept for its message. */
const ERROR_BODY_BYTES = 64 * 1024;

/** The consumer left its loop before the end: the rest of the response is not wanted. */
class StreamCancelled extends Error {
  constructor() {
    super('the reader stopped before the end of the response');
    this.name = 'AbortError';
  }
}

/** What a transport reports about one streamed response (the same for both transports). */
interface ResponseSink {
  response: (status: number) => void;
  data: (chunk: Uint8Array, t: number) => void;
  end: (t: number) => void;
  error: (error: Error, responded: boolean) => void;
}

interface TransportControl {
  cancel: (reason: Error) => void;
  /** The reader left its loop: the rest of the body is not wanted. */
  done: () => void;
  pause: () => void;
  resume: () => void;
}

interface StreamRequest {
  url: URL;
  body: string;
  headers: Record<string, string>;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  clock: Clock;
}

/** undici's dispatch API: its handler runs in undici's socket read callback, with no Readable in between. */
function undiciStream(request: StreamRequest, sink: ResponseSink): TransportControl {
  let controller: Dispatcher.DispatchController | undefined;
  let pending: Error | undefined;
  let responded = false;
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
      if (pending) c.abort(pending);
    },
    onResponseStart(_c, statusCode) {
      if (statusCode < 200) return; // 1xx: the real response follows
      responded = true;
      sink.response(statusCode);
    },
    onResponseData(_c, chunk) {
      // The arrival time first: parse cost must never show up in token timings (METHODOLOGY §3.1).
      const t = request.clock();
      sink.data(chunk, t);
    },
    onResponseEnd() {
      sink.end(request.clock());
    },
    onResponseError(_c, error) {
      sink.error(error, responded);
    },
  };
  agent.dispatch(
    {
      origin: request.url.origin,
      path: request.url.pathname + request.url.search,
      method: 'POST',
      body: request.body,
      headers: { 'content-type': 'application/json', ...request.headers },
      headersTimeout: request.headersTimeoutMs,
      bodyTimeout: request.bodyTimeoutMs,
    },
    handler,
  );
  const cancel = (reason: Error) => {
    if (controller === undefined) pending = reason;
    else if (!controller.aborted) controller.abort(reason);
  };
  return {
    cancel,
    done: () => cancel(new StreamCancelled()),
    pause: () => controller?.pause(),
    resume: () => controller?.resume(),
  };
}

/**
 * POSTs JSON and parses the streamed response as it is read. Each chunk is stamped with
 * `clock()` in the socket's read callback — the first thing done with it — and pushed to the
 * parser there; what the parser emits is handed to the caller's `for await` in order. Resolves
 * once the response headers arrived; a 4xx/5xx rejects with HttpStatusError (with the body), a
 * request that got no response with TimeoutError or an "http" LlmSpeedError. Leaving the loop
 * early, or the signal firing, cancels the request and closes its connection.
 */
export function postParsed<E>(url: string, payload: unknown, options: StreamOptions, parser: (emit: (event: E) => void) => BodyParser): Promise<AsyncIterableIterator<E>> {
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const signal = options.signal;
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`${target.protocol} is not http: or https:`);
  } catch (error) {
    return Promise.reject(requestFailed('POST', url, error, headersTimeout));
  }
  const request: StreamRequest = {
    url: target,
    body: JSON.stringify(payload),
    headers: options.headers ?? {},
    headersTimeoutMs: headersTimeout,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 120_000,
    clock: options.clock ?? defaultNow,
  };
  return new Promise((resolve, reject) => {
    let status = 0;
    let errorBody: Buffer[] | undefined;
    let errorBytes = 0;
    const queue = new EventQueue<E>({
      cancel: () => control?.done(),
      pause: () => control?.pause(),
      resume: () => control?.resume(),
    });
    const body = parser((event) => queue.push(event));
    const onAbort = () => control?.cancel(signal?.reason instanceof Error ? signal.reason : new StreamCancelled());
    const settle = () => signal?.removeEventListener('abort', onAbort);
    const statusError = () =>
      new HttpStatusError(
        url,
        status,
        Buffer.concat(errorBody ?? [])
          .toString('utf8')
          .trim(),
      );
    const sink: ResponseSink = {
      response(code) {
        status = code;
        if (code >= 400) errorBody = [];
        else resolve(queue);
      },
      data(chunk, t) {
        if (errorBody !== undefined) {
          // Copied: the transport may reuse the chunk's memory.
          if (errorBytes < ERROR_BODY_BYTES) errorBody.push(Buffer.from(chunk));
          errorBytes += chunk.length;
          return;
        }
        try {
          body.push(chunk, t);
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          queue.fail(failure);
          control?.cancel(failure);
        }
      },
      end(t) {
        settle();
        if (errorBody !== undefined) return reject(statusError());
        try {
          body.end(t);
          queue.end();
        } catch (error) {
          queue.fail(error);
        }
      },
      error(error, responded) {
        settle();
        if (!responded) reject(requestFailed('POST', url, error, headersTimeout));
        else if (errorBody !== undefined) reject(statusError());
        else queue.fail(error);
      },
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const control: TransportControl = target.protocol === 'http:' && options.transport !== 'undici' ? http1Stream(request, sink) : undiciStream(request, sink);
    if (signal?.aborted) onAbort();
  });
}

/**
 * POSTs JSON and reads the response as Server-Sent Events, each stamped with the time the chunk
 * that completed it was read (see postParsed). The events are those readSse gives for the same bytes.
 */
export function postSse(url: string, payload: unknown, options: StreamOptions = {}): Promise<AsyncIterableIterator<SseEvent>> {
  return postParsed(url, payload, options, (emit) => new SseParser(emit));
}

/** POSTs JSON and reads the response as newline-delimited JSON (Ollama), stamped like postSse. */
export function postNdjson(url: string, payload: unknown, options: StreamOptions = {}): Promise<AsyncIterableIterator<NdjsonValue>> {
  return postParsed(url, payload, options, (emit) => new NdjsonParser(emit));
}

/** POSTs JSON and returns the response body as a chunk stream; throws HttpStatusError on 4xx/5xx. */
export function postStream(url: string, payload: unknown, options: HttpOptions = {}): Promise<AsyncIterable<Uint8Array>> {
  // Each chunk copied: the lean reader reuses its read buffer.
  return postParsed<Uint8Array>(url, payload, options, (emit) => ({ push: (chunk) => emit(Uint8Array.prototype.slice.call(chunk)), end: () => {} }));
}
