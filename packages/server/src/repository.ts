/**
 * Storage behind one small interface so a Postgres implementation can follow the SQLite one.
 * Results are immutable: the only state change a result ever sees is withdrawal (METHODOLOGY §9).
 * Outlier flags and cluster statistics are derived data, recomputed from the stored results, and
 * only from comparable ones (METHODOLOGY §6.1).
 */
import type { ClusterStats } from './outliers.js';

/** What ingest hands to storage: a verified, validated run plus the keys derived from it. */
export interface NewResult {
  id: string;
  /** sha256 hex of the canonical signed run: the idempotency key. */
  contentHash: string;
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

/** One workload result's listing keys; its group and comparability are the framework's rule (workload-rows.ts). */
export interface NewWorkloadRow {
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
  decodeTps: number | null;
  /** False: stored and shown on its own page, but never ranked, pooled, flagged or a group's best run. */
  comparable: boolean;
  /** Why not, in words; empty when comparable. */
  notComparable: string[];
}

export interface InsertOutcome {
  id: string;
  created: boolean;
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
  /** The fastest comparable result that is not flagged as an outlier. */
  bestResultId: string | null;
}

/** One workload result in a listing. */
export interface RunRow {
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
  /** Why it is not ranked, in words; empty when comparable. */
  notComparable: string[];
}

export interface Dispute {
  id: number;
  resultId: string;
  openedAt: string;
  messages: Array<{ id: number; postedAt: string; body: string }>;
}

export interface ContributorLink {
  publicKey: string;
  login: string;
  linkedAt: string;
}

export interface ListOptions {
  limit: number;
}

export interface ResultsRepository {
  /** Stores a result unless identical content is already stored (then returns its id, created: false). */
  insert(result: NewResult, options?: { recompute?: boolean }): InsertOutcome;
  /** Several results in one transaction (same semantics as insert, in order). */
  insertMany(results: NewResult[], options?: { recompute?: boolean }): InsertOutcome[];
  get(id: string): StoredResult | undefined;
  count(): number;
  /** Clusters and recent runs of one model (by slug) or hardware class (by slug). */
  clustersByModel(slug: string): ClusterRow[];
  clustersByHardware(slug: string): ClusterRow[];
  listByModel(slug: string, options: ListOptions): RunRow[];
  listByHardware(slug: string, options: ListOptions): RunRow[];
  /** Per workload, clusters ranked by the median decode_tps of their comparable results (best first). */
  cheatsheet(limitPerWorkload: number): Map<string, ClusterRow[]>;
  /** Recomputes outlier flags and statistics of the given clusters (all clusters when omitted). */
  recompute(clusters?: Array<{ clusterKey: string; workload: string }>): void;
  withdraw(id: string, reason: string, at: string): boolean;
  openDispute(resultId: string, message: string, at: string): Dispute;
  addDisputeMessage(disputeId: number, message: string, at: string): Dispute | undefined;
  getDispute(id: number): Dispute | undefined;
  disputesFor(resultId: string): Dispute[];
  /** Links a public key to a GitHub login (first link wins, rows are immutable); returns the key's link. */
  linkContributor(publicKey: string, login: string, at: string): ContributorLink;
  /** The GitHub login linked to the key that signed a result; none for --anon uploads. */
  contributorOfResult(resultId: string): string | undefined;
  close(): void;
}
