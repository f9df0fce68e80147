/**
 * A SQLite database written by the server before comparable groups (derived layout 0: clusters of
 * model × backend × hardware over every result) still opens: its derived tables are rebuilt from
 * the stored signed JSON under the current rule, and the signed results are left as they were.
 * SQLite-only (its user_version and file layout); PostgreSQL's versioned migrations and
 * re-derivation are tested in postgres.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { signRun, type MeasuredResult } from '@llm-speed/framework';
import { SqliteResultsRepository, toNewResult, type NewResult } from '../src/index.js';
import { DERIVED_VERSION } from '../src/sqlite-repository.js';
import { sampleResult, sampleRun, testKeys, RANK_EVERY_GROUP } from './helpers.js';

/** The tables as the server wrote them before DERIVED_VERSION existed (user_version 0). */
const LAYOUT_0 = `
CREATE TABLE results (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL UNIQUE, json TEXT NOT NULL,
  public_key TEXT NOT NULL, received_at TEXT NOT NULL, accelerator_summary TEXT NOT NULL, fingerprint_hash TEXT,
  hardware_slug TEXT NOT NULL, anon INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER results_no_update BEFORE UPDATE ON results BEGIN SELECT RAISE(ABORT, 'results are immutable'); END;
CREATE TRIGGER results_no_delete BEFORE DELETE ON results BEGIN SELECT RAISE(ABORT, 'results are immutable; withdraw instead'); END;
CREATE TABLE workload_results (
  seq INTEGER NOT NULL, result_id TEXT NOT NULL REFERENCES results(id), idx INTEGER NOT NULL, workload TEXT NOT NULL,
  model_name TEXT NOT NULL, model_identifier TEXT NOT NULL, model_quant TEXT, model_digest TEXT, model_slug TEXT NOT NULL,
  backend TEXT NOT NULL, backend_version TEXT NOT NULL, hardware_class TEXT NOT NULL, hardware_slug TEXT NOT NULL,
  accelerator_summary TEXT NOT NULL, cluster_key TEXT NOT NULL, decode_tps REAL, PRIMARY KEY (result_id, idx)
);
CREATE INDEX wr_cluster ON workload_results (cluster_key, workload);
CREATE TABLE outlier_flags (cluster_key TEXT NOT NULL, workload TEXT NOT NULL, result_id TEXT NOT NULL, idx INTEGER NOT NULL, z REAL NOT NULL, PRIMARY KEY (result_id, idx));
CREATE TABLE clusters (
  cluster_key TEXT NOT NULL, workload TEXT NOT NULL, model_name TEXT NOT NULL, model_identifier TEXT NOT NULL, model_quant TEXT,
  model_digest TEXT, model_slug TEXT NOT NULL, backend TEXT NOT NULL, hardware_class TEXT NOT NULL, hardware_slug TEXT NOT NULL,
  accelerator_summary TEXT NOT NULL, n INTEGER NOT NULL, min REAL, median REAL, max REAL, mean REAL, flagged_count INTEGER NOT NULL,
  best_result_id TEXT, PRIMARY KEY (cluster_key, workload)
);
CREATE INDEX cl_rank ON clusters (workload, median DESC);
`;

describe('server: opening a SQLite database from before comparable groups', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function record(minute: number, result: Partial<MeasuredResult>): Promise<NewResult> {
    const run = sampleRun([sampleResult(result)], `2026-11-24T10:${String(minute).padStart(2, '0')}:00.000Z`);
    return toNewResult(await signRun(run, await testKeys()), '2026-11-24T12:00:00.000Z');
  }

  /** What the old server stored: the results, and one (model × backend × hardware) cluster pooling them all. */
  function writeLayout0(file: string, records: NewResult[]): void {
    const db = new Database(file);
    db.exec(LAYOUT_0);
    const insert = db.prepare(`INSERT INTO results (id, content_hash, json, public_key, received_at, accelerator_summary, fingerprint_hash, hardware_slug, anon)
      VALUES (@id, @contentHash, @json, @publicKey, @receivedAt, @acceleratorSummary, @fingerprintHash, @hardwareSlug, 0)`);
    const row = db.prepare(`INSERT INTO workload_results VALUES (?, ?, 0, 'chat-short', 'Qwen2.5-7B-Instruct', 'x', 'Q4_K_M', NULL, 'qwen2-5-7b-instruct',
      'llama.cpp', '7410', 'a1b2c3d4e5f60708', 'rtx', 'RTX', 'oldkey', ?)`);
    for (const r of records) {
      const { lastInsertRowid } = insert.run(r);
      row.run(lastInsertRowid, r.id, r.workloads[0]!.decodeTps);
    }
    const values = records.map((r) => r.workloads[0]!.decodeTps!);
    db.prepare(
      `INSERT INTO clusters VALUES ('oldkey', 'chat-short', 'Qwen2.5-7B-Instruct', 'x', 'Q4_K_M', NULL, 'qwen2-5-7b-instruct', 'llama.cpp',
      'a1b2c3d4e5f60708', 'rtx', 'RTX', ?, ?, ?, ?, ?, 0, ?)`,
    ).run(values.length, Math.min(...values), 0, Math.max(...values), 0, records[records.length - 1]!.id);
    db.close();
  }

  it('re-derives groups under the current rule, keeps every signed result, and records the version', async () => {
    const file = join(dir, 'old.sqlite');
    const full = [await record(0, { decode_tps: 100 }), await record(1, { decode_tps: 102 })];
    const quick = await record(2, { decode_tps: 900, flags: ['quick'], output_tokens: 32 });
    const interrupted = await record(3, { decode_tps: 910, error: 'interrupted', output_tokens: 288 });
    writeLayout0(file, [...full, quick, interrupted]);

    const repo = await SqliteResultsRepository.open(file, { ranking: RANK_EVERY_GROUP });
    try {
      const groups = await repo.clustersByModel('qwen2-5-7b-instruct');
      assert.equal(groups.length, 1);
      assert.equal(groups[0]!.n, 2, 'the quick and the interrupted run no longer pool');
      assert.equal(groups[0]!.max, 102);
      assert.equal(groups[0]!.bestResultId, full[1]!.id);
      assert.equal(groups[0]!.clusterKey, full[0]!.workloads[0]!.clusterKey, 'the current key, not the old one');
      for (const r of [...full, quick, interrupted]) assert.equal((await repo.get(r.id))!.json, r.json, 'signed results untouched');
      assert.match((await repo.get(interrupted.id))!.notComparable.get(0)!.join(), /interrupted run/);
      assert.equal(await repo.count(), 4);
      // New results go into the new layout.
      await repo.insert(await record(4, { decode_tps: 101 }));
      assert.equal((await repo.clustersByModel('qwen2-5-7b-instruct'))[0]!.n, 3);
    } finally {
      await repo.close();
    }
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), DERIVED_VERSION);
    db.close();

    // Opened again: nothing to re-derive, the data is as left.
    const again = await SqliteResultsRepository.open(file, { ranking: RANK_EVERY_GROUP });
    assert.equal((await again.clustersByModel('qwen2-5-7b-instruct'))[0]!.n, 3);
    await again.close();
  });

  it('refuses, with a clear message, a database derived by a newer server', async () => {
    const file = join(dir, 'newer.sqlite');
    const db = new Database(file);
    db.pragma(`user_version = ${DERIVED_VERSION + 1}`);
    db.close();
    await assert.rejects(SqliteResultsRepository.open(file), /derived by a newer llm-speed-server .*upgrade the server/);
  });
});
