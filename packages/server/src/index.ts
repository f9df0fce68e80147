/** @llm-speed/server: the results server as a library (tests, embedding) and behind `llm-speed-server`. */
export { createServer, MAX_RESULT_BYTES, MAX_MESSAGE_BYTES, IPV6_CLIENT_PREFIX, type ServerOptions, type RunningServer } from './app.js';
export { ingest, verifyAndCheck, toNewResult, resultIdFor, hardwareClassOf, IngestError } from './ingest.js';
export { DailySaltIpHasher, SALT_OVERLAP_MS, MIN_SALT_SECRET_LENGTH, randomSalts, secretSalts, SaltSecretError, type SaltSource, type WallClock } from './ip-hash.js';
export { TokenBucketLimiter, DEFAULT_RATE_LIMIT, hashedIpRateLimit, type RateLimitOptions } from './rate-limit.js';
export { parseTrustProxy, TrustProxyError } from './trust-proxy.js';
export { JOSE, JSON_TYPE } from './media-types.js';
export { MIN_CLUSTER_SIZE, SIGMA_THRESHOLD, leaveOneOutZ, clusterStats } from './outliers.js';
export {
  MIN_RANKED_RUNS,
  MIN_RANKED_KEYS,
  DEFAULT_RANKING,
  rankingRule,
  isRanked,
  notRankedReason,
  implausibleOnHardware,
  type RankingRule,
  type GroupEvidence,
  type RankedMember,
} from './ranking.js';
export { SqliteResultsRepository } from './sqlite-repository.js';
export { PostgresResultsRepository, MigrationError, PostgresConnectError, MIGRATIONS, SCHEMA_VERSION, type SchemaStatus, type PostgresOpenOptions } from './postgres-repository.js';
export { DERIVED_VERSION, ImportError } from './sql-repository.js';
export { openRepository, isPostgresUrl, describeDb } from './open-repository.js';
export { exportBoard, readBoard, BOARD_FORMAT, BOARD_FORMAT_VERSION } from './board-file.js';
export { importBoard, importBoardFile, CLOCK_SKEW_MS, type ImportOptions } from './board-import.js';
export { createVerifier, defaultVerifyThreads, type Verifier } from './verify-pool.js';
export type * from './repository.js';
export { privacyDocument } from './privacy-json.js';
export { WITHDRAWN_MESSAGE } from './pages/pages.js';

import { createServer as create, type RunningServer as Running } from './app.js';

/** The shape the CLI end-to-end test uses: `startServer({ dbPath, port, host })`. */
export function startServer(options: { dbPath: string; port?: number; host?: string; publicUrl?: string; log?: (line: string) => void }): Promise<Running> {
  return create({ db: options.dbPath, port: options.port, host: options.host, publicUrl: options.publicUrl, log: options.log ?? (() => {}) });
}
