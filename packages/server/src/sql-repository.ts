/**
 * ResultsRepository over any SqlDatabase: every query is written once, here, in the SQL that
 * SQLite and PostgreSQL both speak. The engine-specific parts — DDL, triggers, roles, where the
 * derived version is recorded, moving id generators after an import — are the subclasses'
 * (sqlite-repository.ts, postgres-repository.ts).
 *
 * Concurrency. Ingest is idempotent by the unique content hash: the insert is
 * `ON CONFLICT DO NOTHING`, so of two identical submissions racing in two processes exactly one
 * row is stored and both get its id. Outlier flags of a comparable group are recomputed in the same
 * transaction as the insert that changed the group, after taking the group's lock
 * (SqlExecutor.lock: a PostgreSQL advisory lock; SQLite has one writer anyway). Without it, two
 * ingests into one group would each recompute without seeing the other's uncommitted row, and the
 * later commit would drop a flag the earlier one's row deserved.
 */
import type { RunPayload } from '@llm-speed/framework';
import { clusterStats, isOutlier, leaveOneOutZ } from './outliers.js';
import { DEFAULT_RANKING, implausibleOnHardware, isRanked, notRankedReason, type RankingRule } from './ranking.js';
import type {
  BoardRecord,
  ClusterRow,
  ContributorLink,
  Dispute,
  ImportCounts,
  ImportRecord,
  InsertOutcome,
  BoardFacets,
  EfficiencySection,
  LeaderboardFilters,
  LeaderboardSection,
  ListOptions,
  LoginProof,
  NewResult,
  NewWorkloadRow,
  ResultsRepository,
  RunRow,
  SpreadPoint,
  StandingPeer,
  StoredResult,
} from './repository.js';
import { lockKey, type SqlDatabase, type SqlExecutor, type SqlValue } from './sql/database.js';
import { workloadRowsOf } from './workload-rows.js';
import { payloadHashOf } from './ingest.js';

/**
 * Version of the derived tables' layout and of the rule that fills them. 0: (model × backend ×
 * hardware) clusters over every result (before this field existed). 1: comparable groups
 * (suite version × workload × model × backend × engine × build × hardware class), only
 * comparable results pooled. 2: adds each row's and group's setup key (the group on any hardware)
 * and a group's best decode tok/s, for the run page's standing and the board. 3: long-context-decay
 * groups split by the context of the headline tier. 4: noisy, throttled, unknown-build, impossible
 * (client decode above the backend's own clock), inconsistent-spread and shortened-shape results
 * (W5 turns, W3 tiers, W4 batches) are not comparable. 5: statistics weigh each signing key equally,
 * and a group records how many keys signed its runs (whether that ranks it is decided when read:
 * ranking.ts). 6: each row keeps its decode interval, flags, comparability codes, hardware label
 * (with the core count; a CPU run of a GPU machine named as such) and energy and bandwidth figures,
 * and a group its label and efficiency medians, for the pages (standing by intervals, error bars,
 * reasons in words, tok/s/W). 7: the board's index is the group median (groups rank by median, not by
 * their best run), and physically implausible results are not comparable. Bump it whenever either changes: both engines then drop and
 * re-derive workload_results, outlier_flags and clusters from the stored signed JSON.
 */
export const DERIVED_VERSION = 7;
export const DERIVED_TABLES = ['workload_results', 'outlier_flags', 'clusters'] as const;

type GroupRef = { clusterKey: string; workload: string };

const NOT_WITHDRAWN = 'NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.result_id = wr.result_id)';
const NOT_FLAGGED = 'NOT EXISTS (SELECT 1 FROM outlier_flags f WHERE f.result_id = wr.result_id AND f.idx = wr.idx)';
/** A group measured on a hosted API rather than on local hardware: kept apart on the board. */
const HOSTED = "(backend = 'hosted-api' OR build = 'remote')";
/** The workloads in suite order (the board's sections). */
export const WORKLOAD_ORDER = ['chat-short', 'chat-long', 'long-context-decay', 'concurrent-decode', 'agent-trace'] as const;
const RUN_COLUMNS = `wr.result_id AS "resultId", r.received_at AS "receivedAt", wr.workload, wr.cluster_key AS "clusterKey",
  wr.model_name AS "modelName", wr.backend, wr.backend_version AS "backendVersion", wr.accelerator_summary AS "acceleratorSummary",
  wr.decode_tps AS "decodeTps", f.z AS "flaggedZ", wr.comparable, wr.not_comparable AS "notComparable", wr.not_comparable_codes AS "notComparableCodes",
  wr.decode_ci_low AS "decodeCiLow", wr.decode_ci_high AS "decodeCiHigh", wr.decode_n AS "decodeN", wr.flags, wr.hardware_label AS "hardwareLabel",
  wr.accelerator_unused AS "acceleratorUnused", wr.tps_per_w AS "tpsPerW", wr.energy_meter AS "energyMeter", wr.bandwidth_share AS "bandwidthShare"`;
/** Cluster columns, optionally qualified with a table alias (`c.`). */
function clusterColumns(t = ''): string {
  return `${t}cluster_key AS "clusterKey", ${t}workload AS workload, ${t}suite_version AS "suiteVersion", ${t}model_name AS "modelName",
  ${t}model_identifier AS "modelIdentifier", ${t}model_quant AS "modelQuant", ${t}model_digest AS "modelDigest", ${t}model_slug AS "modelSlug",
  ${t}backend AS backend, ${t}engine AS engine, ${t}build AS build, ${t}hardware_class AS "hardwareClass", ${t}hardware_slug AS "hardwareSlug",
  ${t}accelerator_summary AS "acceleratorSummary", ${t}n AS n, ${t}min AS min, ${t}median AS median, ${t}max AS max, ${t}mean AS mean,
  ${t}flagged_count AS "flaggedCount", ${t}best_result_id AS "bestResultId", ${t}best_decode_tps AS "bestDecodeTps", ${t}setup_key AS "setupKey",
  ${t}keys AS keys, ${t}hardware_label AS "hardwareLabel", ${t}accelerator_unused AS "acceleratorUnused", ${t}tps_per_w AS "tpsPerW",
  ${t}energy_meter AS "energyMeter", ${t}energy_runs AS "energyRuns", ${t}bandwidth_share AS "bandwidthShare"`;
}
const CLUSTER_COLUMNS = clusterColumns();
const WORKLOAD_COLUMNS = `seq, result_id, idx, workload, suite_version, model_name, model_identifier, model_quant, model_digest, model_slug, backend,
  backend_version, engine, build, hardware_class, hardware_slug, accelerator_summary, cluster_key, setup_key, decode_tps, comparable, not_comparable,
  not_comparable_codes, decode_ci_low, decode_ci_high, decode_n, flags, hardware_label, accelerator_unused, tps_per_w, energy_meter, bandwidth_share`;
const WORKLOAD_PLACEHOLDERS = `(${Array(32).fill('?').join(', ')})`;
const RESULT_COLUMNS = 'id, content_hash, json, public_key, received_at, accelerator_summary, fingerprint_hash, hardware_slug, anon';
const RESULT_PLACEHOLDERS = `(${Array(9).fill('?').join(', ')})`;
/** Results read per page when re-deriving or exporting: bounded memory at any board size. */
const PAGE = 500;
/** Rows per multi-row statement: 400 × 32 parameters stays far below SQLite's (32766) and PostgreSQL's (65535) limits. */
const CHUNK = 400;
/** Groups recomputed per round of statements (each cluster row carries 30 parameters). */
const GROUP_CHUNK = 200;

/** A run's row in `results`: what ingest hands over, less its derived workload rows. */
type ResultRow = Omit<NewResult, 'workloads' | 'payloadHash'>;

function resultParams(r: ResultRow): SqlValue[] {
  return [r.id, r.contentHash, r.json, r.publicKey, r.receivedAt, r.acceleratorSummary, r.fingerprintHash, r.hardwareSlug, r.anon ? 1 : 0];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One descriptive row of a group (its latest comparable row, else its latest row). */
const SAMPLE_OF_GROUP = `SELECT cluster_key AS "clusterKey", workload, suite_version AS "suiteVersion", model_name AS "modelName",
  model_identifier AS "modelIdentifier", model_quant AS "modelQuant", model_digest AS "modelDigest", model_slug AS "modelSlug", backend, engine, build,
  hardware_class AS "hardwareClass", hardware_slug AS "hardwareSlug", accelerator_summary AS "acceleratorSummary", setup_key AS "setupKey",
  hardware_label AS "hardwareLabel", accelerator_unused AS "acceleratorUnused"
  FROM workload_results WHERE cluster_key = ? AND workload = ? ORDER BY comparable DESC, seq DESC LIMIT 1`;

const marks = (n: number) => Array(n).fill('?').join(', ');

type RawRunRow = Omit<RunRow, 'comparable' | 'notComparable' | 'notComparableCodes' | 'flags' | 'acceleratorUnused' | 'groupRanked'> & {
  comparable: number;
  notComparable: string;
  notComparableCodes: string;
  flags: string;
  acceleratorUnused: number;
  groupN: number | null;
  groupKeys: number | null;
};
/** A `results` row as read back: SQLite and PostgreSQL both return the anon flag as a number. */
type StoredRow = Omit<ResultRow, 'anon'> & { seq: number; anon: number };

function reasonsOf(text: string | null | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The lock that serialises deciding who owns one measurement. */
function payloadLock(payloadHash: string): string {
  return lockKey(`payload\u0000${payloadHash}`);
}

interface PayloadOwner {
  id: string;
  publicKey: string;
  withdrawn: boolean;
}

/** The lock that serialises recomputing one comparable group. */
function groupLock(group: GroupRef): string {
  return lockKey(`group\u0000${group.clusterKey}\u0000${group.workload}`);
}

function uniqueGroups(groups: readonly GroupRef[]): GroupRef[] {
  const seen = new Map<string, GroupRef>();
  for (const g of groups) seen.set(`${g.clusterKey}\u0000${g.workload}`, { clusterKey: g.clusterKey, workload: g.workload });
  return [...seen.values()];
}

/** A refused import: the message says what is wrong with the file or the target. */
export class ImportError extends Error {}

/** A clusters row as read: the ranking rule decides, at read time, whether it is ranked and keeps its best run. */
type RawClusterRow = Omit<ClusterRow, 'ranked' | 'notRanked' | 'acceleratorUnused'> & { acceleratorUnused: number | boolean };

/** The median of some numbers (the lower middle of an even count: never flatters); null for none. */
function plainMedian(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * A group's energy figure: the median decode tok/s per watt of its runs measured with its most
 * common kind of meter (ties: the meter named first alphabetically), since energy is compared
 * only between runs of one kind of meter (METHODOLOGY §13).
 */
function groupEfficiency(members: Array<{ tpsPerW: number | null; energyMeter: string | null }>): { tpsPerW: number | null; meter: string | null; runs: number } {
  const byMeter = new Map<string, number[]>();
  for (const m of members) if (m.tpsPerW !== null && m.energyMeter) byMeter.set(m.energyMeter, [...(byMeter.get(m.energyMeter) ?? []), m.tpsPerW]);
  const [meter, values] = [...byMeter.entries()].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b))[0] ?? [null, []];
  return { tpsPerW: plainMedian(values), meter, runs: values.length };
}

export abstract class SqlResultsRepository implements ResultsRepository {
  protected constructor(
    protected readonly sql: SqlDatabase,
    readonly ranking: RankingRule = DEFAULT_RANKING,
  ) {}

  /** The rule applied to clusters rows read back: an unranked group has no best run. */
  private ranked<T extends RawClusterRow>(rows: T[]): Array<Omit<T, 'acceleratorUnused'> & Pick<ClusterRow, 'ranked' | 'notRanked' | 'acceleratorUnused'>> {
    return rows.map((raw) => {
      const row = { ...raw, acceleratorUnused: Number(raw.acceleratorUnused) === 1, energyRuns: Number(raw.energyRuns ?? 0) };
      const evidence = { runs: Number(row.n), keys: Number(row.keys) };
      const ranked = isRanked(evidence, this.ranking);
      return ranked ? { ...row, ranked, notRanked: null } : { ...row, ranked, notRanked: notRankedReason(evidence, this.ranking), bestResultId: null, bestDecodeTps: null };
    });
  }

  /** A listing row as read: JSON columns parsed, its group's evidence judged by the board's rule. */
  private runRow(raw: RawRunRow): RunRow {
    const { groupN, groupKeys, ...rest } = raw;
    return {
      ...rest,
      comparable: Number(raw.comparable) === 1,
      notComparable: reasonsOf(raw.notComparable),
      notComparableCodes: reasonsOf(raw.notComparableCodes) as RunRow['notComparableCodes'],
      flags: reasonsOf(raw.flags),
      acceleratorUnused: Number(raw.acceleratorUnused) === 1,
      decodeCiLow: numberOrNull(raw.decodeCiLow),
      decodeCiHigh: numberOrNull(raw.decodeCiHigh),
      decodeN: Number(raw.decodeN ?? 1),
      tpsPerW: numberOrNull(raw.tpsPerW),
      bandwidthShare: numberOrNull(raw.bandwidthShare),
      groupRanked: isRanked({ runs: Number(groupN ?? 0), keys: Number(groupKeys ?? 0) }, this.ranking),
    };
  }

  /** SQL for "the group is ranked" (n and keys of clusters, optionally qualified). */
  private rankedSql(t = ''): string {
    return `${t}n >= ${Number(this.ranking.minRuns)} AND ${t}keys >= ${Number(this.ranking.minKeys)}`;
  }

  get dialect() {
    return this.sql.dialect;
  }

  /** Drops and recreates the derived tables (empty), inside `tx`. */
  protected abstract resetDerived(tx: SqlExecutor): Promise<void>;
  /** Records the derived version the tables now hold, inside `tx`. */
  protected abstract recordDerivedVersion(tx: SqlExecutor, version: number): Promise<void>;
  /** After rows were inserted with explicit ids (an import): the next generated id must follow them. */
  protected abstract afterExplicitIds(tx: SqlExecutor): Promise<void>;

  /** Fills the derived tables from every stored run under the current rule, then records DERIVED_VERSION. */
  protected async rederive(tx: SqlExecutor): Promise<void> {
    await this.resetDerived(tx);
    await this.deriveAll(tx);
    await this.recordDerivedVersion(tx, DERIVED_VERSION);
  }

  /** Workload rows of every stored result (in pages: 100k documents do not belong in memory at once), then every group. */
  private async deriveAll(tx: SqlExecutor): Promise<void> {
    for (let after = 0; ;) {
      const page = await tx.all<StoredRow>('SELECT seq, id, json, hardware_slug AS "hardwareSlug", accelerator_summary AS "acceleratorSummary" FROM results WHERE seq > ? ORDER BY seq LIMIT ?', [
        after,
        PAGE,
      ]);
      if (page.length === 0) break;
      await this.insertWorkloadRows(
        tx,
        page.flatMap((row) => workloadRowsOf(JSON.parse(row.json) as RunPayload).map((w, idx) => ({ w, idx, seq: row.seq, result: row }))),
      );
      after = page[page.length - 1]!.seq;
    }
    await this.recomputeGroups(tx, await this.allGroups(tx));
  }

  private allGroups(tx: SqlExecutor): Promise<GroupRef[]> {
    return tx.all<GroupRef>('SELECT DISTINCT cluster_key AS "clusterKey", workload FROM workload_results ORDER BY 1, 2');
  }

  private async insertWorkloadRows(
    tx: SqlExecutor,
    rows: Array<{ w: NewWorkloadRow; idx: number; seq: number; result: { id: string; hardwareSlug: string; acceleratorSummary: string } }>,
  ): Promise<void> {
    for (const batch of chunks(rows, CHUNK)) {
      const params: SqlValue[] = [];
      for (const { w, idx, seq, result } of batch) {
        params.push(
          seq,
          result.id,
          idx,
          w.workload,
          w.suiteVersion,
          w.modelName,
          w.modelIdentifier,
          w.modelQuant,
          w.modelDigest,
          w.modelSlug,
          w.backend,
          w.backendVersion,
          w.engine,
          w.build,
          w.hardwareClass,
          result.hardwareSlug,
          result.acceleratorSummary,
          w.clusterKey,
          w.setupKey,
          w.decodeTps,
          w.comparable ? 1 : 0,
          JSON.stringify(w.notComparable),
          JSON.stringify(w.notComparableCodes),
          w.decodeCiLow,
          w.decodeCiHigh,
          w.decodeN,
          JSON.stringify(w.flags),
          w.hardwareLabel,
          w.acceleratorUnused ? 1 : 0,
          w.tpsPerW,
          w.energyMeter,
          w.bandwidthShare,
        );
      }
      await tx.run(`INSERT INTO workload_results (${WORKLOAD_COLUMNS}) VALUES ${batch.map(() => WORKLOAD_PLACEHOLDERS).join(', ')}`, params);
    }
  }

  /** Stores one results row; undefined when identical content is already stored (by anyone, at any moment). */
  private async insertResultRow(tx: SqlExecutor, r: ResultRow): Promise<number | undefined> {
    const row = await tx.get<{ seq: number }>(`INSERT INTO results (${RESULT_COLUMNS}) VALUES ${RESULT_PLACEHOLDERS} ON CONFLICT DO NOTHING RETURNING seq`, resultParams(r));
    return row?.seq;
  }

  /** Who owns each of these measurements already: its run, that run's key, and whether it was withdrawn. */
  private async ownersOf(tx: SqlExecutor, payloadHashes: readonly string[]): Promise<Map<string, PayloadOwner>> {
    const owners = new Map<string, PayloadOwner>();
    for (const hashes of chunks([...new Set(payloadHashes)], CHUNK)) {
      const rows = await tx.all<{ payloadHash: string; id: string; publicKey: string; withdrawn: number }>(
        `SELECT p.payload_hash AS "payloadHash", r.id, r.public_key AS "publicKey",
         CASE WHEN EXISTS (SELECT 1 FROM withdrawals w WHERE w.result_id = r.id) THEN 1 ELSE 0 END AS withdrawn
         FROM payload_owners p JOIN results r ON r.id = p.result_id WHERE p.payload_hash IN (${marks(hashes.length)})`,
        hashes,
      );
      for (const row of rows) owners.set(row.payloadHash, { id: row.id, publicKey: row.publicKey, withdrawn: Number(row.withdrawn) === 1 });
    }
    return owners;
  }

  insert(result: NewResult, options: { recompute?: boolean } = {}): Promise<InsertOutcome> {
    return this.insertMany([result], options).then((outcomes) => outcomes[0]!);
  }

  /**
   * One transaction for many results: ingest groups concurrent submissions so commits are shared.
   * A fixed number of statements per batch, whatever its size — over a network every round trip
   * counts: look up the measurements' owners, insert the new rows, their owners and workload rows,
   * recompute.
   *
   * One measurement, one owner: a run whose payload (public_key and signature left out) is stored
   * already is the same run again when its key is the owner's and it is not withdrawn (its id,
   * created: false), and a conflict otherwise — another key re-signing it, or anyone bringing back
   * a withdrawn run. The measurements' locks are taken before the owners are read, so two
   * processes storing the same payload under two keys at once cannot both become its owner.
   */
  insertMany(results: NewResult[], options: { recompute?: boolean } = {}): Promise<InsertOutcome[]> {
    const recompute = options.recompute !== false;
    return this.sql.transaction(async (tx) => {
      const payloadLocks = [...new Set(results.map((r) => r.payloadHash))].map(payloadLock);
      const allGroups = uniqueGroups(results.flatMap((r) => r.workloads));
      // Before reading anything: whatever another process committed into these groups is visible from here on.
      await tx.lock([...(recompute ? allGroups.map(groupLock) : []), ...payloadLocks]);
      const owners = await this.ownersOf(
        tx,
        results.map((r) => r.payloadHash),
      );
      const outcomes: InsertOutcome[] = [];
      const fresh: NewResult[] = [];
      for (const r of results) {
        const owner = owners.get(r.payloadHash);
        if (owner) {
          if (owner.publicKey !== r.publicKey) outcomes.push({ id: owner.id, created: false, conflict: 'another-key' });
          else if (owner.withdrawn) outcomes.push({ id: owner.id, created: false, conflict: 'withdrawn' });
          else outcomes.push({ id: owner.id, created: false });
          continue;
        }
        // The first of its measurement in this batch: later ones in the batch are judged against it.
        owners.set(r.payloadHash, { id: r.id, publicKey: r.publicKey, withdrawn: false });
        fresh.push(r);
        outcomes.push({ id: r.id, created: true });
      }
      for (const batch of chunks(fresh, CHUNK)) {
        const inserted = await tx.all<{ seq: number; contentHash: string }>(
          `INSERT INTO results (${RESULT_COLUMNS}) VALUES ${batch.map(() => RESULT_PLACEHOLDERS).join(', ')} ON CONFLICT DO NOTHING RETURNING seq, content_hash AS "contentHash"`,
          batch.flatMap(resultParams),
        );
        const seqOf = new Map(inserted.map((row) => [row.contentHash, row.seq]));
        // Every payload lock is held and no owner was found, so the content cannot be stored yet: a
        // row that did not go in collides on its id alone (66 bits of a hash of other content).
        const lost = batch.find((r) => !seqOf.has(r.contentHash));
        if (lost) throw new Error(`result id ${lost.id} is already taken by different content`);
        await tx.run(
          `INSERT INTO payload_owners (payload_hash, result_id) VALUES ${batch.map(() => '(?, ?)').join(', ')}`,
          batch.flatMap((r) => [r.payloadHash, r.id]),
        );
        await this.insertWorkloadRows(
          tx,
          batch.flatMap((r) => r.workloads.map((w, idx) => ({ w, idx, seq: seqOf.get(r.contentHash)!, result: r }))),
        );
      }
      if (recompute) await this.recomputeGroups(tx, uniqueGroups(fresh.flatMap((r) => r.workloads)));
      return outcomes;
    });
  }

  /**
   * Gives every stored run without one its payload_owners row, in storage order (a board from
   * before ownership existed): the first run of each measurement owns it, and each later copy —
   * re-signed by another key, or its owner's re-spaced header — is withdrawn, saying whose copy it
   * is. Returns how many copies were withdrawn (the caller re-derives the listings then).
   */
  protected async fillPayloadOwners(tx: SqlExecutor, at: string): Promise<number> {
    let withdrawn = 0;
    for (let after = 0; ;) {
      const page = await tx.all<{ seq: number; id: string; json: string }>(
        'SELECT r.seq, r.id, r.json FROM results r WHERE r.seq > ? AND NOT EXISTS (SELECT 1 FROM payload_owners p WHERE p.result_id = r.id) ORDER BY r.seq LIMIT ?',
        [after, PAGE],
      );
      if (page.length === 0) break;
      for (const row of page) {
        const hash = payloadHashOf(JSON.parse(row.json) as RunPayload);
        const owner = await tx.get<{ id: string }>('SELECT result_id AS id FROM payload_owners WHERE payload_hash = ?', [hash]);
        if (!owner) {
          await tx.run('INSERT INTO payload_owners (payload_hash, result_id) VALUES (?, ?)', [hash, row.id]);
          continue;
        }
        withdrawn += await tx.run('INSERT INTO withdrawals (result_id, withdrawn_at, reason) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
          row.id,
          at,
          `a copy of ${owner.id}, the same measurement stored earlier: one measurement, one owner (METHODOLOGY §5)`,
        ]);
      }
      after = page[page.length - 1]!.seq;
    }
    return withdrawn;
  }

  async get(id: string): Promise<StoredResult | undefined> {
    // All four at once: over a network one round trip, not two.
    const [row, flags, clusters, notComparable] = await Promise.all([
      this.sql.get<{ id: string; json: string; receivedAt: string; withdrawnAt: string | null; reason: string | null }>(
        `SELECT r.id, r.json, r.received_at AS "receivedAt", w.withdrawn_at AS "withdrawnAt", w.reason
         FROM results r LEFT JOIN withdrawals w ON w.result_id = r.id WHERE r.id = ?`,
        [id],
      ),
      this.sql.all<{ idx: number; z: number }>('SELECT idx, z FROM outlier_flags WHERE result_id = ?', [id]),
      this.sql.all<RawClusterRow & { idx: number }>(
        `SELECT wr.idx, ${clusterColumns('c.')} FROM workload_results wr JOIN clusters c ON c.cluster_key = wr.cluster_key AND c.workload = wr.workload WHERE wr.result_id = ?`,
        [id],
      ),
      this.sql.all<{ idx: number; reasons: string }>('SELECT idx, not_comparable AS reasons FROM workload_results WHERE result_id = ? AND comparable = 0', [id]),
    ]);
    if (!row) return undefined;
    return {
      id: row.id,
      json: row.json,
      receivedAt: row.receivedAt,
      withdrawn: row.withdrawnAt ? { at: row.withdrawnAt, reason: row.reason ?? '' } : null,
      flagged: new Map(flags.map((f) => [f.idx, f.z])),
      clusters: new Map(this.ranked(clusters).map((c) => [c.idx, c])),
      notComparable: new Map(notComparable.map((n) => [n.idx, reasonsOf(n.reasons)])),
    };
  }

  async count(): Promise<number> {
    return (await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM results'))!.n;
  }

  async clustersByModel(slug: string): Promise<ClusterRow[]> {
    return this.ranked(await this.sql.all<RawClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM clusters WHERE model_slug = ? AND n > 0 ORDER BY workload, median DESC`, [slug]));
  }

  async clustersByHardware(slug: string): Promise<ClusterRow[]> {
    return this.ranked(await this.sql.all<RawClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM clusters WHERE hardware_slug = ? AND n > 0 ORDER BY workload, median DESC`, [slug]));
  }

  async listByModel(slug: string, options: ListOptions): Promise<RunRow[]> {
    return (await this.sql.all<RawRunRow>(this.listing('model_slug'), [slug, options.limit])).map((r) => this.runRow(r));
  }

  async listByHardware(slug: string, options: ListOptions): Promise<RunRow[]> {
    return (await this.sql.all<RawRunRow>(this.listing('hardware_slug'), [slug, options.limit])).map((r) => this.runRow(r));
  }

  private listing(column: 'model_slug' | 'hardware_slug'): string {
    return `SELECT ${RUN_COLUMNS}, c.n AS "groupN", c.keys AS "groupKeys" FROM workload_results wr JOIN results r ON r.id = wr.result_id
      LEFT JOIN outlier_flags f ON f.result_id = wr.result_id AND f.idx = wr.idx
      LEFT JOIN clusters c ON c.cluster_key = wr.cluster_key AND c.workload = wr.workload
      WHERE wr.${column} = ? AND ${NOT_WITHDRAWN} ORDER BY wr.seq DESC LIMIT ?`;
  }

  async leaderboard(filters: LeaderboardFilters, limit: number): Promise<LeaderboardSection[]> {
    const where: string[] = ['workload = ?', 'best_result_id IS NOT NULL', this.rankedSql()];
    const params: SqlValue[] = [];
    for (const [column, value] of [
      ['suite_version', filters.suite],
      ['backend', filters.backend],
      ['build', filters.build],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const workloads = filters.workload ? [filters.workload] : [...WORKLOAD_ORDER];
    // Groups rank by their median, never by their best run (METHODOLOGY §6.1): two index range scans
    // per workload (cl_median), each stopping after `limit` rows, no pass over every group.
    const ranked = async (workload: string, hosted: boolean) =>
      this.ranked(
        await this.sql.all<RawClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM clusters WHERE ${where.join(' AND ')} AND ${hosted ? '' : 'NOT '}${HOSTED} ORDER BY median DESC, cluster_key LIMIT ?`, [
          workload,
          ...params,
          limit,
        ]),
      );
    const sections = await Promise.all(workloads.map(async (workload) => ({ workload, local: await ranked(workload, false), hosted: await ranked(workload, true) })));
    return sections.filter((s) => s.local.length > 0 || s.hosted.length > 0);
  }

  async efficiencyBoard(filters: LeaderboardFilters, limit: number): Promise<EfficiencySection[]> {
    const where: string[] = ['tps_per_w IS NOT NULL', 'energy_meter IS NOT NULL', this.rankedSql(), `NOT ${HOSTED}`];
    const params: SqlValue[] = [];
    for (const [column, value] of [
      ['workload', filters.workload],
      ['suite_version', filters.suite],
      ['backend', filters.backend],
      ['build', filters.build],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    // The first `limit` of each workload and meter, by a window: one pass over the groups that measured energy.
    const rows = this.ranked(
      await this.sql.all<RawClusterRow>(
        `SELECT * FROM (SELECT ${CLUSTER_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY workload, energy_meter ORDER BY tps_per_w DESC, cluster_key) AS place
         FROM clusters WHERE ${where.join(' AND ')}) AS ranked WHERE place <= ? ORDER BY "energyMeter", place`,
        [...params, limit],
      ),
    );
    const sections = new Map<string, EfficiencySection>();
    for (const row of rows) {
      const { place: _place, ...group } = row as typeof row & { place?: number };
      const key = `${group.workload}\u0000${group.energyMeter}`;
      const section = sections.get(key) ?? { workload: group.workload, meter: group.energyMeter!, groups: [] };
      section.groups.push(group);
      sections.set(key, section);
    }
    const order = (w: string) => WORKLOAD_ORDER.indexOf(w as (typeof WORKLOAD_ORDER)[number]);
    return [...sections.values()].sort((a, b) => order(a.workload) - order(b.workload) || a.meter.localeCompare(b.meter));
  }

  async boardFacets(): Promise<BoardFacets> {
    const distinct = async (column: string) =>
      (await this.sql.all<{ v: string }>(`SELECT DISTINCT ${column} AS v FROM clusters WHERE best_result_id IS NOT NULL AND ${this.rankedSql()} ORDER BY 1`)).map((r) => r.v);
    const [suites, backends, builds] = await Promise.all([distinct('suite_version'), distinct('backend'), distinct('build')]);
    return { suites, backends, builds };
  }

  async setupGroups(setupKey: string): Promise<ClusterRow[]> {
    return this.ranked(await this.sql.all<RawClusterRow>(`SELECT ${CLUSTER_COLUMNS} FROM clusters WHERE setup_key = ? AND ${this.rankedSql()} ORDER BY median DESC, cluster_key`, [setupKey]));
  }

  async setupPeers(setupKey: string, excludeResultId: string): Promise<StandingPeer[]> {
    // One range of wr_setup: the runs of this model on this backend and build, on any hardware.
    const rows = await this.sql.all<{ decodeTps: number; ciLow: number | null; ciHigh: number | null; n: number }>(
      `SELECT wr.decode_tps AS "decodeTps", wr.decode_ci_low AS "ciLow", wr.decode_ci_high AS "ciHigh", wr.decode_n AS n FROM workload_results wr
       WHERE wr.setup_key = ? AND wr.decode_tps IS NOT NULL AND wr.comparable = 1 AND wr.result_id <> ? AND ${NOT_FLAGGED} AND ${NOT_WITHDRAWN}
       AND EXISTS (SELECT 1 FROM clusters c WHERE c.cluster_key = wr.cluster_key AND c.workload = wr.workload AND ${this.rankedSql('c.')})`,
      [setupKey, excludeResultId],
    );
    return rows.map((r) => ({ decodeTps: Number(r.decodeTps), ciLow: numberOrNull(r.ciLow), ciHigh: numberOrNull(r.ciHigh), n: Number(r.n ?? 1) }));
  }

  async medianRun(group: GroupRef, around: number, excludeResultId: string): Promise<string | undefined> {
    const row = await this.sql.get<{ resultId: string }>(
      `SELECT wr.result_id AS "resultId" FROM workload_results wr
       WHERE wr.cluster_key = ? AND wr.workload = ? AND wr.comparable = 1 AND wr.decode_tps IS NOT NULL AND wr.result_id <> ? AND ${NOT_WITHDRAWN}
       ORDER BY abs(wr.decode_tps - ?), wr.seq LIMIT 1`,
      [group.clusterKey, group.workload, excludeResultId, around],
    );
    return row?.resultId;
  }

  async spread(groups: GroupRef[]): Promise<SpreadPoint[]> {
    const out: SpreadPoint[] = [];
    for (const batch of chunks(uniqueGroups(groups), GROUP_CHUNK)) {
      const rows = await this.sql.all<{ clusterKey: string; workload: string; resultId: string; decodeTps: number; ciLow: number | null; ciHigh: number | null; n: number; flagged: number }>(
        `SELECT wr.cluster_key AS "clusterKey", wr.workload, wr.result_id AS "resultId", wr.decode_tps AS "decodeTps",
         wr.decode_ci_low AS "ciLow", wr.decode_ci_high AS "ciHigh", wr.decode_n AS n,
         CASE WHEN ${NOT_FLAGGED} THEN 0 ELSE 1 END AS flagged
         FROM workload_results wr WHERE (wr.cluster_key, wr.workload) IN (VALUES ${batch.map(() => '(?, ?)').join(', ')})
         AND wr.comparable = 1 AND wr.decode_tps IS NOT NULL AND ${NOT_WITHDRAWN} ORDER BY wr.seq`,
        batch.flatMap((g) => [g.clusterKey, g.workload]),
      );
      for (const r of rows) out.push({ ...r, ciLow: numberOrNull(r.ciLow), ciHigh: numberOrNull(r.ciHigh), n: Number(r.n ?? 1), flagged: Number(r.flagged) === 1 });
    }
    return out;
  }

  recompute(clusters?: GroupRef[]): Promise<void> {
    return this.sql.transaction(async (tx) => {
      const groups = uniqueGroups(clusters ?? (await this.allGroups(tx)));
      await tx.lock(groups.map(groupLock));
      await this.recomputeGroups(tx, groups);
    });
  }

  withdraw(id: string, reason: string, at: string): Promise<boolean> {
    return this.sql.transaction(async (tx): Promise<boolean> => {
      const groups = uniqueGroups(await tx.all<GroupRef>('SELECT cluster_key AS "clusterKey", workload FROM workload_results WHERE result_id = ?', [id]));
      await tx.lock(groups.map(groupLock));
      if (!(await tx.get('SELECT 1 AS one FROM results WHERE id = ?', [id]))) return false;
      if (await tx.get('SELECT 1 AS one FROM withdrawals WHERE result_id = ?', [id])) return false;
      // ON CONFLICT: two admins withdrawing at once both succeed; the first reason is the one kept.
      if ((await tx.run('INSERT INTO withdrawals (result_id, withdrawn_at, reason) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [id, at, reason])) === 0) return false;
      await this.recomputeGroups(tx, groups);
      return true;
    });
  }

  openDispute(resultId: string, message: string, at: string): Promise<Dispute> {
    return this.sql.transaction(async (tx): Promise<Dispute> => {
      const { id } = (await tx.get<{ id: number }>('INSERT INTO disputes (result_id, opened_at) VALUES (?, ?) RETURNING id', [resultId, at]))!;
      await tx.run('INSERT INTO dispute_messages (dispute_id, posted_at, body) VALUES (?, ?, ?)', [id, at, message]);
      return (await this.disputeIn(tx, id))!;
    });
  }

  addDisputeMessage(disputeId: number, message: string, at: string): Promise<Dispute | undefined> {
    return this.sql.transaction(async (tx) => {
      if (!(await tx.get('SELECT 1 AS one FROM disputes WHERE id = ?', [disputeId]))) return undefined;
      await tx.run('INSERT INTO dispute_messages (dispute_id, posted_at, body) VALUES (?, ?, ?)', [disputeId, at, message]);
      return this.disputeIn(tx, disputeId);
    });
  }

  getDispute(id: number): Promise<Dispute | undefined> {
    return this.disputeIn(this.sql, id);
  }

  private async disputeIn(q: SqlExecutor, id: number): Promise<Dispute | undefined> {
    const row = await q.get<Omit<Dispute, 'messages'>>('SELECT id, result_id AS "resultId", opened_at AS "openedAt" FROM disputes WHERE id = ?', [id]);
    if (!row) return undefined;
    return { ...row, messages: await q.all<Dispute['messages'][number]>('SELECT id, posted_at AS "postedAt", body FROM dispute_messages WHERE dispute_id = ? ORDER BY id', [id]) };
  }

  async disputesFor(resultId: string): Promise<Dispute[]> {
    const ids = await this.sql.all<{ id: number }>('SELECT id FROM disputes WHERE result_id = ? ORDER BY id', [resultId]);
    return (await Promise.all(ids.map((d) => this.getDispute(d.id)))).filter((d): d is Dispute => d !== undefined);
  }

  async linkContributor(publicKey: string, login: string, at: string, proof?: LoginProof): Promise<ContributorLink> {
    // First link wins, also between two processes linking the same key at once.
    await this.sql.run('INSERT INTO contributor_links (public_key, github_login, created_at, device_code, proof) VALUES (?, ?, ?, ?, ?) ON CONFLICT (public_key) DO NOTHING', [
      publicKey,
      login,
      at,
      proof?.deviceCode ?? null,
      proof?.proof ?? null,
    ]);
    return (await this.sql.get<ContributorLink>('SELECT public_key AS "publicKey", github_login AS login, created_at AS "linkedAt" FROM contributor_links WHERE public_key = ?', [publicKey]))!;
  }

  async contributorOfResult(resultId: string): Promise<string | undefined> {
    const row = await this.sql.get<{ login: string }>('SELECT l.github_login AS login FROM results r JOIN contributor_links l ON l.public_key = r.public_key WHERE r.id = ? AND r.anon = 0', [
      resultId,
    ]);
    return row?.login;
  }

  /** Every row a board move carries (board-file.ts), in storage order; derived tables are not exported. */
  async *exportRecords(): AsyncGenerator<BoardRecord> {
    for (let after = 0; ;) {
      const page = await this.sql.all<StoredRow>(
        `SELECT seq, id, content_hash AS "contentHash", json, public_key AS "publicKey", received_at AS "receivedAt",
         accelerator_summary AS "acceleratorSummary", fingerprint_hash AS "fingerprintHash", hardware_slug AS "hardwareSlug", anon
         FROM results WHERE seq > ? ORDER BY seq LIMIT ?`,
        [after, PAGE],
      );
      if (page.length === 0) break;
      for (const r of page) {
        yield {
          type: 'result',
          id: r.id,
          content_hash: r.contentHash,
          json: r.json,
          public_key: r.publicKey,
          received_at: r.receivedAt,
          accelerator_summary: r.acceleratorSummary,
          fingerprint_hash: r.fingerprintHash,
          hardware_slug: r.hardwareSlug,
          anon: Number(r.anon) === 1,
        };
      }
      after = page[page.length - 1]!.seq;
    }
    for (const w of await this.sql.all<{ resultId: string; withdrawnAt: string; reason: string }>(
      'SELECT w.result_id AS "resultId", w.withdrawn_at AS "withdrawnAt", w.reason FROM withdrawals w JOIN results r ON r.id = w.result_id ORDER BY r.seq',
    )) {
      yield { type: 'withdrawal', result_id: w.resultId, withdrawn_at: w.withdrawnAt, reason: w.reason };
    }
    for (let after = 0; ;) {
      const page = await this.sql.all<{ id: number }>('SELECT id FROM disputes WHERE id > ? ORDER BY id LIMIT ?', [after, PAGE]);
      if (page.length === 0) break;
      for (const { id } of page) {
        const d = (await this.getDispute(id))!;
        yield { type: 'dispute', id: d.id, result_id: d.resultId, opened_at: d.openedAt, messages: d.messages.map((m) => ({ id: m.id, posted_at: m.postedAt, body: m.body })) };
      }
      after = page[page.length - 1]!.id;
    }
    for (const l of await this.sql.all<ContributorLink & { deviceCode: string | null; proof: string | null }>(
      'SELECT public_key AS "publicKey", github_login AS login, created_at AS "linkedAt", device_code AS "deviceCode", proof FROM contributor_links ORDER BY public_key',
    )) {
      yield { type: 'contributor_link', public_key: l.publicKey, login: l.login, linked_at: l.linkedAt, device_code: l.deviceCode, proof: l.proof };
    }
  }

  /**
   * Stores a checked board (board-import.ts) into this one, which must be empty, in one
   * transaction: a refused record anywhere in the file leaves nothing behind. The results rows are
   * stored as derived from their signed JSON — `json` is what is served afterwards, byte for byte —
   * and the derived tables are then computed afresh under this server's rule.
   */
  importRecords(records: AsyncIterable<ImportRecord>): Promise<ImportCounts> {
    return this.sql.transaction(async (tx) => {
      const present = await tx.get<{ n: number }>('SELECT (SELECT count(*) FROM results) + (SELECT count(*) FROM disputes) + (SELECT count(*) FROM contributor_links) AS n');
      if (present!.n > 0) throw new ImportError('the target board is not empty: import only into a new database');
      const counts: ImportCounts = { results: 0, withdrawals: 0, disputes: 0, messages: 0, contributorLinks: 0 };
      for await (const record of records) {
        switch (record.type) {
          case 'result': {
            const r = record.result;
            const seq = await this.insertResultRow(tx, r);
            if (seq === undefined) throw new ImportError(`result ${r.id} appears twice in the file`);
            // The first run of a measurement owns it; the check admits a later copy only withdrawn.
            await tx.run('INSERT INTO payload_owners (payload_hash, result_id) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM payload_owners WHERE payload_hash = ?)', [
              r.payloadHash,
              r.id,
              r.payloadHash,
            ]);
            counts.results += 1;
            break;
          }
          case 'withdrawal':
            await tx.run('INSERT INTO withdrawals (result_id, withdrawn_at, reason) VALUES (?, ?, ?)', [record.resultId, record.withdrawnAt, record.reason]);
            counts.withdrawals += 1;
            break;
          case 'dispute':
            await tx.run('INSERT INTO disputes (id, result_id, opened_at) VALUES (?, ?, ?)', [record.id, record.resultId, record.openedAt]);
            for (const m of record.messages) await tx.run('INSERT INTO dispute_messages (id, dispute_id, posted_at, body) VALUES (?, ?, ?, ?)', [m.id, record.id, m.postedAt, m.body]);
            counts.disputes += 1;
            counts.messages += record.messages.length;
            break;
          case 'contributor_link':
            await tx.run('INSERT INTO contributor_links (public_key, github_login, created_at, device_code, proof) VALUES (?, ?, ?, ?, ?)', [
              record.publicKey,
              record.login,
              record.linkedAt,
              record.proof.deviceCode,
              record.proof.proof,
            ]);
            counts.contributorLinks += 1;
            break;
          default:
            throw new ImportError(`unknown record type ${JSON.stringify((record as { type?: unknown }).type)}`);
        }
      }
      await this.afterExplicitIds(tx);
      // The board was empty, and so were its derived tables.
      await this.deriveAll(tx);
      return counts;
    });
  }

  abstract close(): Promise<void>;

  /**
   * Flags and statistics of each group from its current comparable, non-withdrawn members. The
   * best run is the fastest of them that is not flagged: an outlier is kept and shown, but never
   * held up as what the group reaches. The caller holds the groups' locks. Five statements per
   * chunk of groups, however many groups: members, one descriptive row per group, then the writes.
   */
  private async recomputeGroups(tx: SqlExecutor, groups: GroupRef[]): Promise<void> {
    for (const batch of chunks(groups, GROUP_CHUNK)) {
      const inGroups = (t = '') => `(${t}cluster_key, ${t}workload) IN (VALUES ${batch.map(() => '(?, ?)').join(', ')})`;
      const keys = batch.flatMap((g) => [g.clusterKey, g.workload]);
      // Only comparable results are pooled, flagged or ranked (METHODOLOGY §6.1).
      const memberRows = await tx.all<
        GroupRef & {
          resultId: string;
          idx: number;
          decodeTps: number | null;
          publicKey: string;
          hardwareClass: string;
          tpsPerW: number | null;
          energyMeter: string | null;
          bandwidthShare: number | null;
        }
      >(
        `SELECT wr.cluster_key AS "clusterKey", wr.workload, wr.result_id AS "resultId", wr.idx, wr.decode_tps AS "decodeTps",
         r.public_key AS "publicKey", wr.hardware_class AS "hardwareClass", wr.tps_per_w AS "tpsPerW", wr.energy_meter AS "energyMeter",
         wr.bandwidth_share AS "bandwidthShare" FROM workload_results wr JOIN results r ON r.id = wr.result_id
         WHERE ${inGroups('wr.')} AND wr.comparable = 1 AND wr.decode_tps IS NOT NULL AND ${NOT_WITHDRAWN}
         ORDER BY wr.seq, wr.idx`,
        keys,
      );
      // What a group is called on the pages: its latest comparable row, else its latest row.
      const samples = await tx.all<GroupRef & Record<string, SqlValue>>(batch.map(() => `SELECT * FROM (${SAMPLE_OF_GROUP}) AS s`).join(' UNION ALL '), keys);
      const key = (g: GroupRef) => `${g.clusterKey}\u0000${g.workload}`;
      type Member = { resultId: string; idx: number; decodeTps: number; publicKey: string; hardwareClass: string; tpsPerW: number | null; energyMeter: string | null; bandwidthShare: number | null };
      const members = new Map<string, Member[]>();
      for (const m of memberRows) {
        const list = members.get(key(m)) ?? [];
        list.push({
          resultId: m.resultId,
          idx: m.idx,
          decodeTps: m.decodeTps!,
          publicKey: m.publicKey,
          hardwareClass: m.hardwareClass,
          tpsPerW: numberOrNull(m.tpsPerW),
          energyMeter: m.energyMeter,
          bandwidthShare: numberOrNull(m.bandwidthShare),
        });
        members.set(key(m), list);
      }
      const sampleOf = new Map(samples.map((row) => [key(row), row]));
      const flags: SqlValue[][] = [];
      const clusterRows: SqlValue[][] = [];
      for (const group of batch) {
        const sample = sampleOf.get(key(group));
        if (!sample) continue;
        const list = members.get(key(group)) ?? [];
        const values = list.map((m) => m.decodeTps);
        // One key, one vote (outliers.ts): copies from one key cannot capture the median.
        const signers = list.map((m) => m.publicKey);
        const z = leaveOneOutZ(values, signers);
        const flagged = list.map((_, i) => isOutlier(z[i]!));
        const keyCount = new Set(signers).size;
        let flaggedCount = 0;
        let best: string | null = null;
        let bestValue = -Infinity;
        for (const [i, m] of list.entries()) {
          if (flagged[i]) {
            flaggedCount += 1;
            flags.push([group.clusterKey, group.workload, m.resultId, m.idx, z[i]!]);
          } else if (m.decodeTps > bestValue && implausibleOnHardware(m) === undefined) {
            bestValue = m.decodeTps;
            best = m.resultId;
          }
        }
        const stats = clusterStats(values, signers);
        // Efficiency from the runs that are not outliers, like the best run.
        const kept = list.filter((_, i) => !flagged[i]);
        const efficiency = groupEfficiency(kept);
        const bandwidth = plainMedian(kept.flatMap((m) => (m.bandwidthShare === null ? [] : [m.bandwidthShare])));
        clusterRows.push([
          group.clusterKey,
          group.workload,
          sample.suiteVersion!,
          sample.modelName!,
          sample.modelIdentifier!,
          sample.modelQuant ?? null,
          sample.modelDigest ?? null,
          sample.modelSlug!,
          sample.backend!,
          sample.engine!,
          sample.build!,
          sample.hardwareClass!,
          sample.hardwareSlug!,
          sample.acceleratorSummary!,
          stats.n,
          stats.min,
          stats.median,
          stats.max,
          stats.mean,
          flaggedCount,
          best,
          best === null ? null : bestValue,
          sample.setupKey!,
          keyCount,
          sample.hardwareLabel ?? sample.acceleratorSummary!,
          Number(sample.acceleratorUnused ?? 0),
          efficiency.tpsPerW,
          efficiency.meter,
          efficiency.runs,
          bandwidth,
        ]);
      }
      await tx.run(`DELETE FROM outlier_flags WHERE ${inGroups()}`, keys);
      for (const rows of chunks(flags, CHUNK)) {
        await tx.run(`INSERT INTO outlier_flags (cluster_key, workload, result_id, idx, z) VALUES ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, rows.flat());
      }
      if (clusterRows.length === 0) continue;
      await tx.run(
        `INSERT INTO clusters (cluster_key, workload, suite_version, model_name, model_identifier, model_quant, model_digest, model_slug,
         backend, engine, build, hardware_class, hardware_slug, accelerator_summary, n, min, median, max, mean, flagged_count, best_result_id,
         best_decode_tps, setup_key, keys, hardware_label, accelerator_unused, tps_per_w, energy_meter, energy_runs, bandwidth_share)
         VALUES ${clusterRows.map(() => `(${marks(30)})`).join(', ')}
         ON CONFLICT (cluster_key, workload) DO UPDATE SET n = excluded.n, min = excluded.min, median = excluded.median, max = excluded.max,
         mean = excluded.mean, flagged_count = excluded.flagged_count, best_result_id = excluded.best_result_id, best_decode_tps = excluded.best_decode_tps,
         keys = excluded.keys, tps_per_w = excluded.tps_per_w, energy_meter = excluded.energy_meter, energy_runs = excluded.energy_runs,
         bandwidth_share = excluded.bandwidth_share`,
        clusterRows.flat(),
      );
    }
  }
}
