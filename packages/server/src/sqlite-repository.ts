/**
 * The embedded default store: one SQLite file (better-sqlite3, WAL). The results table is
 * insert-only — triggers refuse UPDATE and DELETE — and withdrawal is a row in its own table,
 * insert-only as well.
 * workload_results, outlier_flags and clusters are derived from the stored JSON at ingest so that
 * listings and the cheatsheet are index lookups, not scans of 100k documents.
 *
 * Being derived, those three tables are rebuilt from the stored JSON whenever the rule that
 * derives them changes: `PRAGMA user_version` records the DERIVED_VERSION a database was derived
 * under, and opening an older one drops and re-derives them (the signed results are untouched).
 */
import Database from 'better-sqlite3';
import type { RunPayload } from '@llm-speed/framework';
import { clusterStats, isOutlier, leaveOneOutZ } from './outliers.js';
import type { ClusterRow, ContributorLink, Dispute, InsertOutcome, ListOptions, NewResult, ResultsRepository, RunRow, StoredResult } from './repository.js';
import { workloadRowsOf } from './workload-rows.js';

/**
 * Version of the derived tables' layout and of the rule that fills them. 0: (model × backend ×
 * hardware) clusters over every result (before this field existed). 1: comparable groups
 * (suite version × workload × model × backend × engine × build × hardware class), only
 * comparable results pooled. Bump it whenever either changes.
 */
export const DERIVED_VERSION = 1;

const BASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS results (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  content_hash TEXT NOT NULL UNIQUE,
  json TEXT NOT NULL,
  public_key TEXT NOT NULL,
  received_at TEXT NOT NULL,
  accelerator_summary TEXT NOT NULL,
  fingerprint_hash TEXT,
  hardware_slug TEXT NOT NULL,
  -- 1 when the upload carried X-LLM-Speed-Anon: 1; such runs are never shown as anyone's contribution.
  anon INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER IF NOT EXISTS results_no_update BEFORE UPDATE ON results
  BEGIN SELECT RAISE(ABORT, 'results are immutable'); END;
CREATE TRIGGER IF NOT EXISTS results_no_delete BEFORE DELETE ON results
  BEGIN SELECT RAISE(ABORT, 'results are immutable; withdraw instead'); END;
-- INSERT OR REPLACE deletes the old row without firing DELETE triggers (unless recursive_triggers
-- is on, which is per connection): refuse the insert itself when it would replace a row.
CREATE TRIGGER IF NOT EXISTS results_no_replace BEFORE INSERT ON results
  WHEN EXISTS (SELECT 1 FROM results WHERE id = NEW.id OR content_hash = NEW.content_hash)
  BEGIN SELECT RAISE(ABORT, 'results are immutable'); END;
CREATE TABLE IF NOT EXISTS withdrawals (
  result_id TEXT PRIMARY KEY REFERENCES results(id),
  withdrawn_at TEXT NOT NULL,
  reason TEXT NOT NULL
);
-- A withdrawal is as final as the result it withdraws: undoing one would quietly republish a run.
CREATE TRIGGER IF NOT EXISTS withdrawals_no_update BEFORE UPDATE ON withdrawals
  BEGIN SELECT RAISE(ABORT, 'withdrawals are immutable'); END;
CREATE TRIGGER IF NOT EXISTS withdrawals_no_delete BEFORE DELETE ON withdrawals
  BEGIN SELECT RAISE(ABORT, 'withdrawals are immutable'); END;
CREATE TRIGGER IF NOT EXISTS withdrawals_no_replace BEFORE INSERT ON withdrawals
  WHEN EXISTS (SELECT 1 FROM withdrawals WHERE result_id = NEW.result_id)
  BEGIN SELECT RAISE(ABORT, 'withdrawals are immutable'); END;
CREATE TABLE IF NOT EXISTS disputes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  result_id TEXT NOT NULL REFERENCES results(id),
  opened_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS disputes_result ON disputes (result_id);
CREATE TABLE IF NOT EXISTS dispute_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  posted_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dm_dispute ON dispute_messages (dispute_id);
CREATE TABLE IF NOT EXISTS contributor_links (
  public_key TEXT PRIMARY KEY,
  github_login TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS contributor_links_no_update BEFORE UPDATE ON contributor_links
  BEGIN SELECT RAISE(ABORT, 'contributor links are immutable'); END;
CREATE TRIGGER IF NOT EXISTS contributor_links_no_delete BEFORE DELETE ON contributor_links
  BEGIN SELECT RAISE(ABORT, 'contributor links are immutable'); END;
`;

/** Derived from the stored JSON (see DERIVED_VERSION). */
const DERIVED_TABLES = ['workload_results', 'outlier_flags', 'clusters'];
const DERIVED_SCHEMA = `
CREATE TABLE IF NOT EXISTS workload_results (
  seq INTEGER NOT NULL,
  result_id TEXT NOT NULL REFERENCES results(id),
  idx INTEGER NOT NULL,
  workload TEXT NOT NULL,
  suite_version TEXT NOT NULL,
  model_name TEXT NOT NULL,
  model_identifier TEXT NOT NULL,
  model_quant TEXT,
  model_digest TEXT,
  model_slug TEXT NOT NULL,
  backend TEXT NOT NULL,
  backend_version TEXT NOT NULL,
  engine TEXT NOT NULL,
  build TEXT NOT NULL,
  hardware_class TEXT NOT NULL,
  hardware_slug TEXT NOT NULL,
  accelerator_summary TEXT NOT NULL,
  cluster_key TEXT NOT NULL,
  decode_tps REAL,
  -- 0: stored and listed, never ranked, pooled, flagged or a group's best run; why, as a JSON array of words.
  comparable INTEGER NOT NULL,
  not_comparable TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (result_id, idx)
);
-- Only the indexes a query uses: every extra one costs each ingest a random B-tree write.
CREATE INDEX IF NOT EXISTS wr_cluster ON workload_results (cluster_key, workload);
CREATE INDEX IF NOT EXISTS wr_model ON workload_results (model_slug, seq DESC);
CREATE INDEX IF NOT EXISTS wr_hardware ON workload_results (hardware_slug, seq DESC);
CREATE TABLE IF NOT EXISTS outlier_flags (
  cluster_key TEXT NOT NULL,
  workload TEXT NOT NULL,
  result_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  z REAL NOT NULL,
  PRIMARY KEY (result_id, idx)
);
CREATE INDEX IF NOT EXISTS of_cluster ON outlier_flags (cluster_key, workload);
CREATE TABLE IF NOT EXISTS clusters (
  cluster_key TEXT NOT NULL,
  workload TEXT NOT NULL,
  suite_version TEXT NOT NULL,
  model_name TEXT NOT NULL,
  model_identifier TEXT NOT NULL,
  model_quant TEXT,
  model_digest TEXT,
  model_slug TEXT NOT NULL,
  backend TEXT NOT NULL,
  engine TEXT NOT NULL,
  build TEXT NOT NULL,
  hardware_class TEXT NOT NULL,
  hardware_slug TEXT NOT NULL,
  accelerator_summary TEXT NOT NULL,
  n INTEGER NOT NULL,
  min REAL, median REAL, max REAL, mean REAL,
  flagged_count INTEGER NOT NULL,
  best_result_id TEXT,
  PRIMARY KEY (cluster_key, workload)
);
CREATE INDEX IF NOT EXISTS cl_rank ON clusters (workload, median DESC);
CREATE INDEX IF NOT EXISTS cl_model ON clusters (model_slug);
CREATE INDEX IF NOT EXISTS cl_hardware ON clusters (hardware_slug);
`;

const NOT_WITHDRAWN = 'NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.result_id = wr.result_id)';
const RUN_COLUMNS = `wr.result_id AS resultId, r.received_at AS receivedAt, wr.workload, wr.cluster_key AS clusterKey,
  wr.model_name AS modelName, wr.backend, wr.backend_version AS backendVersion, wr.accelerator_summary AS acceleratorSummary,
  wr.decode_tps AS decodeTps, f.z AS flaggedZ, wr.comparable, wr.not_comparable AS notComparable`;
/** Cluster columns, optionally qualified with a table alias (`c.`). */
function clusterColumns(t = ''): string {
  return `${t}cluster_key AS clusterKey, ${t}workload AS workload, ${t}suite_version AS suiteVersion, ${t}model_name AS modelName,
  ${t}model_identifier AS modelIdentifier, ${t}model_quant AS modelQuant, ${t}model_digest AS modelDigest, ${t}model_slug AS modelSlug,
  ${t}backend AS backend, ${t}engine AS engine, ${t}build AS build, ${t}hardware_class AS hardwareClass, ${t}hardware_slug AS hardwareSlug, ${t}accelerator_summary AS acceleratorSummary,
  ${t}n AS n, ${t}min AS min, ${t}median AS median, ${t}max AS max, ${t}mean AS mean,
  ${t}flagged_count AS flaggedCount, ${t}best_result_id AS bestResultId`;
}
const CLUSTER_COLUMNS = clusterColumns();

type Statement = Database.Statement<unknown[], unknown>;
type RawRunRow = Omit<RunRow, 'comparable' | 'notComparable'> & { comparable: number; notComparable: string };

function reasonsOf(text: string | null | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

function runRow(raw: RawRunRow): RunRow {
  return { ...raw, comparable: raw.comparable === 1, notComparable: reasonsOf(raw.notComparable) };
}

export class SqliteResultsRepository implements ResultsRepository {
  private readonly db: Database.Database;
  private readonly stmt: Record<string, Statement>;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(BASE_SCHEMA);
    const derivedVersion = this.db.pragma('user_version', { simple: true }) as number;
    if (derivedVersion > DERIVED_VERSION) {
      this.db.close();
      throw new Error(`${file} was derived by a newer llm-speed-server (derived version ${derivedVersion}, this one knows ${DERIVED_VERSION}); upgrade the server`);
    }
    const stale = derivedVersion < DERIVED_VERSION;
    // A crash after this leaves user_version behind, so the next open simply derives again.
    if (stale) for (const table of DERIVED_TABLES) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
    this.db.exec(DERIVED_SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.stmt = {
      byHash: p('SELECT id FROM results WHERE content_hash = ?'),
      insertResult: p(`INSERT INTO results (id, content_hash, json, public_key, received_at, accelerator_summary, fingerprint_hash, hardware_slug, anon)
        VALUES (@id, @contentHash, @json, @publicKey, @receivedAt, @acceleratorSummary, @fingerprintHash, @hardwareSlug, @anonInt)`),
      insertWorkload: p(`INSERT INTO workload_results (seq, result_id, idx, workload, suite_version, model_name, model_identifier, model_quant,
        model_digest, model_slug, backend, backend_version, engine, build, hardware_class, hardware_slug, accelerator_summary, cluster_key,
        decode_tps, comparable, not_comparable)
        VALUES (@seq, @resultId, @idx, @workload, @suiteVersion, @modelName, @modelIdentifier, @modelQuant, @modelDigest, @modelSlug, @backend,
        @backendVersion, @engine, @build, @hardwareClass, @hardwareSlug, @acceleratorSummary, @clusterKey, @decodeTps, @comparableInt,
        @notComparableJson)`),
      get: p(`SELECT r.id, r.json, r.received_at AS receivedAt, w.withdrawn_at AS withdrawnAt, w.reason
        FROM results r LEFT JOIN withdrawals w ON w.result_id = r.id WHERE r.id = ?`),
      flagsOf: p('SELECT idx, z FROM outlier_flags WHERE result_id = ?'),
      notComparableOf: p('SELECT idx, not_comparable AS reasons FROM workload_results WHERE result_id = ? AND comparable = 0'),
      clustersOf: p(`SELECT wr.idx, ${clusterColumns('c.')}
        FROM workload_results wr JOIN clusters c ON c.cluster_key = wr.cluster_key AND c.workload = wr.workload WHERE wr.result_id = ?`),
      count: p('SELECT count(*) AS n FROM results'),
      // Only comparable results are pooled, flagged or ranked (METHODOLOGY §6.1).
      clusterMembers: p(`SELECT wr.result_id AS resultId, wr.idx, wr.decode_tps AS decodeTps FROM workload_results wr
        WHERE wr.cluster_key = ? AND wr.workload = ? AND wr.comparable = 1 AND ${NOT_WITHDRAWN}`),
      clusterSample: p(`SELECT suite_version AS suiteVersion, model_name AS modelName, model_identifier AS modelIdentifier, model_quant AS modelQuant,
        model_digest AS modelDigest, model_slug AS modelSlug, backend, engine, build, hardware_class AS hardwareClass, hardware_slug AS hardwareSlug,
        accelerator_summary AS acceleratorSummary
        FROM workload_results WHERE cluster_key = ? AND workload = ? ORDER BY comparable DESC, seq DESC LIMIT 1`),
      clearFlags: p('DELETE FROM outlier_flags WHERE cluster_key = ? AND workload = ?'),
      insertFlag: p('INSERT INTO outlier_flags (cluster_key, workload, result_id, idx, z) VALUES (?, ?, ?, ?, ?)'),
      upsertCluster: p(`INSERT INTO clusters (cluster_key, workload, suite_version, model_name, model_identifier, model_quant, model_digest, model_slug,
        backend, engine, build, hardware_class, hardware_slug, accelerator_summary, n, min, median, max, mean, flagged_count, best_result_id)
        VALUES (@clusterKey, @workload, @suiteVersion, @modelName, @modelIdentifier, @modelQuant, @modelDigest, @modelSlug, @backend, @engine,
        @build, @hardwareClass, @hardwareSlug, @acceleratorSummary, @n, @min, @median, @max, @mean, @flaggedCount, @bestResultId)
        ON CONFLICT (cluster_key, workload) DO UPDATE SET n = excluded.n, min = excluded.min, median = excluded.median, max = excluded.max,
        mean = excluded.mean, flagged_count = excluded.flagged_count, best_result_id = excluded.best_result_id`),
      allClusters: p('SELECT DISTINCT cluster_key AS clusterKey, workload FROM workload_results'),
      clustersByModel: p(`SELECT ${CLUSTER_COLUMNS} FROM clusters WHERE model_slug = ? AND n > 0 ORDER BY workload, median DESC`),
      clustersByHardware: p(`SELECT ${CLUSTER_COLUMNS} FROM clusters WHERE hardware_slug = ? AND n > 0 ORDER BY workload, median DESC`),
      listByModel: p(`SELECT ${RUN_COLUMNS} FROM workload_results wr JOIN results r ON r.id = wr.result_id
        LEFT JOIN outlier_flags f ON f.result_id = wr.result_id AND f.idx = wr.idx
        WHERE wr.model_slug = ? AND ${NOT_WITHDRAWN} ORDER BY wr.seq DESC LIMIT ?`),
      listByHardware: p(`SELECT ${RUN_COLUMNS} FROM workload_results wr JOIN results r ON r.id = wr.result_id
        LEFT JOIN outlier_flags f ON f.result_id = wr.result_id AND f.idx = wr.idx
        WHERE wr.hardware_slug = ? AND ${NOT_WITHDRAWN} ORDER BY wr.seq DESC LIMIT ?`),
      workloads: p('SELECT DISTINCT workload FROM clusters WHERE n > 0'),
      ranking: p(`SELECT ${CLUSTER_COLUMNS} FROM clusters WHERE workload = ? AND n > 0 ORDER BY median DESC LIMIT ?`),
      withdrawn: p('SELECT 1 FROM withdrawals WHERE result_id = ?'),
      exists: p('SELECT 1 FROM results WHERE id = ?'),
      withdraw: p('INSERT INTO withdrawals (result_id, withdrawn_at, reason) VALUES (?, ?, ?)'),
      clustersOfResult: p('SELECT cluster_key AS clusterKey, workload FROM workload_results WHERE result_id = ?'),
      openDispute: p('INSERT INTO disputes (result_id, opened_at) VALUES (?, ?)'),
      addMessage: p('INSERT INTO dispute_messages (dispute_id, posted_at, body) VALUES (?, ?, ?)'),
      dispute: p('SELECT id, result_id AS resultId, opened_at AS openedAt FROM disputes WHERE id = ?'),
      messages: p('SELECT id, posted_at AS postedAt, body FROM dispute_messages WHERE dispute_id = ? ORDER BY id'),
      disputesFor: p('SELECT id FROM disputes WHERE result_id = ? ORDER BY id'),
      insertLink: p('INSERT OR IGNORE INTO contributor_links (public_key, github_login, created_at) VALUES (?, ?, ?)'),
      linkOf: p('SELECT public_key AS publicKey, github_login AS login, created_at AS linkedAt FROM contributor_links WHERE public_key = ?'),
      contributorOfResult: p('SELECT l.github_login AS login FROM results r JOIN contributor_links l ON l.public_key = r.public_key WHERE r.id = ? AND r.anon = 0'),
      resultsAfter: p('SELECT seq, id, json, hardware_slug AS hardwareSlug, accelerator_summary AS acceleratorSummary FROM results WHERE seq > ? ORDER BY seq LIMIT ?'),
    };
    if (stale) this.rederive();
  }

  /** Fills the derived tables from every stored run under the current rule, then records DERIVED_VERSION. */
  private rederive(): void {
    this.db.transaction(() => {
      // In pages: a connection cannot write while a read is still iterating, and 100k documents do not belong in memory at once.
      for (let after = 0; ; ) {
        const page = this.stmt.resultsAfter.all(after, 500) as Array<{ seq: number; id: string; json: string; hardwareSlug: string; acceleratorSummary: string }>;
        if (page.length === 0) break;
        for (const row of page) workloadRowsOf(JSON.parse(row.json) as RunPayload).forEach((w, idx) => this.insertWorkloadRow(w, idx, row.seq, row));
        after = page[page.length - 1]!.seq;
      }
      this.recomputeClusters(this.stmt.allClusters.all() as Array<{ clusterKey: string; workload: string }>);
      this.db.pragma(`user_version = ${DERIVED_VERSION}`);
    })();
  }

  private insertWorkloadRow(w: NewResult['workloads'][number], idx: number, seq: number | bigint, result: { id: string; hardwareSlug: string; acceleratorSummary: string }): void {
    this.stmt.insertWorkload.run({
      ...w,
      seq,
      resultId: result.id,
      idx,
      hardwareSlug: result.hardwareSlug,
      acceleratorSummary: result.acceleratorSummary,
      comparableInt: w.comparable ? 1 : 0,
      notComparableJson: JSON.stringify(w.notComparable),
    });
  }

  insert(result: NewResult, options: { recompute?: boolean } = {}): InsertOutcome {
    return this.insertMany([result], options)[0];
  }

  /** One transaction for many results: ingest groups concurrent submissions so commits are shared. */
  insertMany(results: NewResult[], options: { recompute?: boolean } = {}): InsertOutcome[] {
    return this.db.transaction((): InsertOutcome[] => {
      const touched: NewResult['workloads'] = [];
      const outcomes = results.map((result): InsertOutcome => {
        const existing = this.stmt.byHash.get(result.contentHash) as { id: string } | undefined;
        if (existing) return { id: existing.id, created: false };
        const { lastInsertRowid } = this.stmt.insertResult.run({ ...result, anonInt: result.anon ? 1 : 0 });
        result.workloads.forEach((w, idx) => this.insertWorkloadRow(w, idx, lastInsertRowid, result));
        touched.push(...result.workloads);
        return { id: result.id, created: true };
      });
      if (options.recompute !== false) this.recomputeClusters(touched);
      return outcomes;
    })();
  }

  get(id: string): StoredResult | undefined {
    const row = this.stmt.get.get(id) as { id: string; json: string; receivedAt: string; withdrawnAt: string | null; reason: string | null } | undefined;
    if (!row) return undefined;
    const flags = this.stmt.flagsOf.all(id) as Array<{ idx: number; z: number }>;
    const clusters = this.stmt.clustersOf.all(id) as Array<ClusterRow & { idx: number }>;
    const notComparable = this.stmt.notComparableOf.all(id) as Array<{ idx: number; reasons: string }>;
    return {
      id: row.id,
      json: row.json,
      receivedAt: row.receivedAt,
      withdrawn: row.withdrawnAt ? { at: row.withdrawnAt, reason: row.reason ?? '' } : null,
      flagged: new Map(flags.map((f) => [f.idx, f.z])),
      clusters: new Map(clusters.map((c) => [c.idx, c])),
      notComparable: new Map(notComparable.map((n) => [n.idx, reasonsOf(n.reasons)])),
    };
  }

  count(): number {
    return (this.stmt.count.get() as { n: number }).n;
  }

  clustersByModel(slug: string): ClusterRow[] {
    return this.stmt.clustersByModel.all(slug) as ClusterRow[];
  }

  clustersByHardware(slug: string): ClusterRow[] {
    return this.stmt.clustersByHardware.all(slug) as ClusterRow[];
  }

  listByModel(slug: string, options: ListOptions): RunRow[] {
    return (this.stmt.listByModel.all(slug, options.limit) as RawRunRow[]).map(runRow);
  }

  listByHardware(slug: string, options: ListOptions): RunRow[] {
    return (this.stmt.listByHardware.all(slug, options.limit) as RawRunRow[]).map(runRow);
  }

  cheatsheet(limitPerWorkload: number): Map<string, ClusterRow[]> {
    const workloads = (this.stmt.workloads.all() as Array<{ workload: string }>).map((w) => w.workload).sort();
    return new Map(workloads.map((w) => [w, this.stmt.ranking.all(w, limitPerWorkload) as ClusterRow[]]));
  }

  recompute(clusters?: Array<{ clusterKey: string; workload: string }>): void {
    this.db.transaction(() => this.recomputeClusters(clusters ?? (this.stmt.allClusters.all() as Array<{ clusterKey: string; workload: string }>)))();
  }

  withdraw(id: string, reason: string, at: string): boolean {
    return this.db.transaction((): boolean => {
      if (!this.stmt.exists.get(id) || this.stmt.withdrawn.get(id)) return false;
      this.stmt.withdraw.run(id, at, reason);
      this.recomputeClusters(this.stmt.clustersOfResult.all(id) as Array<{ clusterKey: string; workload: string }>);
      return true;
    })();
  }

  openDispute(resultId: string, message: string, at: string): Dispute {
    return this.db.transaction((): Dispute => {
      const { lastInsertRowid } = this.stmt.openDispute.run(resultId, at);
      this.stmt.addMessage.run(lastInsertRowid, at, message);
      return this.getDispute(Number(lastInsertRowid)) as Dispute;
    })();
  }

  addDisputeMessage(disputeId: number, message: string, at: string): Dispute | undefined {
    if (!this.stmt.dispute.get(disputeId)) return undefined;
    this.stmt.addMessage.run(disputeId, at, message);
    return this.getDispute(disputeId);
  }

  getDispute(id: number): Dispute | undefined {
    const row = this.stmt.dispute.get(id) as Omit<Dispute, 'messages'> | undefined;
    if (!row) return undefined;
    return { ...row, messages: this.stmt.messages.all(id) as Dispute['messages'] };
  }

  disputesFor(resultId: string): Dispute[] {
    return (this.stmt.disputesFor.all(resultId) as Array<{ id: number }>).map((d) => this.getDispute(d.id) as Dispute);
  }

  linkContributor(publicKey: string, login: string, at: string): ContributorLink {
    this.stmt.insertLink.run(publicKey, login, at);
    return this.stmt.linkOf.get(publicKey) as ContributorLink;
  }

  contributorOfResult(resultId: string): string | undefined {
    return (this.stmt.contributorOfResult.get(resultId) as { login: string } | undefined)?.login;
  }

  close(): void {
    this.db.close();
  }

  /**
   * Flags and statistics of each (cluster, workload) from its current comparable, non-withdrawn
   * members. The best run is the fastest of them that is not flagged: an outlier is kept and
   * shown, but never held up as what the group reaches.
   */
  private recomputeClusters(clusters: Array<{ clusterKey: string; workload: string }>): void {
    const seen = new Set<string>();
    for (const { clusterKey, workload } of clusters) {
      const key = `${clusterKey}\u0000${workload}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const members = (this.stmt.clusterMembers.all(clusterKey, workload) as Array<{ resultId: string; idx: number; decodeTps: number | null }>).filter(
        (m): m is { resultId: string; idx: number; decodeTps: number } => m.decodeTps !== null,
      );
      const values = members.map((m) => m.decodeTps);
      const z = leaveOneOutZ(values);
      this.stmt.clearFlags.run(clusterKey, workload);
      let flaggedCount = 0;
      const flagged = members.map((m, i) => {
        if (!isOutlier(z[i])) return false;
        flaggedCount += 1;
        this.stmt.insertFlag.run(clusterKey, workload, m.resultId, m.idx, z[i]);
        return true;
      });
      let best: string | null = null;
      let bestValue = -Infinity;
      for (const [i, m] of members.entries()) {
        if (!flagged[i] && m.decodeTps > bestValue) {
          bestValue = m.decodeTps;
          best = m.resultId;
        }
      }
      const sample = this.stmt.clusterSample.get(clusterKey, workload) as Omit<ClusterRow, keyof ReturnType<typeof clusterStats> | 'clusterKey' | 'workload' | 'flaggedCount' | 'bestResultId'>;
      if (!sample) continue;
      this.stmt.upsertCluster.run({ ...sample, clusterKey, workload, ...clusterStats(values), flaggedCount, bestResultId: best });
    }
  }
}
