/**
 * HTTP helpers on undici shared by the drivers: JSON GETs with a deadline and streaming POSTs
 * whose body is read chunk by chunk (so the SSE reader can timestamp arrivals).
 */
import { request, Agent, type Dispatcher } from 'undici';
import { LlmSpeedError, TimeoutError, errorMessage } from '../errors.js';

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
    const code = (error as { code?: string }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT') throw new TimeoutError(`${method} ${redactUrl(url)}`, headersTimeout);
    throw new LlmSpeedError('http', `${method} ${redactUrl(url)} failed: ${errorMessage(error)}`, { cause: error });
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

/** POSTs JSON and returns the response body as a chunk stream; throws HttpStatusError on 4xx/5xx. */
export async function postStream(url: string, payload: unknown, options: HttpOptions = {}): Promise<AsyncIterable<Uint8Array>> {
  const response = await send('POST', url, JSON.stringify(payload), options);
  await failOnStatus(url, response);
  return response.body;
}
