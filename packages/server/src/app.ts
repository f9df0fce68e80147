/**
 * The HTTP server: routing, body limits, hashed-IP access log and rate limiting around the
 * repository, ingest and pages. Plain node:http; every route is listed in `route()`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { DeviceLogin, GitHubDeviceFlow, AuthError, withContributor, type GitHubOptions } from './auth/index.js';
import { InsertBatcher } from './batcher.js';
import { IngestError, ingest } from './ingest.js';
import { DailySaltIpHasher, type WallClock } from './ip-hash.js';
import { cheatsheetPage, listingPage, messagePage, runPage, WITHDRAWN_MESSAGE } from './pages/pages.js';
import { privacyDocument } from './privacy-json.js';
import { DEFAULT_RATE_LIMIT, TokenBucketLimiter, type RateLimitOptions } from './rate-limit.js';
import type { ResultsRepository } from './repository.js';
import { SqliteResultsRepository } from './sqlite-repository.js';

/** Largest accepted POST /v1/results body. A full suite-v1 run is ~10 KiB; raw timings can add more. */
export const MAX_RESULT_BYTES = 256 * 1024;
/** Largest dispute / message body, and the longest message kept. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_MESSAGE_CHARS = 5000;
/** Bodies beyond this are not even drained: the connection is dropped. */
const DRAIN_LIMIT = 8 * 1024 * 1024;
const LISTING_LIMIT = 200;
const CHEATSHEET_LIMIT = 50;

export interface ServerOptions {
  /** SQLite file path, or any ResultsRepository. */
  db: string | ResultsRepository;
  /** Wall clock in epoch ms (default Date.now): drives the IP salt days, rate limits and timestamps. */
  clock?: WallClock;
  /** Base URL used in permalinks returned by POST /v1/results (default: the listening address). */
  publicUrl?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Access-log sink, one line per request (default: stdout). Lines carry the hashed IP only. */
  log?: (line: string) => void;
  /** Token bucket per hashed IP for POSTs; false disables it (benchmarks). */
  rateLimit?: RateLimitOptions | false;
  /** Bearer token for POST /v1/results/<id>/withdraw (default: env LLM_SPEED_ADMIN_TOKEN; unset = withdrawal disabled). */
  adminToken?: string;
  /** Take the client address from the first X-Forwarded-For entry (only behind your own proxy). */
  trustProxy?: boolean;
  /** GitHub device flow for `llm-speed login` (client id, base URLs; tests point these at a replay server). */
  github?: GitHubOptions;
}

export interface RunningServer {
  url: string;
  server: http.Server;
  repository: ResultsRepository;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, status: number, page: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page),
    // Pages carry no scripts at all; this keeps it that way even if escaping ever failed.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
  });
  res.end(page);
}

/** Reads a body up to `limit` bytes; larger bodies are drained (bounded) and refused with 413. */
function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > DRAIN_LIMIT) {
      req.destroy();
      reject(new HttpError(413, `body too large: the limit is ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT) req.destroy();
      else if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => (size > limit ? reject(new HttpError(413, `body too large: ${size} bytes, the limit is ${limit} bytes`)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

async function readMessage(req: http.IncomingMessage): Promise<{ message: string; reason?: string }> {
  const text = await readBody(req, MAX_MESSAGE_BYTES);
  let body: unknown;
  try {
    body = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, 'body must be JSON: {"message": "..."}');
  }
  const { message, reason } = (body ?? {}) as { message?: unknown; reason?: unknown };
  return {
    message: typeof message === 'string' ? message.trim() : '',
    reason: typeof reason === 'string' ? reason.slice(0, MAX_MESSAGE_CHARS) : undefined,
  };
}

function validMessage(message: string): string {
  if (!message) throw new HttpError(400, 'a non-empty "message" is required');
  if (message.length > MAX_MESSAGE_CHARS) throw new HttpError(400, `message too long: at most ${MAX_MESSAGE_CHARS} characters`);
  return message;
}

function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const repo = typeof options.db === 'string' ? new SqliteResultsRepository(options.db) : options.db;
  const ownsRepo = typeof options.db === 'string';
  const clock = options.clock ?? Date.now;
  const hasher = new DailySaltIpHasher(clock);
  const limiter = options.rateLimit === false ? undefined : new TokenBucketLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock);
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const adminToken = options.adminToken ?? process.env.LLM_SPEED_ADMIN_TOKEN;
  const batcher = new InsertBatcher(repo);
  let baseUrl = '';
  const isoNow = () => new Date(clock()).toISOString();
  const deviceLogin = new DeviceLogin(new GitHubDeviceFlow(options.github), repo, isoNow);

  function clientIp(req: http.IncomingMessage): string {
    const forwarded = options.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0].trim() : '';
    return forwarded || req.socket.remoteAddress || 'unknown';
  }

  function foundOr404<T>(id: string, found: T | undefined): T {
    if (!found) throw new HttpError(404, `no result ${id}`);
    return found;
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, ipHash: string, previousIpHash: string | undefined): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;

    if (method === 'POST' && limiter && !limiter.take(ipHash, previousIpHash)) {
      res.setHeader('retry-after', String(limiter.retryAfterSeconds(ipHash)));
      throw new HttpError(429, 'too many submissions from this address; retry later');
    }

    if (method === 'GET' && (path === '/' || path === '')) {
      res.writeHead(302, { location: '/cheatsheet' }).end();
      return;
    }
    if (method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true, results: repo.count() });
    if (method === 'GET' && path === '/privacy.json') return sendJson(res, 200, privacyDocument());
    if (path === '/v1/results') {
      if (method !== 'POST') throw new HttpError(405, 'use POST');
      const body = await readBody(req, MAX_RESULT_BYTES);
      // The --anon header (PRIVACY §3) is kept as one bit so the run is never shown as a contribution.
      const anon = String(req.headers['x-llm-speed-anon'] ?? '') === '1';
      const outcome = await ingest(body, (result) => batcher.insert(result), isoNow(), { anon });
      return sendJson(res, outcome.created ? 201 : 200, { id: outcome.id, url: `${options.publicUrl?.replace(/\/$/, '') ?? baseUrl}/r/${outcome.id}` });
    }
    if (path === '/v1/auth/device' || path === '/v1/auth/token') {
      if (method !== 'POST') throw new HttpError(405, 'use POST');
      if (path === '/v1/auth/device') return sendJson(res, 200, await deviceLogin.start());
      const text = await readBody(req, MAX_MESSAGE_BYTES);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'body must be JSON: {"device_code", "public_key", "proof"}');
      }
      return sendJson(res, 200, await deviceLogin.token(body));
    }
    if ((m = /^\/v1\/results\/(r_[A-Za-z0-9_-]{11})$/.exec(path)) && method === 'GET') {
      const stored = foundOr404(m[1], repo.get(m[1]));
      if (stored.withdrawn) return sendJson(res, 404, { error: WITHDRAWN_MESSAGE });
      return sendJson(res, 200, stored.json);
    }
    if ((m = /^\/v1\/results\/(r_[A-Za-z0-9_-]{11})\/disputes$/.exec(path))) {
      const stored = foundOr404(m[1], repo.get(m[1]));
      if (method === 'GET') return sendJson(res, 200, repo.disputesFor(stored.id));
      if (method !== 'POST') throw new HttpError(405, 'use GET or POST');
      const { message } = await readMessage(req);
      const dispute = repo.openDispute(stored.id, validMessage(message), isoNow());
      return sendJson(res, 201, dispute);
    }
    if ((m = /^\/v1\/results\/(r_[A-Za-z0-9_-]{11})\/withdraw$/.exec(path)) && method === 'POST') {
      if (!adminToken) throw new HttpError(403, 'withdrawal is disabled: start the server with LLM_SPEED_ADMIN_TOKEN set');
      if (!tokenMatches(req.headers.authorization, adminToken)) throw new HttpError(401, 'withdrawal needs Authorization: Bearer <LLM_SPEED_ADMIN_TOKEN>');
      const { reason, message } = await readMessage(req);
      foundOr404(m[1], repo.get(m[1]));
      const changed = repo.withdraw(m[1], reason ?? message ?? '', isoNow());
      return sendJson(res, 200, { id: m[1], withdrawn: true, already: !changed });
    }
    if ((m = /^\/v1\/disputes\/([0-9]{1,12})(\/messages)?$/.exec(path))) {
      const id = Number(m[1]);
      if (method === 'GET' && !m[2]) return sendJson(res, 200, foundOr404(`dispute ${id}`, repo.getDispute(id)));
      if (method !== 'POST' || !m[2]) throw new HttpError(405, 'POST /v1/disputes/<n>/messages');
      const { message } = await readMessage(req);
      const text = validMessage(message);
      const dispute = repo.addDisputeMessage(id, text, isoNow());
      if (!dispute) throw new HttpError(404, `no dispute ${id}`);
      return sendJson(res, 201, dispute);
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    if ((m = /^\/r\/(r_[A-Za-z0-9_-]{11})(\.json)?$/.exec(path))) {
      const stored = repo.get(m[1]);
      const wantsJson = Boolean(m[2]) || /application\/json/.test(String(req.headers.accept ?? '')) && !/text\/html/.test(String(req.headers.accept ?? ''));
      if (!stored) return wantsJson ? sendJson(res, 404, { error: `no result ${m[1]}` }) : sendHtml(res, 404, messagePage('Not found', `No result ${m[1]}.`));
      if (stored.withdrawn) return wantsJson ? sendJson(res, 404, { error: WITHDRAWN_MESSAGE }) : sendHtml(res, 404, messagePage('Withdrawn', WITHDRAWN_MESSAGE));
      // verify-run may be given the permalink: hand it the stored JSON when it asks for JSON.
      if (wantsJson) return sendJson(res, 200, stored.json);
      return sendHtml(res, 200, withContributor(runPage(stored, repo.disputesFor(stored.id)), repo.contributorOfResult(stored.id)));
    }
    if ((m = /^\/m\/([a-z0-9-]{1,80})$/.exec(path))) {
      const clusters = repo.clustersByModel(m[1]);
      const runs = repo.listByModel(m[1], { limit: LISTING_LIMIT });
      if (clusters.length === 0 && runs.length === 0) return sendHtml(res, 404, messagePage('Not found', `No results for model ${m[1]}.`));
      return sendHtml(res, 200, listingPage('model', clusters[0]?.modelName ?? runs[0]?.modelName ?? m[1], clusters, runs, LISTING_LIMIT));
    }
    if ((m = /^\/hw\/([a-z0-9-]{1,80})$/.exec(path))) {
      const clusters = repo.clustersByHardware(m[1]);
      const runs = repo.listByHardware(m[1], { limit: LISTING_LIMIT });
      if (clusters.length === 0 && runs.length === 0) return sendHtml(res, 404, messagePage('Not found', `No results for hardware ${m[1]}.`));
      return sendHtml(res, 200, listingPage('hardware', clusters[0]?.acceleratorSummary ?? runs[0]?.acceleratorSummary ?? m[1], clusters, runs, LISTING_LIMIT));
    }
    if (path === '/cheatsheet') return sendHtml(res, 200, cheatsheetPage(repo.cheatsheet(CHEATSHEET_LIMIT), repo.count()));
    throw new HttpError(404, `no route ${path}`);
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const ip = clientIp(req);
    const ipHash = hasher.hash(ip);
    const previousIpHash = hasher.previousHash(ip);
    res.on('finish', () => {
      // Path without the query string: nothing a client puts there ends up in the log.
      const path = (req.url ?? '/').split('?')[0];
      log(`${isoNow()} ${ipHash} ${req.method} ${path} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`);
    });
    route(req, res, ipHash, previousIpHash).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof IngestError) return sendJson(res, error.status, { error: error.message, ...(error.details ? { details: error.details } : {}) });
      if (error instanceof AuthError) return sendJson(res, error.status, { error: error.message });
      if (error instanceof HttpError) {
        if (error.status === 413) res.setHeader('connection', 'close');
        return sendJson(res, error.status, { error: error.message });
      }
      process.stderr.write(`llm-speed-server: ${(error as Error)?.stack ?? String(error)}\n`);
      sendJson(res, 500, { error: 'internal error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  return {
    url: baseUrl,
    server,
    repository: repo,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (ownsRepo) repo.close();
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
