/**
 * The embedded default store: one SQLite file (better-sqlite3, WAL). The results table is
 * insert-only — triggers refuse UPDATE and DELETE — and withdrawal is a row in its own table,
 * insert-only as well. The queries are sql-repository.ts's, shared with PostgreSQL; this module
 * holds SQLite's DDL and where it records the derived version.
 *
 * workload_results, outlier_flags and clusters are derived from the stored JSON at ingest so that
 * listings and the cheatsheet are index lookups, not scans of 100k documents. Being derived, those
 * three tables are rebuilt from the stored JSON whenever the rule that derives them changes:
 * `PRAGMA user_version` records the DERIVED_VERSION a database was derived under, and opening an
 * older one drops and re-derives them (the signed results are untouched).
 */
import type Database from 'better-sqlite3';
import { DERIVED_TABLES, DERIVED_VERSION, SqlResultsRepository } from './sql-repository.js';
import type { SqlExecutor } from './sql/database.js';
import { SqliteDatabase } from './sql/sqlite.js';
import type { RankingRule } from './ranking.js';

export { DERIVED_VERSION };

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
-- A dispute is a public record: nobody edits or removes one.
CREATE TRIGGER IF NOT EXISTS disputes_no_update BEFORE UPDATE ON disputes
  BEGIN SELECT RAISE(ABORT, 'disputes are insert-only'); END;
CREATE TRIGGER IF NOT EXISTS disputes_no_delete BEFORE DELETE ON disputes
  BEGIN SELECT RAISE(ABORT, 'disputes are insert-only'); END;
CREATE TRIGGER IF NOT EXISTS disputes_no_replace BEFORE INSERT ON disputes
  WHEN EXISTS (SELECT 1 FROM disputes WHERE id = NEW.id)
  BEGIN SELECT RAISE(ABORT, 'disputes are insert-only'); END;
CREATE TABLE IF NOT EXISTS dispute_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  posted_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dm_dispute ON dispute_messages (dispute_id);
CREATE TRIGGER IF NOT EXISTS dispute_messages_no_update BEFORE UPDATE ON dispute_messages
  BEGIN SELECT RAISE(ABORT, 'dispute messages are insert-only'); END;
CREATE TRIGGER IF NOT EXISTS dispute_messages_no_delete BEFORE DELETE ON dispute_messages
  BEGIN SELECT RAISE(ABORT, 'dispute messages are insert-only'); END;
CREATE TRIGGER IF NOT EXISTS dispute_messages_no_replace BEFORE INSERT ON dispute_messages
  WHEN EXISTS (SELECT 1 FROM dispute_messages WHERE id = NEW.id)
  BEGIN SELECT RAISE(ABORT, 'dispute messages are insert-only'); END;
CREATE TABLE IF NOT EXISTS contributor_links (
  public_key TEXT PRIMARY KEY,
  github_login TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- The login proof that made the link (Ed25519 by the key over llm-speed-login:<device_code>), so an
  -- exported link can be verified again where it is imported. Links made before this have none.
  device_code TEXT,
  proof TEXT
);
CREATE TRIGGER IF NOT EXISTS contributor_links_no_update BEFORE UPDATE ON contributor_links
  BEGIN SELECT RAISE(ABORT, 'contributor links are immutable'); END;
CREATE TRIGGER IF NOT EXISTS contributor_links_no_delete BEFORE DELETE ON contributor_links
  BEGIN SELECT RAISE(ABORT, 'contributor links are immutable'); END;
-- One measurement, one owner: the first run of each payload (key and signature left out), withdrawn or not.
CREATE TABLE IF NOT EXISTS payload_owners (
  payload_hash TEXT PRIMARY KEY,
  result_id TEXT NOT NULL UNIQUE REFERENCES results(id)
);
CREATE TRIGGER IF NOT EXISTS payload_owners_no_update BEFORE UPDATE ON payload_owners
  BEGIN SELECT RAISE(ABORT, 'payload owners are immutable'); END;
CREATE TRIGGER IF NOT EXISTS payload_owners_no_delete BEFORE DELETE ON payload_owners
  BEGIN SELECT RAISE(ABORT, 'payload owners are immutable'); END;
CREATE TRIGGER IF NOT EXISTS payload_owners_no_replace BEFORE INSERT ON payload_owners
  WHEN EXISTS (SELECT 1 FROM payload_owners WHERE payload_hash = NEW.payload_hash OR result_id = NEW.result_id)
  BEGIN SELECT RAISE(ABORT, 'payload owners are immutable'); END;
`;

/** Columns added to tables of BASE_SCHEMA after they first shipped: added to older files on open. */
const ADDED_COLUMNS: ReadonlyArray<{ table: string; column: string; type: string }> = [
  { table: 'contributor_links', column: 'device_code', type: 'TEXT' },
  { table: 'contributor_links', column: 'proof', type: 'TEXT' },
];

/** Derived from the stored JSON (see DERIVED_VERSION). */
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
  setup_key TEXT NOT NULL,
  decode_tps REAL,
  -- 0: stored and listed, never ranked, pooled, flagged or a group's best run; why, as a JSON array of words.
  comparable INTEGER NOT NULL,
  not_comparable TEXT NOT NULL DEFAULT '[]',
  not_comparable_codes TEXT NOT NULL DEFAULT '[]',
  -- decode tok/s's 95 % interval (NULL: a single measurement) and the repetitions behind it: the standing counts only differences beyond both intervals.
  decode_ci_low REAL,
  decode_ci_high REAL,
  decode_n INTEGER NOT NULL DEFAULT 1,
  flags TEXT NOT NULL DEFAULT '[]',
  -- What it ran on, in words (the core count; a CPU run of a GPU machine says so), and whether it left a GPU idle.
  hardware_label TEXT NOT NULL DEFAULT '',
  accelerator_unused INTEGER NOT NULL DEFAULT 0,
  tps_per_w REAL,
  energy_meter TEXT,
  bandwidth_share REAL,
  PRIMARY KEY (result_id, idx)
);
-- Only the indexes a query uses: every extra one costs each ingest a random B-tree write.
CREATE INDEX IF NOT EXISTS wr_cluster ON workload_results (cluster_key, workload);
CREATE INDEX IF NOT EXISTS wr_model ON workload_results (model_slug, seq DESC);
CREATE INDEX IF NOT EXISTS wr_hardware ON workload_results (hardware_slug, seq DESC);
-- "Faster than N % of comparable runs of this model": one range of the setup, read on each run page.
CREATE INDEX IF NOT EXISTS wr_setup ON workload_results (setup_key, decode_tps);
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
  best_decode_tps REAL,
  setup_key TEXT NOT NULL,
  -- Different keys among the comparable runs: with n, what the ranking rule reads (ranking.ts).
  keys INTEGER NOT NULL DEFAULT 0,
  hardware_label TEXT NOT NULL DEFAULT '',
  accelerator_unused INTEGER NOT NULL DEFAULT 0,
  -- Median decode tok/s per watt of the runs of its most common meter (energy compares within one kind of meter), and the median bandwidth share.
  tps_per_w REAL,
  energy_meter TEXT,
  energy_runs INTEGER NOT NULL DEFAULT 0,
  bandwidth_share REAL,
  PRIMARY KEY (cluster_key, workload)
);
CREATE INDEX IF NOT EXISTS cl_model ON clusters (model_slug);
CREATE INDEX IF NOT EXISTS cl_hardware ON clusters (hardware_slug);
CREATE INDEX IF NOT EXISTS cl_median ON clusters (workload, median DESC);
CREATE INDEX IF NOT EXISTS cl_setup ON clusters (setup_key);
`;

export class SqliteResultsRepository extends SqlResultsRepository {
  private constructor(
    private readonly sqlite: SqliteDatabase,
    ranking?: RankingRule,
  ) {
    super(sqlite, ranking);
  }

  /** Opens (or creates) the file, re-deriving the listings when they were derived under an older rule. */
  static async open(file: string, options: { ranking?: RankingRule } = {}): Promise<SqliteResultsRepository> {
    const sqlite = new SqliteDatabase(file);
    try {
      sqlite.exec(BASE_SCHEMA);
      for (const { table, column, type } of ADDED_COLUMNS) {
        const columns = sqlite.db.pragma(`table_info(${table})`) as Array<{ name: string }>;
        if (!columns.some((c) => c.name === column)) sqlite.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
      const derivedVersion = sqlite.db.pragma('user_version', { simple: true }) as number;
      if (derivedVersion > DERIVED_VERSION) {
        throw new Error(`${file} was derived by a newer llm-speed-server (derived version ${derivedVersion}, this one knows ${DERIVED_VERSION}); upgrade the server`);
      }
      const repo = new SqliteResultsRepository(sqlite, options.ranking);
      // Older derived tables lack newer columns, so their indexes are created only by re-deriving (which drops them first).
      // A crash during this leaves user_version behind (it is one transaction), so the next open simply derives again.
      // A file from before ownership: its runs get their owners, later copies are withdrawn (then re-derived).
      const copies = await sqlite.transaction((tx) => repo.fillPayloadOwnersIfNew(tx));
      if (derivedVersion < DERIVED_VERSION || copies > 0) await sqlite.transaction((tx) => repo.rederive(tx));
      else sqlite.exec(DERIVED_SCHEMA);
      return repo;
    } catch (error) {
      await sqlite.close();
      throw error;
    }
  }

  /** Fills payload_owners when it is empty while runs are stored (the file predates it); returns the copies withdrawn. */
  async fillPayloadOwnersIfNew(tx: SqlExecutor): Promise<number> {
    const state = this.sqlite.db.prepare('SELECT (SELECT count(*) FROM payload_owners) AS owners, (SELECT count(*) FROM results) AS results').get() as { owners: number; results: number };
    if (state.owners > 0 || state.results === 0) return 0;
    return this.fillPayloadOwners(tx, new Date().toISOString());
  }

  /** The better-sqlite3 handle (tests tamper with it; the benchmark seeds through it). */
  get db(): Database.Database {
    return this.sqlite.db;
  }

  protected async resetDerived(): Promise<void> {
    for (const table of DERIVED_TABLES) this.sqlite.exec(`DROP TABLE IF EXISTS ${table}`);
    this.sqlite.exec(DERIVED_SCHEMA);
  }

  protected async recordDerivedVersion(_tx: SqlExecutor, version: number): Promise<void> {
    this.sqlite.exec(`PRAGMA user_version = ${version}`);
  }

  /** AUTOINCREMENT already moves past explicitly inserted ids (sqlite_sequence). */
  protected async afterExplicitIds(): Promise<void> {}

  close(): Promise<void> {
    return this.sqlite.close();
  }
}
