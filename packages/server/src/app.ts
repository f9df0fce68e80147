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
import { DeviceLogin, GitHubDeviceFlow, AuthError, type GitHubOptions } from './auth/index.js';
import { InsertBatcher } from './batcher.js';
import { HttpError } from './http-error.js';
import { IngestError } from './ingest.js';
import { DailySaltIpHasher, type SaltSource, type WallClock } from './ip-hash.js';
import { compareRuns, type RunPayload } from '@llm-speed/framework';
import { FORM, JOSE, JSON_TYPE, mediaTypeEssence, registerBodyParsers, unsupportedMediaType } from './media-types.js';
import {
  CARD_VERSION,
  CardCache,
  cardSvg,
  cheatsheetPage,
  comparePage,
  disputePage,
  listingPage,
  loadRunView,
  messagePage,
  needsFacets,
  parseBoardQuery,
  pickHeadline,
  plottedGroups,
  renderCardPng,
  runPage,
  runTitle,
  siteFor,
  WITHDRAWN_MESSAGE,
  type Site,
} from './pages/pages.js';
import type { BoardFacets, ClusterRow, ResultsRepository, RunRow } from './repository.js';
import { privacyDocument } from './privacy-json.js';
import { DEFAULT_RATE_LIMIT, hashedIpRateLimit, type RateLimitOptions } from './rate-limit.js';
import { openRepository } from './open-repository.js';
import type { PostgresOpenOptions } from './postgres-repository.js';
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
/** Most runs one /compare page sets side by side. */
export const MAX_COMPARED_RUNS = 6;
/** A run's card never changes (CARD_VERSION is in its ETag): caches may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

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
  /** Rendered share cards kept in memory (default 256 cards, 32 MiB). */
  cardCache?: { maxEntries?: number; maxBytes?: number };
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
  interface FastifyContextConfig {
    /** A page route: its errors are answered as HTML pages. */
    page?: boolean;
  }
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

/** Whether the request carries an HTML form to a route that takes one (the dispute forms): its answers are pages and redirects. */
function isForm(request: FastifyRequest): boolean {
  return request.method === 'POST' && mediaTypeEssence(request.headers['content-type']) === FORM && Boolean(request.routeOptions?.config?.mediaTypes?.includes(FORM));
}

/** A page route's error as a page, unless the client asked for JSON only (the CLI does). */
function wantsPage(request: FastifyRequest): boolean {
  if (request.routeOptions?.config?.page !== true) return false;
  const accept = String(request.headers.accept ?? '');
  return !(/application\/json/.test(accept) && !/text\/html/.test(accept));
}

function readMessage(body: unknown, request?: FastifyRequest): { message: string; reason?: string } {
  if (request && isForm(request)) {
    const form = new URLSearchParams(typeof body === 'string' ? body : '');
    if (form.getAll('message').length > 1) throw new HttpError(400, 'give the message once');
    return { message: (form.get('message') ?? '').replace(/\r\n/g, '\n').trim() };
  }
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

/**
 * Posts to the dispute routes only from this server's own pages (or from clients that are not
 * browsers): a browser names where a post comes from in Sec-Fetch-Site and Origin, neither of
 * which a page can forge.
 * - Sec-Fetch-Site other than same-origin (or none: the user's own action) → refused.
 * - Sec-Fetch-Site: same-origin → accepted with no Origin or Origin "null" — our pages send
 *   Referrer-Policy: no-referrer, under which a browser posts a form with `Origin: null` — or an
 *   Origin of this server.
 * - No Sec-Fetch-Site (a browser from before it, or no browser): an Origin must be this server's
 *   (its --public-url, or http(s)://<the Host it was reached at>); "null" is refused, as another
 *   page can make it too; no Origin at all (curl, scripts) is accepted: such clients could post
 *   the JSON body anyway, and no other site can make a visitor's browser omit both headers.
 */
function sameOriginOnly(request: FastifyRequest, publicUrl: string | undefined): void {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    throw new HttpError(403, `cross-site post refused (Sec-Fetch-Site: ${String(fetchSite).slice(0, 20)}): open and answer disputes from this server's own pages`);
  }
  const origin = request.headers.origin;
  if (origin === undefined || (origin === 'null' && fetchSite === 'same-origin')) return;
  const allowed = new Set<string>();
  if (publicUrl) {
    try {
      allowed.add(new URL(publicUrl).origin);
    } catch {
      // A malformed --public-url only loses its own entry.
    }
  }
  const host = request.headers.host;
  if (host) for (const scheme of ['http', 'https']) allowed.add(`${scheme}://${host}`.toLowerCase());
  if (!allowed.has(origin.toLowerCase())) {
    throw new HttpError(403, `cross-site post refused (Origin ${origin.slice(0, 100)} is not this server): open and answer disputes from this server's own pages`);
  }
}

/** A page for errors of page routes and form posts: the title a person reads for each status. */
const ERROR_TITLES: Record<number, string> = { 400: 'Bad request', 403: 'Refused', 404: 'Not found', 405: 'Method not allowed', 413: 'Too large', 415: 'Unsupported', 429: 'Too many posts' };

/** The error body for anything thrown by a route, a hook or Fastify itself: JSON, or a page for page routes and form posts. */
function errorReply(error: unknown, request: FastifyRequest, reply: FastifyReply, page?: (title: string, message: string) => string): FastifyReply {
  if (page && (isForm(request) || wantsPage(request))) {
    const { status, message } = jsonErrorOf(error, request);
    if (status === 500) process.stderr.write(`llm-speed-server: ${(error as Error)?.stack ?? String(error)}\n`);
    if (status === 413) reply.header('connection', 'close');
    return sendHtml(reply, status, page(ERROR_TITLES[status] ?? 'Error', message));
  }
  return jsonErrorReply(error, request, reply);
}

/** Status and message of an error, as the JSON reply states them. */
function jsonErrorOf(error: unknown, request: FastifyRequest): { status: number; message: string } {
  if (error instanceof IngestError || error instanceof AuthError || error instanceof HttpError) return { status: error.status, message: error.message };
  const status = (error as FastifyError)?.statusCode;
  if (status === 413) return { status, message: `body too large: the limit is ${request.routeOptions.bodyLimit} bytes` };
  if (status === 415) {
    const accepted = request.routeOptions.config.mediaTypes ?? [];
    return { status, message: unsupportedMediaType(mediaTypeEssence(request.headers['content-type']), accepted, pathOf(request)).message };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: (error as Error).message };
  return { status: 500, message: 'internal error' };
}

function jsonErrorReply(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
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
  const site = (): Site => siteFor(options.publicUrl, baseUrl);
  const errorPage = (title: string, message: string) => messagePage(site(), title, message);
  const cards = new CardCache(options.cardCache?.maxEntries, options.cardCache?.maxBytes);
  const facets = new FacetsCache(() => repo.boardFacets(), clock);
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
    frameworkErrors: (error, request, reply) => {
      errorReply(error, request, reply, errorPage);
    },
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
  app.setErrorHandler((error, request, reply) => errorReply(error, request, reply, errorPage));

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
  /** A page: errors become pages too. */
  const page = (url: string, handler: Handler) => route('GET', url, handler, { config: { page: true } });

  get('/', (_request, reply) => reply.redirect('/cheatsheet', 302));
  get('/healthz', async (_request, reply) => sendJson(reply, 200, { ok: true, results: await repo.count() }));
  get('/privacy.json', (_request, reply) => sendJson(reply, 200, privacyDocument()));

  post(
    '/v1/results',
    async (request, reply) => {
      // The --anon header (PRIVACY §3) is kept as one bit so the run is never shown as a contribution.
      const anon = String(request.headers['x-llm-speed-anon'] ?? '') === '1';
      const result = await verifier.verify({ body: typeof request.body === 'string' ? request.body : '', receivedAt: isoNow(), anon });
      const outcome = await batcher.insert(result);
      if (outcome.created) facets.clear();
      return sendJson(reply, outcome.created ? 201 : 200, { id: outcome.id, url: `${options.publicUrl?.replace(/\/$/, '') ?? baseUrl}/r/${outcome.id}` });
    },
    // The CLI uploads the compact JWS; a signed run JSON (detached signature) is accepted too.
    { mediaTypes: [JOSE, JSON_TYPE], bodyLimit: MAX_RESULT_BYTES },
  );
  post('/v1/auth/device', async (request, reply) => {
    parseJsonBody(request.body, '{}');
    return sendJson(reply, 200, await deviceLogin.start());
  });
  post('/v1/auth/token', async (request, reply) => sendJson(reply, 200, await deviceLogin.token(parseJsonBody(request.body, '{"device_code", "public_key", "proof"}'))));

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
  // JSON for clients, or the run page's form (application/x-www-form-urlencoded): then a 303 to the new thread.
  post(
    '/v1/results/:id/disputes',
    async (request, reply) => {
      sameOriginOnly(request, options.publicUrl);
      const stored = await storedOr404(param(request, 'id', RESULT_ID));
      const { message } = readMessage(request.body, request);
      const dispute = await repo.openDispute(stored.id, validMessage(message), isoNow());
      if (isForm(request)) return reply.redirect(`/disputes/${dispute.id}`, 303);
      return sendJson(reply, 201, dispute);
    },
    { mediaTypes: [JSON_TYPE, FORM] },
  );
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
  post(
    '/v1/disputes/:n/messages',
    async (request, reply) => {
      sameOriginOnly(request, options.publicUrl);
      const id = Number(param(request, 'n', DISPUTE_ID));
      const text = validMessage(readMessage(request.body, request).message);
      const dispute = await repo.addDisputeMessage(id, text, isoNow());
      if (!dispute) throw new HttpError(404, `no dispute ${id}`);
      if (isForm(request)) return reply.redirect(`/disputes/${id}#m-${dispute.messages[dispute.messages.length - 1]!.id}`, 303);
      return sendJson(reply, 201, dispute);
    },
    { mediaTypes: [JSON_TYPE, FORM] },
  );

  page('/r/:ref', async (request, reply) => {
    const m = /^(r_[A-Za-z0-9_-]{11})(\.json)?$/.exec((request.params as { ref: string }).ref);
    if (!m) throw noRoute(request);
    const accept = String(request.headers.accept ?? '');
    const wantsJson = Boolean(m[2]) || (/application\/json/.test(accept) && !/text\/html/.test(accept));
    const stored = await repo.get(m[1]);
    if (!stored) return wantsJson ? sendJson(reply, 404, { error: `no result ${m[1]}` }) : sendHtml(reply, 404, messagePage(site(), 'Not found', `No result ${m[1]}.`));
    if (stored.withdrawn) {
      if (wantsJson) return sendJson(reply, 404, { error: WITHDRAWN_MESSAGE });
      return sendHtml(reply, 404, messagePage(site(), 'Withdrawn', WITHDRAWN_MESSAGE, { path: `/r/${stored.id}`, disputes: await repo.disputesFor(stored.id) }));
    }
    // verify-run may be given the permalink: hand it the stored JSON when it asks for JSON.
    if (wantsJson) return sendJson(reply, 200, stored.json);
    const [disputes, contributor] = await Promise.all([repo.disputesFor(stored.id), repo.contributorOfResult(stored.id)]);
    return sendHtml(reply, 200, runPage(await loadRunView(repo, stored, { disputes, contributor }), site()));
  });
  // The share card: immutable like the run (its figures only, never its standing), so cached for a year by anyone.
  get('/r/:id/card.png', async (request, reply) => {
    const id = param(request, 'id', RESULT_ID);
    const etag = `"card-v${CARD_VERSION}-${id}"`;
    const stored = await repo.get(id);
    if (!stored) throw new HttpError(404, `no result ${id}`);
    if (stored.withdrawn) throw new HttpError(404, WITHDRAWN_MESSAGE);
    reply.header('cache-control', IMMUTABLE).header('etag', etag);
    const ifNoneMatch = String(request.headers['if-none-match'] ?? '');
    if (ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) return reply.code(304).send();
    const png = await cards.get(id, () => {
      const run = JSON.parse(stored.json) as RunPayload;
      return renderCardPng(cardSvg(id, run, pickHeadline(run)));
    });
    return reply.code(200).type('image/png').send(png);
  });

  /** A listing's page or JSON twin: groups, latest runs and (pages only) every plotted run's figure. */
  const listing = async (kind: 'model' | 'hardware', slug: string) => {
    const [clusters, runs] = await Promise.all(
      kind === 'model' ? [repo.clustersByModel(slug), repo.listByModel(slug, { limit: LISTING_LIMIT })] : [repo.clustersByHardware(slug), repo.listByHardware(slug, { limit: LISTING_LIMIT })],
    );
    const title = kind === 'model' ? (clusters[0]?.modelName ?? runs[0]?.modelName) : (clusters[0]?.acceleratorSummary ?? runs[0]?.acceleratorSummary);
    return { clusters, runs, title };
  };
  for (const [kind, prefix] of [
    ['model', 'm'],
    ['hardware', 'hw'],
  ] as const) {
    page(`/${prefix}/:slug`, async (request, reply) => {
      const slug = param(request, 'slug', SLUG);
      const { clusters, runs, title } = await listing(kind, slug);
      if (title === undefined) throw new HttpError(404, `No results for ${kind} ${slug}.`);
      const spread = await repo.spread(plottedGroups(clusters));
      return sendHtml(reply, 200, listingPage({ kind, slug, title, clusters, runs, spread, limit: LISTING_LIMIT }, site()));
    });
    get(`/v1/${kind === 'model' ? 'models' : 'hardware'}/:slug`, async (request, reply) => {
      const slug = param(request, 'slug', SLUG);
      const { clusters, runs, title } = await listing(kind, slug);
      if (title === undefined) throw new HttpError(404, `no results for ${kind} ${slug}`);
      return sendJson(reply, 200, { kind, slug, name: title, groups: clusters.map(groupJson), latest_runs: runs.map(runJson), latest_limit: LISTING_LIMIT });
    });
  }

  /** The board's filters, validated against what the board holds (facets cached briefly, dropped on each new result). */
  const board = async (query: Record<string, unknown>) => {
    const wanted = needsFacets(query);
    const [known, total] = await Promise.all([wanted ? facets.get() : Promise.resolve(undefined), repo.count()]);
    const filters = parseBoardQuery(query, known ?? { suites: [], backends: [], builds: [] });
    const sections = await repo.leaderboard(filters, CHEATSHEET_LIMIT);
    return { filters, sections, total };
  };
  page('/cheatsheet', async (request, reply) => {
    const { filters, sections, total } = await board(request.query as Record<string, unknown>);
    return sendHtml(reply, 200, cheatsheetPage({ filters, sections, total, facets: await facets.get(), limit: CHEATSHEET_LIMIT }, site()));
  });
  get('/v1/leaderboard', async (request, reply) => {
    const { filters, sections, total } = await board(request.query as Record<string, unknown>);
    return sendJson(reply, 200, {
      filters,
      stored_runs: total,
      limit: CHEATSHEET_LIMIT,
      workloads: sections.map((s) => ({ workload: s.workload, local: s.local.map(groupJson), hosted: s.hosted.map(groupJson) })),
    });
  });

  page('/compare', async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).runs;
    if (typeof raw !== 'string' || raw.trim() === '') throw new HttpError(400, `give the runs to compare: /compare?runs=<id>,<id>[,…] (2 to ${MAX_COMPARED_RUNS} run ids)`);
    const ids = raw
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = ids.find((id) => !RESULT_ID.test(id));
    if (bad) throw new HttpError(400, `"${bad.slice(0, 40)}" is not a run id (r_ and 11 characters)`);
    if (new Set(ids).size !== ids.length) throw new HttpError(400, 'a run appears twice in runs=');
    if (ids.length < 2 || ids.length > MAX_COMPARED_RUNS) throw new HttpError(400, `compare 2 to ${MAX_COMPARED_RUNS} runs; got ${ids.length}`);
    const stored = await Promise.all(ids.map((id) => repo.get(id)));
    const missing = ids.find((_, i) => !stored[i]);
    if (missing) throw new HttpError(404, `No result ${missing}.`);
    const withdrawn = ids.find((_, i) => stored[i]!.withdrawn);
    if (withdrawn) throw new HttpError(404, `${withdrawn}: ${WITHDRAWN_MESSAGE}`);
    const runs = stored.map((s) => JSON.parse(s!.json) as RunPayload);
    // The arithmetic of `llm-speed compare`, from the framework: not a copy.
    const comparison = compareRuns(ids.map((id, i) => ({ label: id, run: runs[i]! })));
    return sendHtml(reply, 200, comparePage({ ids, runs, comparison }, site()));
  });

  page('/disputes/:n', async (request, reply) => {
    const id = Number(param(request, 'n', DISPUTE_ID));
    const dispute = await repo.getDispute(id);
    if (!dispute) throw new HttpError(404, `No dispute ${id}.`);
    const stored = await repo.get(dispute.resultId);
    const withdrawn = Boolean(stored?.withdrawn);
    const run = stored && !withdrawn ? (JSON.parse(stored.json) as RunPayload) : undefined;
    const title = run ? runTitle({ run, headline: pickHeadline(run) }) : undefined;
    return sendHtml(reply, 200, disputePage({ dispute, withdrawn, runTitle: title }, site()));
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

/** A group as the JSON listings give it (snake_case, like the stored runs). */
function groupJson(c: ClusterRow) {
  return {
    group: c.clusterKey,
    setup: c.setupKey,
    workload: c.workload,
    suite_version: c.suiteVersion,
    model: { name: c.modelName, identifier: c.modelIdentifier, quant: c.modelQuant, digest: c.modelDigest, slug: c.modelSlug },
    backend: c.backend,
    engine: c.engine,
    build: c.build,
    hardware: { class: c.hardwareClass, summary: c.acceleratorSummary, slug: c.hardwareSlug },
    runs: c.n,
    decode_tps: { min: c.min, median: c.median, max: c.max, mean: c.mean },
    flagged: c.flaggedCount,
    best_run: c.bestResultId,
    best_decode_tps: c.bestDecodeTps,
  };
}

function runJson(r: RunRow) {
  return {
    id: r.resultId,
    received_at: r.receivedAt,
    workload: r.workload,
    group: r.clusterKey,
    model: r.modelName,
    backend: r.backend,
    backend_version: r.backendVersion,
    hardware: r.acceleratorSummary,
    decode_tps: r.decodeTps,
    flagged_z: r.flaggedZ,
    comparable: r.comparable,
    not_comparable: r.notComparable,
  };
}

/** The board's facets for a few seconds: each /cheatsheet renders its filter form from them; a new result drops them at once. */
class FacetsCache {
  private value: { at: number; facets: Promise<BoardFacets> } | undefined;
  constructor(
    private readonly load: () => Promise<BoardFacets>,
    private readonly clock: () => number,
    private readonly ttlMs = 10_000,
  ) {}
  get(): Promise<BoardFacets> {
    const now = this.clock();
    if (!this.value || now - this.value.at > this.ttlMs || now < this.value.at) {
      const facets = this.load();
      this.value = { at: now, facets };
      facets.catch(() => (this.value = undefined));
    }
    return this.value.facets;
  }
  clear(): void {
    this.value = undefined;
  }
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
