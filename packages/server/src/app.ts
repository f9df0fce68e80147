/**
 * The HTTP server on Fastify. The plumbing is Fastify's and its plugins' — routing, body limits
 * (413), content-type parsing (415), proxy addresses (trustProxy → proxy-addr), security headers
 * (@fastify/helmet) and rate limits (@fastify/rate-limit) — configured here; the access log and the
 * client hash are ours (PRIVACY §4: the clear client address is never logged or stored).
 *
 * The routes live in one Fastify plugin module per area (routes/): ingest, results, disputes,
 * auth, pages, cards, board. This module builds what they share (routes/context.ts), registers
 * them, and answers every other method on their URLs with 405.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { DeviceLogin, GitHubDeviceFlow, type GitHubOptions } from './auth/index.js';
import { InsertBatcher } from './batcher.js';
import { FacetsCache } from './facets-cache.js';
import { HttpError } from './http-error.js';
import { errorReply } from './http/errors.js';
import { IPV6_CLIENT_PREFIX, MAX_MESSAGE_BYTES } from './http/limits.js';
import { noRoute, pathOf } from './http/reply.js';
import { RouteTable } from './http/routes.js';
import { DailySaltIpHasher, type SaltSource, type WallClock } from './ip-hash.js';
import { registerBodyParsers } from './media-types.js';
import { CardStore } from './card-store.js';
import { messagePage, siteFor, type Site } from './pages/pages.js';
import type { ResultsRepository } from './repository.js';
import { DEFAULT_PAGE_RATE_LIMIT, DEFAULT_RATE_LIMIT, hashedIpRateLimit, TokenBucketLimiter, type RateLimitOptions } from './rate-limit.js';
import { openRepository } from './open-repository.js';
import type { PostgresOpenOptions } from './postgres-repository.js';
import type { RankingRule } from './ranking.js';
import { authRoutes } from './routes/auth.js';
import { boardRoutes } from './routes/board.js';
import { cardRoutes } from './routes/cards.js';
import type { ServerContext } from './routes/context.js';
import { disputeRoutes } from './routes/disputes.js';
import { ingestRoutes } from './routes/ingest.js';
import { pageRoutes } from './routes/pages.js';
import { resultsRoutes } from './routes/results.js';
import { serviceRoutes } from './routes/service.js';
import { clientAddress, parseTrustProxy } from './trust-proxy.js';
import { createVerifier, type Verifier } from './verify-pool.js';

export { MAX_RESULT_BYTES, MAX_MESSAGE_BYTES, MAX_MESSAGE_CHARS, IPV6_CLIENT_PREFIX, MAX_COMPARED_RUNS } from './http/limits.js';

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
  /** The evidence a group needs to be ranked (ranking.ts; default 5 runs from 4 keys). Only with `db` given as a string. */
  ranking?: RankingRule;
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
  /** Rendered share cards kept in memory (default 256 cards, 32 MiB) and, with `dir`, on disk for good (card-store.ts). */
  cardCache?: { maxEntries?: number; maxBytes?: number; dir?: string };
  /**
   * Token bucket per hashed client for GETs (pages, JSON, cards; a card render costs
   * CARD_RENDER_COST). Default DEFAULT_PAGE_RATE_LIMIT, or off when `rateLimit` is false.
   */
  pageRateLimit?: RateLimitOptions | false;
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

/** The route modules, one per area, in the order they are registered. */
const ROUTE_MODULES = [serviceRoutes, ingestRoutes, authRoutes, resultsRoutes, disputeRoutes, pageRoutes, cardRoutes, boardRoutes];

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const trustedProxies = parseTrustProxy(options.trustProxy);
  const repo = typeof options.db === 'string' ? await openRepository(options.db, { ...options.postgres, ranking: options.ranking }) : options.db;
  const ownsRepo = typeof options.db === 'string';
  const clock = options.clock ?? Date.now;
  const hasher = new DailySaltIpHasher(clock, options.salts);
  const verifier = createVerifier(options.verifyThreads ?? 0);
  const logSuffix = options.logTag ? ` ${options.logTag}` : '';
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  let baseUrl = '';
  let ownOrigins: ReadonlySet<string> = new Set();
  const site = (): Site => siteFor(options.publicUrl, baseUrl);
  const errorPage = (title: string, message: string) => messagePage(site(), title, message);
  const isoNow = () => new Date(clock()).toISOString();
  const pageLimit = options.pageRateLimit ?? (options.rateLimit === false ? false : DEFAULT_PAGE_RATE_LIMIT);
  const pageLimiter = pageLimit ? new TokenBucketLimiter(pageLimit, clock) : undefined;
  const ctx: ServerContext = {
    repo,
    verifier,
    batcher: new InsertBatcher(repo),
    routes: new RouteTable(options.rateLimit !== false),
    cards: new CardStore(options.cardCache),
    pageLimiter,
    facets: new FacetsCache(() => repo.boardFacets(), clock),
    deviceLogin: new DeviceLogin(new GitHubDeviceFlow(options.github), repo, isoNow),
    publicUrl: options.publicUrl,
    adminToken: options.adminToken ?? process.env.LLM_SPEED_ADMIN_TOKEN,
    baseUrl: () => baseUrl,
    ownOrigins: () => ownOrigins,
    previousClientHash: (request) => hasher.previousHash(clientKey(request)),
    site,
    errorPage,
    isoNow,
  };

  const app = Fastify({
    logger: false,
    // proxy-addr walks X-Forwarded-For from the right and stops at the first untrusted address.
    trustProxy: trustedProxies.length > 0 ? trustedProxies : false,
    bodyLimit: MAX_MESSAGE_BYTES,
    // Fastify turns node's whole-request timeout off by default; a slow-drip client must not hold a socket forever.
    requestTimeout: 120_000,
    // On close: stop accepting, end idle keep-alive connections, and let the requests in flight
    // finish (new ones on a kept-alive connection get 503): a SIGTERM never resets a request whose
    // run is being stored, so every stored run is acknowledged (issue 24.6).
    forceCloseConnections: 'idle',
    // Malformed URLs and the like: the same JSON error shape as everything else.
    frameworkErrors: (error, request, reply) => {
      errorReply(error, request, reply, errorPage);
    },
  });

  /**
   * Rate-limit and log key: a v4 address, or the /64 of a v6 one; v4-mapped v6 counts as v4. An
   * X-Forwarded-For entry that is no address gets one shared key here (for the log line) and is
   * refused by the hook below.
   */
  const clientKey = (request: FastifyRequest) => normalizeIP(clientAddress(request.ip ?? '') ?? 'unparsable', IPV6_CLIENT_PREFIX);
  const clientHash = (request: FastifyRequest) => (request.clientHash ||= hasher.hash(clientKey(request)));

  app.decorateRequest('clientHash', '');
  app.addHook('onRequest', async (request) => {
    clientHash(request);
    if (clientAddress(request.ip ?? '') === undefined) {
      throw new HttpError(400, 'X-Forwarded-For names a client that is not an IP address: the reverse proxy must append the address it received the request from');
    }
    // GETs draw from their own bucket (POSTs have theirs): pages are cheap, not free. The health check is not counted.
    if (pageLimiter && (request.method === 'GET' || request.method === 'HEAD') && pathOf(request) !== '/healthz') {
      const key = clientHash(request);
      const previousKey = hasher.previousHash(clientKey(request));
      if (!pageLimiter.take(key, previousKey)) {
        throw new HttpError(429, 'too many requests from this address; retry later', {}, { 'retry-after': String(Math.max(1, pageLimiter.retryAfterSeconds(key))) });
      }
    }
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

  for (const routes of ROUTE_MODULES) await app.register(routes, ctx);
  ctx.routes.registerMethodNotAllowed(app);
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
  ownOrigins = originsOf(options.publicUrl, address);
  return {
    url: baseUrl,
    server: app.server,
    repository: repo,
    verifier,
    close: async () => {
      try {
        await app.close();
        // A request whose client went away may still be storing its run: let that transaction end.
        await ctx.batcher.drained();
      } finally {
        await verifier.close();
        if (ownsRepo) await repo.close();
      }
    },
  };
}

/**
 * The origins of this server's own pages: its public URL, and the address it listens on (with
 * `localhost` for a loopback address). Never anything from a request.
 */
function originsOf(publicUrl: string | undefined, address: AddressInfo): Set<string> {
  const origins = new Set<string>();
  if (publicUrl) {
    try {
      origins.add(new URL(publicUrl).origin.toLowerCase());
    } catch {
      // A malformed public URL only loses its own entry (the CLI refuses one at start).
    }
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origins.add(`http://${host}:${address.port}`.toLowerCase());
  if (address.address === '127.0.0.1' || address.address === '::1') origins.add(`http://localhost:${address.port}`);
  return origins;
}
