/**
 * The HTTP server on Fastify: routes around the repository, ingest and pages. The plumbing is
 * Fastify's and its plugins' — routing, body limits (413), content-type parsing (415),
 * proxy addresses (trustProxy → proxy-addr), security headers (@fastify/helmet) and rate limits
 * (@fastify/rate-limit) — configured here; the access log and the client hash are ours
 * (PRIVACY §4: the clear client address is never logged or stored).
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods, type RouteOptions } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { DeviceLogin, GitHubDeviceFlow, AuthError, withContributor, type GitHubOptions } from './auth/index.js';
import { InsertBatcher } from './batcher.js';
import { HttpError } from './http-error.js';
import { IngestError } from './ingest.js';
import { DailySaltIpHasher, type SaltSource, type WallClock } from './ip-hash.js';
import { JOSE, JSON_TYPE, mediaTypeEssence, registerBodyParsers, unsupportedMediaType } from './media-types.js';
import { cheatsheetPage, listingPage, messagePage, runPage, WITHDRAWN_MESSAGE } from './pages/pages.js';
import { privacyDocument } from './privacy-json.js';
import { DEFAULT_RATE_LIMIT, hashedIpRateLimit, type RateLimitOptions } from './rate-limit.js';
import { openRepository } from './open-repository.js';
import type { PostgresOpenOptions } from './postgres-repository.js';
import type { ResultsRepository } from './repository.js';
import { parseTrustProxy } from './trust-proxy.js';
import { createVerifier, type Verifier } from './verify-pool.js';

/** Largest accepted POST /v1/results body. A full suite-v1 run is ~10 KiB; raw timings can add more. */
export const MAX_RESULT_BYTES = 256 * 1024;
/** Largest dispute / message body, and the longest message kept. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_MESSAGE_CHARS = 5000;
/** IPv6 clients share a rate-limit bucket (and a log hash) per /64: one subscriber's allocation. */
export const IPV6_CLIENT_PREFIX = 64;
const LISTING_LIMIT = 200;
const CHEATSHEET_LIMIT = 50;

/**
 * Pages carry no scripts at all; the policy keeps it that way even if escaping ever failed, and
 * forbids framing (click-jacking). JSON answers get the same header: it costs nothing there.
 */
const CONTENT_SECURITY_POLICY = {
  'default-src': ["'none'"],
  'style-src': ["'unsafe-inline'"],
  'img-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
};

export interface ServerOptions {
  /** A SQLite file path, a postgres:// URL, or any ResultsRepository. */
  db: string | ResultsRepository;
  /** PostgreSQL: migrate at start when the role may, the app role to grant, connections per process. */
  postgres?: PostgresOpenOptions;
  /**
   * Worker threads verifying submissions (verify-pool.ts). 0 (the library default) verifies on
   * the main thread; the CLI uses the cores this process is given.
   */
  verifyThreads?: number;
  /** Where each UTC day's IP salt comes from (ip-hash.ts): random by default; cluster workers get the primary's. */
  salts?: SaltSource;
  /** Appended to every access-log line (cluster workers: `w<id>`), so lines can be told apart. */
  logTag?: string;
  /** Wall clock in epoch ms (default Date.now): drives the IP salt days, rate limits and timestamps. */
  clock?: WallClock;
  /** Base URL used in permalinks returned by POST /v1/results (default: the listening address). */
  publicUrl?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Access-log sink, one line per request (default: stdout). Lines carry the hashed IP only. */
  log?: (line: string) => void;
  /** Token bucket per hashed client for POSTs; false disables it (benchmarks). */
  rateLimit?: RateLimitOptions | false;
  /** Bearer token for POST /v1/results/<id>/withdraw (default: env LLM_SPEED_ADMIN_TOKEN; unset = withdrawal disabled). */
  adminToken?: string;
  /**
   * Your own reverse proxies: addresses / CIDRs (a list, or one comma-separated string). The client
   * is then the right-most X-Forwarded-For address not inside these ranges. Unset: the socket address.
   */
  trustProxy?: string | readonly string[];
  /** GitHub device flow for `llm-speed login` (client id, base URLs; tests point these at a replay server). */
  github?: GitHubOptions;
}

export interface RunningServer {
  url: string;
  /** Where submissions are verified (worker threads or the main thread). */
  verifier: Verifier;
  /** The underlying node:http server (Fastify's). */
  server: http.Server;
  repository: ResultsRepository;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Today's salted hash of the client (its address, or its /64 for IPv6). */
    clientHash: string;
  }
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseJsonBody(text: unknown, hint: string): unknown {
  const body = typeof text === 'string' ? text : '';
  if (!body.trim()) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new HttpError(400, `body must be JSON: ${hint}`);
  }
}

function readMessage(body: unknown): { message: string; reason?: string } {
  const { message, reason } = (parseJsonBody(body, '{"message": "..."}') ?? {}) as { message?: unknown; reason?: unknown };
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

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return reply.code(status).type('application/json; charset=utf-8').send(text);
}

function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0];
const noRoute = (request: FastifyRequest) => new HttpError(404, `no route ${pathOf(request)}`);
const RESULT_ID = /^r_[A-Za-z0-9_-]{11}$/;
const SLUG = /^[a-z0-9-]{1,80}$/;

function param(request: FastifyRequest, name: string, pattern: RegExp): string {
  const value = (request.params as Record<string, string>)[name];
  if (!pattern.test(value)) throw noRoute(request);
  return value;
}

/** The JSON error body for anything thrown by a route, a hook or Fastify itself. */
function errorReply(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof IngestError) return sendJson(reply, error.status, { error: error.message, ...(error.details ? { details: error.details } : {}) });
  if (error instanceof AuthError) return sendJson(reply, error.status, { error: error.message });
  if (error instanceof HttpError) return sendJson(reply, error.status, { error: error.message, ...error.extra });
  const status = (error as FastifyError)?.statusCode;
  if (status === 413) {
    // The rest of the body is not read: do not keep the connection for the next request.
    reply.header('connection', 'close');
    return sendJson(reply, 413, { error: `body too large: the limit is ${request.routeOptions.bodyLimit} bytes` });
  }
  if (status === 415) {
    const accepted = request.routeOptions.config.mediaTypes ?? [];
    const { message, extra } = unsupportedMediaType(mediaTypeEssence(request.headers['content-type']), accepted, pathOf(request));
    return sendJson(reply, 415, { error: message, ...extra });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return sendJson(reply, status, { error: (error as Error).message });
  process.stderr.write(`llm-speed-server: ${(error as Error)?.stack ?? String(error)}\n`);
  return sendJson(reply, 500, { error: 'internal error' });
}

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const trustedProxies = parseTrustProxy(options.trustProxy);
  const repo = typeof options.db === 'string' ? await openRepository(options.db, options.postgres) : options.db;
  const ownsRepo = typeof options.db === 'string';
  const clock = options.clock ?? Date.now;
  const hasher = new DailySaltIpHasher(clock, options.salts);
  const verifier = createVerifier(options.verifyThreads ?? 0);
  const logSuffix = options.logTag ? ` ${options.logTag}` : '';
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const adminToken = options.adminToken ?? process.env.LLM_SPEED_ADMIN_TOKEN;
  const batcher = new InsertBatcher(repo);
  let baseUrl = '';
  const isoNow = () => new Date(clock()).toISOString();
  const deviceLogin = new DeviceLogin(new GitHubDeviceFlow(options.github), repo, isoNow);

  const app = Fastify({
    logger: false,
    // proxy-addr walks X-Forwarded-For from the right and stops at the first untrusted address.
    trustProxy: trustedProxies.length > 0 ? trustedProxies : false,
    bodyLimit: MAX_MESSAGE_BYTES,
    // Fastify turns node's whole-request timeout off by default; a slow-drip client must not hold a socket forever.
    requestTimeout: 120_000,
    forceCloseConnections: true,
    // Malformed URLs and the like: the same JSON error shape as everything else.
    frameworkErrors: (error, request, reply) => errorReply(error, request, reply),
  });

  /** Rate-limit and log key: a v4 address, or the /64 of a v6 one; v4-mapped v6 counts as v4. */
  const clientKey = (request: FastifyRequest) => normalizeIP(request.ip ?? 'unknown', IPV6_CLIENT_PREFIX);
  const clientHash = (request: FastifyRequest) => (request.clientHash ||= hasher.hash(clientKey(request)));

  app.decorateRequest('clientHash', '');
  app.addHook('onRequest', async (request) => {
    clientHash(request);
  });
  app.addHook('onResponse', async (request, reply) => {
    // Path without the query string: nothing a client puts there ends up in the log.
    log(`${isoNow()} ${clientHash(request)} ${request.method} ${pathOf(request)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms${logSuffix}`);
  });
  app.setErrorHandler((error, request, reply) => errorReply(error, request, reply));

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // TLS is the reverse proxy's business, and so is HSTS: a plain-http server must not send it.
    strictTransportSecurity: false,
  });
  if (options.rateLimit !== false) {
    await app.register(
      rateLimit,
      hashedIpRateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT, clock, (request) => ({
        hash: clientHash(request),
        previousHash: hasher.previousHash(clientKey(request)),
      })),
    );
  }
  registerBodyParsers(app);

  /** Methods each URL answers, so the others get 405 with Allow instead of 404. */
  const allowed = new Map<string, Set<string>>();
  function route(method: 'GET' | 'POST', url: string, handler: Handler, extra: Partial<RouteOptions> & { mediaTypes?: string[] } = {}): void {
    const { mediaTypes, ...rest } = extra;
    if (!allowed.has(url)) allowed.set(url, new Set());
    allowed.get(url)!.add(method);
    if (method === 'GET') allowed.get(url)!.add('HEAD');
    app.route({
      method,
      url,
      handler: handler as RouteOptions['handler'],
      ...rest,
      config: {
        ...(method === 'POST' ? { mediaTypes: mediaTypes ?? [JSON_TYPE], ...(options.rateLimit !== false ? { rateLimit: {} } : {}) } : {}),
        ...(rest.config ?? {}),
      },
    });
  }
  const post = (url: string, handler: Handler, extra?: Partial<RouteOptions> & { mediaTypes?: string[] }) => route('POST', url, handler, extra);
  const get = (url: string, handler: Handler) => route('GET', url, handler);

  get('/', (_request, reply) => reply.redirect('/cheatsheet', 302));
  get('/healthz', async (_request, reply) => sendJson(reply, 200, { ok: true, results: await repo.count() }));
  get('/privacy.json', (_request, reply) => sendJson(reply, 200, privacyDocument()));

  post(
    '/v1/results',
    async (request, reply) => {
      // The --anon header (PRIVACY §3) is kept as one bit so the run is never shown as a contribution.
      const anon = String(request.headers['x-llm-speed-anon'] ?? '') === '1';
      const result = await verifier.verify({ body: String(request.body ?? ''), receivedAt: isoNow(), anon });
      const outcome = await batcher.insert(result);
      return sendJson(reply, outcome.created ? 201 : 200, { id: outcome.id, url: `${options.publicUrl?.replace(/\/$/, '') ?? baseUrl}/r/${outcome.id}` });
    },
    // The CLI uploads the compact JWS; a signed run JSON (detached signature) is accepted too.
    { mediaTypes: [JOSE, JSON_TYPE], bodyLimit: MAX_RESULT_BYTES },
  );
  post('/v1/auth/device', async (request, reply) => {
    parseJsonBody(request.body, '{}');
    return sendJson(reply, 200, await deviceLogin.start());
  });
  post('/v1/auth/token', async (request, reply) =>
    sendJson(reply, 200, await deviceLogin.token(parseJsonBody(request.body, '{"device_code", "public_key", "proof"}'))),
  );

  const storedOr404 = async (id: string) => {
    const stored = await repo.get(id);
    if (!stored) throw new HttpError(404, `no result ${id}`);
    return stored;
  };
  get('/v1/results/:id', async (request, reply) => {
    const stored = await storedOr404(param(request, 'id', RESULT_ID));
    if (stored.withdrawn) return sendJson(reply, 404, { error: WITHDRAWN_MESSAGE });
    return sendJson(reply, 200, stored.json);
  });
  get('/v1/results/:id/disputes', async (request, reply) => sendJson(reply, 200, await repo.disputesFor((await storedOr404(param(request, 'id', RESULT_ID))).id)));
  post('/v1/results/:id/disputes', async (request, reply) => {
    const stored = await storedOr404(param(request, 'id', RESULT_ID));
    const { message } = readMessage(request.body);
    return sendJson(reply, 201, await repo.openDispute(stored.id, validMessage(message), isoNow()));
  });
  post('/v1/results/:id/withdraw', async (request, reply) => {
    const id = param(request, 'id', RESULT_ID);
    if (!adminToken) throw new HttpError(403, 'withdrawal is disabled: start the server with LLM_SPEED_ADMIN_TOKEN set');
    if (!tokenMatches(request.headers.authorization, adminToken)) throw new HttpError(401, 'withdrawal needs Authorization: Bearer <LLM_SPEED_ADMIN_TOKEN>');
    const { reason, message } = readMessage(request.body);
    await storedOr404(id);
    const changed = await repo.withdraw(id, reason ?? message ?? '', isoNow());
    return sendJson(reply, 200, { id, withdrawn: true, already: !changed });
  });
  const DISPUTE_ID = /^[0-9]{1,12}$/;
  get('/v1/disputes/:n', async (request, reply) => {
    const id = Number(param(request, 'n', DISPUTE_ID));
    const dispute = await repo.getDispute(id);
    if (!dispute) throw new HttpError(404, `no dispute ${id}`);
    return sendJson(reply, 200, dispute);
  });
  post('/v1/disputes/:n/messages', async (request, reply) => {
    const id = Number(param(request, 'n', DISPUTE_ID));
    const text = validMessage(readMessage(request.body).message);
    const dispute = await repo.addDisputeMessage(id, text, isoNow());
    if (!dispute) throw new HttpError(404, `no dispute ${id}`);
    return sendJson(reply, 201, dispute);
  });

  get('/r/:ref', async (request, reply) => {
    const m = /^(r_[A-Za-z0-9_-]{11})(\.json)?$/.exec((request.params as { ref: string }).ref);
    if (!m) throw noRoute(request);
    const accept = String(request.headers.accept ?? '');
    const wantsJson = Boolean(m[2]) || (/application\/json/.test(accept) && !/text\/html/.test(accept));
    const stored = await repo.get(m[1]);
    if (!stored) return wantsJson ? sendJson(reply, 404, { error: `no result ${m[1]}` }) : sendHtml(reply, 404, messagePage('Not found', `No result ${m[1]}.`));
    if (stored.withdrawn) return wantsJson ? sendJson(reply, 404, { error: WITHDRAWN_MESSAGE }) : sendHtml(reply, 404, messagePage('Withdrawn', WITHDRAWN_MESSAGE));
    // verify-run may be given the permalink: hand it the stored JSON when it asks for JSON.
    if (wantsJson) return sendJson(reply, 200, stored.json);
    const [disputes, contributor] = await Promise.all([repo.disputesFor(stored.id), repo.contributorOfResult(stored.id)]);
    return sendHtml(reply, 200, withContributor(runPage(stored, disputes), contributor));
  });
  get('/m/:slug', async (request, reply) => {
    const slug = param(request, 'slug', SLUG);
    const [clusters, runs] = await Promise.all([repo.clustersByModel(slug), repo.listByModel(slug, { limit: LISTING_LIMIT })]);
    if (clusters.length === 0 && runs.length === 0) return sendHtml(reply, 404, messagePage('Not found', `No results for model ${slug}.`));
    return sendHtml(reply, 200, listingPage('model', clusters[0]?.modelName ?? runs[0]?.modelName ?? slug, clusters, runs, LISTING_LIMIT));
  });
  get('/hw/:slug', async (request, reply) => {
    const slug = param(request, 'slug', SLUG);
    const [clusters, runs] = await Promise.all([repo.clustersByHardware(slug), repo.listByHardware(slug, { limit: LISTING_LIMIT })]);
    if (clusters.length === 0 && runs.length === 0) return sendHtml(reply, 404, messagePage('Not found', `No results for hardware ${slug}.`));
    return sendHtml(reply, 200, listingPage('hardware', clusters[0]?.acceleratorSummary ?? runs[0]?.acceleratorSummary ?? slug, clusters, runs, LISTING_LIMIT));
  });
  get('/cheatsheet', async (_request, reply) => {
    const [ranking, count] = await Promise.all([repo.cheatsheet(CHEATSHEET_LIMIT), repo.count()]);
    return sendHtml(reply, 200, cheatsheetPage(ranking, count));
  });

  registerMethodNotAllowed(app, allowed);
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return errorReply(noRoute(request), request, reply);
    return errorReply(new HttpError(405, 'method not allowed'), request, reply);
  });

  try {
    await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    await verifier.close();
    if (ownsRepo) await repo.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  return {
    url: baseUrl,
    server: app.server,
    repository: repo,
    verifier,
    close: async () => {
      try {
        await app.close();
      } finally {
        await verifier.close();
        if (ownsRepo) await repo.close();
      }
    },
  };
}

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Every other method on a known URL: 405 with Allow, answered before any body is read. */
function registerMethodNotAllowed(app: FastifyInstance, allowed: Map<string, Set<string>>): void {
  for (const [url, methods] of allowed) {
    const allow = [...methods].join(', ');
    app.route({
      method: METHODS.filter((m) => !methods.has(m)),
      url,
      exposeHeadRoute: false,
      onRequest: async (request, reply) => {
        reply.header('allow', allow);
        return errorReply(new HttpError(405, `use ${allow.replace(', HEAD', '')}`), request, reply);
      },
      handler: async () => undefined,
    });
  }
}
