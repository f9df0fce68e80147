/**
 * What PostgreSQL must guarantee beyond the shared suite (which runs on both backends): versioned
 * migrations run once however many processes start together, a database from a newer server is
 * refused, stale listings are re-derived by the owner and refused to the app role, the app role
 * holds no UPDATE/DELETE/TRUNCATE grant, identical submissions racing from two processes store
 * one row, and two ingests into one group at the same moment lose no flag.
 */
import assert from 'node:assert/strict';
import { signRun } from '@llm-speed/framework';
import { DERIVED_VERSION, MIGRATIONS, PostgresResultsRepository, SCHEMA_VERSION, toNewResult, type NewResult } from '../src/index.js';
import { forEachBackend, sampleResult, sampleRun, testKeys, runServerCli as cli, RANK_EVERY_GROUP } from './helpers.js';
import { APP_ROLE, createTestDatabase, queryAs, type TestDatabase } from './postgres.js';

async function record(i: number, decode: number, model = 'Qwen2.5-7B-Instruct'): Promise<NewResult> {
  const run = sampleRun(
    [sampleResult({ decode_tps: decode, model: { identifier: `org/${model}`, name: model, quant: 'Q4_K_M', digest: null } })],
    new Date(Date.UTC(2026, 10, 24, 10) + i * 1000).toISOString(),
  );
  return toNewResult(await signRun(run, await testKeys()), '2026-11-24T12:00:00.000Z');
}

forEachBackend(
  'server on PostgreSQL: migrations, roles and concurrency',
  () => {
    let db: TestDatabase;
    afterEach(async () => {
      await db?.drop();
    });

    describe('versioned migrations', () => {
      it('a fresh database: every migration once, the derived version and the app role recorded', async () => {
        db = await createTestDatabase({ migrate: false });
        const first = await cli(['migrate', '--db', db.ownerUrl, '--app-role', APP_ROLE, '--json']);
        assert.equal(first.code, 0, first.stderr);
        const report = JSON.parse(first.stdout);
        assert.deepEqual(
          report.applied,
          MIGRATIONS.map((m) => m.version),
        );
        assert.equal(report.rederived, true);
        assert.equal(report.schema_version, SCHEMA_VERSION);
        assert.equal(report.derived_version, DERIVED_VERSION);
        assert.equal(report.app_role, APP_ROLE);
        assert.ok(!first.stdout.includes(new URL(db.ownerUrl).password), 'the password is never printed');
        const appliedAt = await queryAs(db.ownerUrl, 'SELECT version, applied_at FROM schema_migrations ORDER BY version');
        // Again: nothing to do, nothing touched.
        const again = JSON.parse((await cli(['migrate', '--db', db.ownerUrl, '--json'])).stdout);
        assert.deepEqual(again.applied, []);
        assert.equal(again.rederived, false);
        assert.equal(again.app_role, APP_ROLE, 'the recorded app role is granted again');
        assert.deepEqual(await queryAs(db.ownerUrl, 'SELECT version, applied_at FROM schema_migrations ORDER BY version'), appliedAt);
      });

      it('several processes starting at once migrate it exactly once (advisory lock, one transaction)', async () => {
        db = await createTestDatabase({ migrate: false });
        const repos = await Promise.all([1, 2, 3, 4].map(() => PostgresResultsRepository.open(db.ownerUrl, { appRole: APP_ROLE, poolSize: 2 })));
        await Promise.all(repos.map((r) => r.close()));
        assert.deepEqual(
          await queryAs(db.ownerUrl, 'SELECT version FROM schema_migrations ORDER BY version'),
          MIGRATIONS.map((m) => ({ version: m.version })),
        );
      });

      it('the app role cannot migrate: a database behind is refused with the command that fixes it', async () => {
        db = await createTestDatabase({ migrate: false });
        await assert.rejects(PostgresResultsRepository.open(db.appUrl), /needs migrating \(schema 0 → \d+, derived 0 → \d+\).*llm-speed-server migrate --db <URL of the owner role>/);
        const refused = await cli(['migrate', '--db', db.appUrl]);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /llm-speed-server migrate: .*owner role/);
      });

      it('a database migrated by a newer server is refused, by the app role and by the owner', async () => {
        db = await createTestDatabase();
        await queryAs(db.ownerUrl, "INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
        for (const url of [db.appUrl, db.ownerUrl]) await assert.rejects(PostgresResultsRepository.open(url), /migrated by a newer llm-speed-server .*upgrade the server/);
      });

      it('listings derived under an older rule: refused to the app role, re-derived by the owner; signed results untouched', async () => {
        db = await createTestDatabase();
        const repo = await PostgresResultsRepository.open(db.appUrl);
        const records = [await record(0, 100), await record(1, 101), await record(2, 99), await record(3, 100.5), await record(4, 400)];
        for (const r of records) await repo.insert(r);
        await repo.close();
        // What an older server would have left: another version, and numbers of its own.
        await queryAs(db.ownerUrl, "UPDATE board_meta SET value = '0' WHERE key = 'derived_version'");
        await queryAs(db.ownerUrl, 'UPDATE clusters SET n = 999, best_result_id = NULL');
        await queryAs(db.ownerUrl, 'DELETE FROM outlier_flags');
        await assert.rejects(PostgresResultsRepository.open(db.appUrl), /needs migrating \(schema \d+ → \d+, derived 0 → \d+\)/);
        const migrated = await cli(['migrate', '--db', db.ownerUrl]);
        assert.equal(migrated.code, 0, migrated.stderr);
        assert.match(migrated.stdout, /listings re-derived/);
        const reopened = await PostgresResultsRepository.open(db.appUrl, { ranking: RANK_EVERY_GROUP });
        try {
          const [group] = await reopened.clustersByModel('qwen2-5-7b-instruct');
          assert.equal(group!.n, 5);
          assert.equal(group!.flaggedCount, 1);
          assert.equal(group!.bestResultId, records[1]!.id);
          for (const r of records) assert.equal((await reopened.get(r.id))!.json, r.json);
        } finally {
          await reopened.close();
        }
      });
    });

    describe('two roles', () => {
      it('the app role may read and insert the insert-only tables, and nothing else', async () => {
        db = await createTestDatabase();
        const grants = await queryAs<{ table_name: string; privileges: string }>(
          db.ownerUrl,
          `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) AS privileges FROM information_schema.role_table_grants
           WHERE grantee = $1 GROUP BY table_name ORDER BY table_name`,
          [APP_ROLE],
        );
        assert.deepEqual(Object.fromEntries(grants.map((g) => [g.table_name, g.privileges])), {
          board_meta: 'SELECT',
          clusters: 'DELETE,INSERT,SELECT,UPDATE',
          contributor_links: 'INSERT,SELECT',
          dispute_messages: 'INSERT,SELECT',
          disputes: 'INSERT,SELECT',
          outlier_flags: 'DELETE,INSERT,SELECT,UPDATE',
          payload_owners: 'INSERT,SELECT',
          results: 'INSERT,SELECT',
          schema_migrations: 'SELECT',
          withdrawals: 'INSERT,SELECT',
          workload_results: 'DELETE,INSERT,SELECT,UPDATE',
        });
        await assert.rejects(queryAs(db.appUrl, 'CREATE TABLE sneaky (x int)'), /permission denied for schema public/);
        await assert.rejects(queryAs(db.appUrl, 'ALTER TABLE results DISABLE TRIGGER results_no_update'), /must be owner of table results/);
        await assert.rejects(queryAs(db.appUrl, 'DROP TABLE withdrawals'), /must be owner of table withdrawals/);
      });

      it('a refused login or a missing database stops the server with a message that names neither password (exit 1)', async () => {
        db = await createTestDatabase();
        const wrong = new URL(db.appUrl);
        wrong.password = 'not-the-password';
        const missing = new URL(db.appUrl);
        missing.pathname = '/no_such_board';
        for (const [url, why] of [
          [wrong, /the password was refused \(28P01\)/],
          [missing, /the database does not exist \(3D000\)/],
        ] as const) {
          const refused = await cli(['--db', url.toString(), '--port', '0']);
          assert.equal(refused.code, 1);
          assert.match(refused.stderr, new RegExp(`could not open PostgreSQL ${APP_ROLE}@127\\.0\\.0\\.1:\\d+/`));
          assert.match(refused.stderr, why);
          assert.ok(!refused.stderr.includes(url.password) && !refused.stderr.includes(new URL(db.appUrl).password), refused.stderr);
        }
      });

      it('serving as the owner works, with a warning that only the triggers stand in the way', async () => {
        db = await createTestDatabase();
        const asOwner = await PostgresResultsRepository.open(db.ownerUrl);
        const asApp = await PostgresResultsRepository.open(db.appUrl);
        try {
          assert.match((await asOwner.privilegeWarning())!, /may UPDATE\/TRUNCATE results.*app role/);
          assert.equal(await asApp.privilegeWarning(), undefined);
        } finally {
          await asOwner.close();
          await asApp.close();
        }
      });
    });

    describe('concurrency between processes (two connection pools)', () => {
      let a: PostgresResultsRepository;
      let b: PostgresResultsRepository;
      beforeEach(async () => {
        db = await createTestDatabase();
        [a, b] = await Promise.all([PostgresResultsRepository.open(db.appUrl), PostgresResultsRepository.open(db.appUrl)]);
      });
      afterEach(async () => {
        await a?.close();
        await b?.close();
      });

      for (const recompute of [true, false]) {
        it(`identical submissions racing from two processes store one row and both get its id (${recompute ? 'with' : 'without'} the group lock)`, async () => {
          // Without the group lock nothing serialises the two transactions: the unique constraint alone decides.
          const rounds = await Promise.all(Array.from({ length: 12 }, (_, i) => record(i, 100 + i, `Model-${i}`)));
          const outcomes = await Promise.all(rounds.map((r) => Promise.all([a.insert(r, { recompute }), b.insert(r, { recompute })])));
          for (const [i, [x, y]] of outcomes.entries()) {
            assert.equal(x.id, rounds[i]!.id);
            assert.equal(y.id, rounds[i]!.id);
            assert.equal(Number(x.created) + Number(y.created), 1, `round ${i}: exactly one insert created the row`);
          }
          assert.equal(await a.count(), rounds.length);
          assert.equal((await queryAs<{ n: number }>(db.appUrl, 'SELECT count(*)::int AS n FROM workload_results'))[0]!.n, rounds.length);
        });
      }

      it('two ingests into one group at the same moment lose no flag: the fifth member completes the group for the outlier', async () => {
        // Per group: three ordinary runs stored, then a fourth ordinary one and an outlier at once,
        // from two processes. Each transaction alone sees four members (below the minimum of five);
        // only a recomputation that sees both flags the outlier.
        const groups = 8;
        for (let g = 0; g < groups; g++) for (const [i, v] of [100, 101, 99].entries()) await a.insert(await record(g * 10 + i, v, `Group-${g}`));
        const pairs = await Promise.all(Array.from({ length: groups }, async (_, g) => [await record(g * 10 + 5, 100.5, `Group-${g}`), await record(g * 10 + 6, 400, `Group-${g}`)] as const));
        await Promise.all(pairs.map(([ordinary, outlier], g) => (g % 2 ? Promise.all([a.insert(ordinary), b.insert(outlier)]) : Promise.all([b.insert(outlier), a.insert(ordinary)]))));
        for (const [g, [, outlier]] of pairs.entries()) {
          const [group] = await a.clustersByModel(`group-${g}`);
          assert.equal(group!.n, 5, `group ${g}`);
          assert.equal(group!.flaggedCount, 1, `group ${g}: the outlier is flagged`);
          assert.equal((await b.get(outlier.id))!.flagged.size, 1, `group ${g}`);
        }
      });
    });
  },
  ['postgres'],
);
