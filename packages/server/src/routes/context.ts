/**
 * What every route module is given: the repository, the verifier, the caches and clocks one
 * server shares, and its options. Built once by createServer (app.ts) and passed to each route
 * plugin as its options.
 */
import type { FastifyRequest } from 'fastify';
import type { DeviceLogin } from '../auth/index.js';
import type { InsertBatcher } from '../batcher.js';
import type { FacetsCache } from '../facets-cache.js';
import type { RouteTable } from '../http/routes.js';
import type { ErrorPage } from '../http/errors.js';
import type { CardStore } from '../card-store.js';
import type { Site } from '../pages/pages.js';
import type { TokenBucketLimiter } from '../rate-limit.js';
import type { ResultsRepository } from '../repository.js';
import type { Verifier } from '../verify-pool.js';

export interface ServerContext {
  repo: ResultsRepository;
  verifier: Verifier;
  batcher: InsertBatcher;
  routes: RouteTable;
  cards: CardStore;
  /** The GET bucket per client (undefined: GETs are not limited). */
  pageLimiter: TokenBucketLimiter | undefined;
  facets: FacetsCache;
  deviceLogin: DeviceLogin;
  /** --public-url, when given. */
  publicUrl: string | undefined;
  /** Bearer token for withdrawals; undefined: withdrawal disabled. */
  adminToken: string | undefined;
  /** The listening address (known once the server listens). */
  baseUrl(): string;
  /** The origins this server's own pages have: its --public-url and its listening address (never the Host header). */
  ownOrigins(): ReadonlySet<string>;
  site(): Site;
  errorPage: ErrorPage;
  /** The client's hash under yesterday's salt, until 01:00 UTC (rate-limit buckets carry over midnight). */
  previousClientHash(request: FastifyRequest): string | undefined;
  /** Now, as ISO text (the server's clock). */
  isoNow(): string;
}
