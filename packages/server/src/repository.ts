/**
 * Storage behind one small interface, implemented once over SQL for SQLite (the embedded
 * default) and PostgreSQL (several processes or machines, one board): sql-repository.ts.
 * Results are immutable: the only state change a result ever sees is withdrawal (METHODOLOGY §9).
 * Outlier flags and cluster statistics are derived data, recomputed from the stored results, and
 * only from comparable ones (METHODOLOGY §6.1).
 */
import type { ComparabilityCode } from '@llm-speed/framework';
import type { ClusterStats } from './outliers.js';
import type { RankingRule } from './ranking.js';

/** What ingest hands to storage: a verified, validated run plus the keys derived from it. */
export interface NewResult {
  id: string;
  /** sha256 hex of the canonical signed run: what the id is made from. */
  contentHash: string;
  /**
   * sha256 hex of the canonical payload with public_key and signature left out: the measurement
   * itself, whoever signed it. Its first signer owns it (METHODOLOGY §5, "one measurement, one owner").
   */
  payloadHash: string;
  /** The exact JSON text served by GET /v1/results/<id>. */
  json: string;
  publicKey: string;
  receivedAt: string;
  acceleratorSummary: string;
  fingerprintHash: string | null;
  hardwareSlug: string;
  /** Uploaded with X-LLM-Speed-Anon: 1 (PRIVACY §3 --anon): never linked to a contributor profile. */
  anon: boolean;
  workloads: NewWorkloadRow[];
}

/** What a stored workload row says of its result beyond its group: written at ingest, read back by every listing. */
export interface WorkloadRowFacts {
  /** Why it is not ranked, in words; empty when comparable. */
  notComparable: string[];
  /** The same, as the comparability rule's codes (index-aligned). */
  notComparableCodes: ComparabilityCode[];
  /** decode tok/s's 95 % interval (null: a single measurement, or none) and the repetitions behind it. */
  decodeCiLow: number | null;
  decodeCiHigh: number | null;
  decodeN: number;
  /** The result's flags as signed. */
  flags: string[];
  /** What it was measured on, in words (pages/hardware-label.ts): the summary with its core count, or "CPU of a machine with an H200 (…)". */
  hardwareLabel: string;
  /** The backend ran on the CPU of a machine with a GPU: never listed as that GPU's figure. */
  acceleratorUnused: boolean;
  /** Decode tokens per second per net watt, and the kind of meter it was measured by; null without a meter. */
  tpsPerW: number | null;
  energyMeter: string | null;
  /** Share of the device's peak memory bandwidth decode used; null when the shape or the device is unknown. */
  bandwidthShare: number | null;
}

/** One workload result's listing keys; its group and comparability are the framework's rule (workload-rows.ts). */
export interface NewWorkloadRow extends WorkloadRowFacts {
  workload: string;
  suiteVersion: string;
  modelName: string;
  modelIdentifier: string;
  modelQuant: string | null;
  modelDigest: string | null;
  modelSlug: string;
  backend: string;
  backendVersion: string;
  engine: string;
  build: string;
  hardwareClass: string;
  /** The comparable group (METHODOLOGY §6.1). */
  clusterKey: string;
  /** The group with the hardware class left open (framework setupKey): what hardware is compared by. */
  setupKey: string;
  decodeTps: number | null;
  /** False: stored and shown on its own page, but never ranked, pooled, flagged or a group's best run. */
  comparable: boolean;
}

export interface InsertOutcome {
  id: string;
  created: boolean;
  /**
   * Set when the measurement is already on the board and this submission may not add it: signed by
   * another key than its first signer's (`another-key`), or withdrawn (`withdrawn`). `id` is then
   * the original run's id and nothing was stored.
   */
  conflict?: 'another-key' | 'withdrawn';
}

export interface StoredResult {
  id: string;
  json: string;
  receivedAt: string;
  withdrawn: { at: string; reason: string } | null;
  /** Workload index → z-score of a flagged decode_tps. */
  flagged: Map<number, number>;
  /** Cluster statistics per workload index, for context on the run page. */
  clusters: Map<number, ClusterRow>;
  /** Workload index → why that workload is not comparable (absent when it is). */
  notComparable: Map<number, string[]>;
}

/**
 * One comparable group (suite version × workload × model × backend × engine × build × hardware
 * class) with the decode_tps spread of its comparable, non-withdrawn results.
 */
export interface ClusterRow extends ClusterStats {
  clusterKey: string;
  /** The same group on any hardware (framework setupKey). */
  setupKey: string;
  workload: string;
  suiteVersion: string;
  engine: string;
  build: string;
  modelName: string;
  modelIdentifier: string;
  modelQuant: string | null;
  modelDigest: string | null;
  modelSlug: string;
  backend: string;
  hardwareClass: string;
  hardwareSlug: string;
  acceleratorSummary: string;
  flaggedCount: number;
  /** The fastest comparable result that is not flagged as an outlier (nor implausible), and its decode tok/s; null while the group is not ranked. */
  bestResultId: string | null;
  bestDecodeTps: number | null;
  /** How many different keys signed the group's comparable runs. */
  keys: number;
  /** Whether the group holds enough evidence to be ranked under the board's rule (ranking.ts). */
  ranked: boolean;
  /** Why not, in words; null when ranked. */
  notRanked: string | null;
  /** The machine in words, with its core count (pages/hardware-label.ts). */
  hardwareLabel: string;
  /** A CPU build on a machine with a GPU: listed apart from the GPU's figures. */
  acceleratorUnused: boolean;
  /**
   * Median decode tok/s per watt over the group's runs measured with its most common kind of
   * meter (energy is compared only within one kind), that meter, and how many runs it is from.
   */
  tpsPerW: number | null;
  energyMeter: string | null;
  energyRuns: number;
  /** Median share of the memory bandwidth decode used, over the group's runs that have one. */
  bandwidthShare: number | null;
}

/** One workload result in a listing. */
export interface RunRow extends WorkloadRowFacts {
  resultId: string;
  receivedAt: string;
  workload: string;
  clusterKey: string;
  modelName: string;
  backend: string;
  backendVersion: string;
  acceleratorSummary: string;
  decodeTps: number | null;
  flaggedZ: number | null;
  comparable: boolean;
  /** Whether its group holds enough evidence to be ranked (a comparable run of an unranked group is listed as such). */
  groupRanked: boolean;
}

export interface Dispute {
  id: number;
  resultId: string;
  openedAt: string;
  messages: Array<{ id: number; postedAt: string; body: string }>;
}

/**
 * One of the runs a result's standing is counted against: the comparable runs of its setup (the
 * same suite version, workload, model, backend, engine and build on any hardware: framework
 * setupKey) in ranked groups, not flagged as outliers and not withdrawn, the result itself left out.
 * Its decode tok/s with the 95 % interval and repetitions behind it (no interval: a single measurement).
 */
export interface StandingPeer {
  decodeTps: number;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
}

/** One run's decode tok/s in a group, for the spread plots of /m and /hw (with its interval: error bars). */
export interface SpreadPoint {
  clusterKey: string;
  workload: string;
  resultId: string;
  decodeTps: number;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
  flagged: boolean;
}

/** The board's filters (each optional; values already validated against boardFacets). */
export interface LeaderboardFilters {
  workload?: string;
  suite?: string;
  backend?: string;
  build?: string;
}

/** One workload of the board: the fastest groups on local hardware, and on hosted APIs, apart. */
export interface LeaderboardSection {
  workload: string;
  local: ClusterRow[];
  hosted: ClusterRow[];
}

/**
 * One workload's most efficient groups measured by one kind of meter (energy is compared only
 * within one kind: METHODOLOGY §13.1), by the median decode tok/s per watt of their runs.
 */
export interface EfficiencySection {
  workload: string;
  meter: string;
  groups: ClusterRow[];
}

/** The values the board's filters may take: those some ranked group has. */
export interface BoardFacets {
  suites: string[];
  backends: string[];
  builds: string[];
}

export interface ContributorLink {
  publicKey: string;
  login: string;
  linkedAt: string;
}

/** What `llm-speed login` proved: an Ed25519 signature by the key over `llm-speed-login:<device_code>` (auth/proof.ts). */
export interface LoginProof {
  deviceCode: string;
  /** base64url, 64 bytes. */
  proof: string;
}

export interface ListOptions {
  limit: number;
}

/**
 * One line of a board file (`llm-speed-server export` / `import`, board-file.ts). A result carries
 * its stored row as is — above all `json`, the exact canonical text that was signed and is served —
 * and none of the derived tables: those are recomputed by the importing server.
 */
export type BoardRecord =
  | {
      type: 'result';
      id: string;
      content_hash: string;
      json: string;
      public_key: string;
      received_at: string;
      accelerator_summary: string;
      fingerprint_hash: string | null;
      hardware_slug: string;
      anon: boolean;
    }
  | { type: 'withdrawal'; result_id: string; withdrawn_at: string; reason: string }
  | { type: 'dispute'; id: number; result_id: string; opened_at: string; messages: Array<{ id: number; posted_at: string; body: string }> }
  | {
      type: 'contributor_link';
      public_key: string;
      login: string;
      linked_at: string;
      /** The login proof that made the link; null for links made before proofs were kept (an import refuses those). */
      device_code: string | null;
      proof: string | null;
    };

/**
 * What an import hands to storage once board-import.ts has checked a board file's record the way
 * ingest checks a POST: a result with every column derived from its signed JSON, and the other
 * records with their references and proofs checked.
 */
export type ImportRecord =
  | { type: 'result'; result: NewResult }
  | { type: 'withdrawal'; resultId: string; withdrawnAt: string; reason: string }
  | { type: 'dispute'; id: number; resultId: string; openedAt: string; messages: Array<{ id: number; postedAt: string; body: string }> }
  | { type: 'contributor_link'; publicKey: string; login: string; linkedAt: string; proof: LoginProof };

export interface ImportCounts {
  results: number;
  withdrawals: number;
  disputes: number;
  messages: number;
  contributorLinks: number;
}

/** Every method is async: SQLite answers at once, PostgreSQL over the network. */
export interface ResultsRepository {
  /** 'sqlite' or 'postgres'. */
  readonly dialect: string;
  /** The evidence a group needs to be ranked on this board (ranking.ts), applied when the board is read. */
  readonly ranking: RankingRule;
  /**
   * Stores a result unless its measurement (payloadHash) is already stored: by the same key and not
   * withdrawn → its id, created: false; by another key, or withdrawn → its id with `conflict`.
   */
  insert(result: NewResult, options?: { recompute?: boolean }): Promise<InsertOutcome>;
  /** Several results in one transaction (same semantics as insert, in order). */
  insertMany(results: NewResult[], options?: { recompute?: boolean }): Promise<InsertOutcome[]>;
  get(id: string): Promise<StoredResult | undefined>;
  count(): Promise<number>;
  /** Clusters and recent runs of one model (by slug) or hardware class (by slug). */
  clustersByModel(slug: string): Promise<ClusterRow[]>;
  clustersByHardware(slug: string): Promise<ClusterRow[]>;
  listByModel(slug: string, options: ListOptions): Promise<RunRow[]>;
  listByHardware(slug: string, options: ListOptions): Promise<RunRow[]>;
  /**
   * Per workload (in suite order), the groups ranked by their best run — the fastest comparable,
   * unflagged, non-withdrawn result — best first; hosted APIs (backend hosted-api or build remote)
   * in their own list. At most `limit` groups per list.
   */
  leaderboard(filters: LeaderboardFilters, limit: number): Promise<LeaderboardSection[]>;
  /**
   * Per workload (suite order) and kind of meter, the ranked groups on local hardware with an energy
   * figure, most tokens per second per watt first; at most `limit` per meter.
   */
  efficiencyBoard(filters: LeaderboardFilters, limit: number): Promise<EfficiencySection[]>;
  /** The suites, backends and builds of the ranked groups. */
  boardFacets(): Promise<BoardFacets>;
  /** The ranked groups of one setup (same model, backend, build… on any hardware), by median decode tok/s, best first. */
  setupGroups(setupKey: string): Promise<ClusterRow[]>;
  /** The runs a result's standing counts (StandingPeer): only runs of ranked groups. */
  setupPeers(setupKey: string, excludeResultId: string): Promise<StandingPeer[]>;
  /** The comparable, non-withdrawn run of a group whose decode tok/s is nearest `around` (its median), other than `excludeResultId`. */
  medianRun(group: { clusterKey: string; workload: string }, around: number, excludeResultId: string): Promise<string | undefined>;
  /** Every comparable, non-withdrawn run's decode tok/s in the given groups. */
  spread(groups: Array<{ clusterKey: string; workload: string }>): Promise<SpreadPoint[]>;
  /** Recomputes outlier flags and statistics of the given clusters (all clusters when omitted). */
  recompute(clusters?: Array<{ clusterKey: string; workload: string }>): Promise<void>;
  withdraw(id: string, reason: string, at: string): Promise<boolean>;
  openDispute(resultId: string, message: string, at: string): Promise<Dispute>;
  addDisputeMessage(disputeId: number, message: string, at: string): Promise<Dispute | undefined>;
  getDispute(id: number): Promise<Dispute | undefined>;
  disputesFor(resultId: string): Promise<Dispute[]>;
  /** Links a public key to a GitHub login (first link wins, rows are immutable); returns the key's link. */
  linkContributor(publicKey: string, login: string, at: string, proof?: LoginProof): Promise<ContributorLink>;
  /** The GitHub login linked to the key that signed a result; none for --anon uploads. */
  contributorOfResult(resultId: string): Promise<string | undefined>;
  /** Every stored row a board move carries, in storage order. */
  exportRecords(): AsyncIterable<BoardRecord>;
  /**
   * Stores checked records into this empty board in one transaction, then derives the listings. The
   * first result of each measurement owns it; a later copy (which the check lets in only withdrawn)
   * owns nothing. An error thrown by `records` — a refused record — rolls everything back.
   */
  importRecords(records: AsyncIterable<ImportRecord>): Promise<ImportCounts>;
  close(): Promise<void>;
}
