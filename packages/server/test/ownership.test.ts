/**
 * Issue 24, finding 3: "Anyone can claim anyone's run." Re-signing a published payload under
 * another key stored it under a new id (and, linked through login, "contributed by mallory"); a
 * withdrawn run came back the same way. Now the first signer owns the measurement — the canonical
 * payload with public_key and signature left out — for good: another key gets 409 naming the
 * original, and a withdrawn measurement comes back under no key. Boards from before get their
 * owners on open/migrate, and the later copies are withdrawn saying whose copy they are.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateKeyPair, signRun, toCompactJws, type KeyPair, type RunPayload } from '@llm-speed/framework';
import { MIGRATIONS, PostgresResultsRepository, SqliteResultsRepository, toNewResult } from '../src/index.js';
import { forEachBackend, runServerCli as cli, sampleResult, sampleRun, startTestServer, testKeys, type TestServer } from './helpers.js';
import { APP_ROLE, createTestDatabase, queryAs, type TestDatabase } from './postgres.js';

const ADMIN = 'ownership-admin-token';

function unsigned(run: RunPayload): RunPayload {
  const { signature: _s, public_key: _k, ...rest } = run;
  return rest;
}

forEachBackend('one measurement, one owner (issue 24.3)', () => {
  let server: TestServer;
  let alice: KeyPair;
  let mallory: KeyPair;
  beforeEach(async () => {
    server = await startTestServer({ adminToken: ADMIN });
    alice = await testKeys();
    mallory = await generateKeyPair();
  });
  afterEach(() => server.stop());

  it('another key re-signing a published run gets 409 naming the original; nothing is stored, nobody else is credited', async () => {
    const run = sampleRun([sampleResult({ decode_tps: 151.5 })]);
    const original = await signRun(run, alice);
    const first = await server.post('/v1/results', toCompactJws(original));
    assert.equal(first.status, 201, first.text);
    await server.repository.linkContributor(Buffer.from(mallory.publicKey).toString('base64'), 'mallory', '2026-12-04T00:00:00.000Z');

    // The published JSON, fetched and re-signed by mallory, in both upload forms.
    const published = JSON.parse((await server.get(`/v1/results/${first.json.id}`)).text) as RunPayload;
    const copy = await signRun(unsigned(published), mallory);
    for (const body of [toCompactJws(copy), copy]) {
      const res = await server.post('/v1/results', body);
      assert.equal(res.status, 409, res.text);
      assert.equal(res.json.original, first.json.id);
      assert.match(res.json.error, new RegExp(`already on the board as ${first.json.id}, signed first by another key: one measurement, one owner`));
    }
    assert.equal(await server.repository.count(), 1);
    assert.doesNotMatch((await server.get(`/r/${first.json.id}`)).text, /mallory/);
    // Its owner submitting it again is the same run again: 200 with its id.
    const again = await server.post('/v1/results', original);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.id, first.json.id);
  });

  it('a withdrawn run comes back under no key: not re-signed, not re-posted by its owner, not re-spaced', async () => {
    const original = await signRun(sampleRun([sampleResult({ decode_tps: 152.5 })]), alice);
    const { id } = (await server.post('/v1/results', toCompactJws(original))).json;
    assert.equal((await server.post(`/v1/results/${id}/withdraw`, { reason: 'not reproducible' }, { authorization: `Bearer ${ADMIN}` })).status, 200);

    const reSigned = await signRun(unsigned(original), mallory);
    // The owner's own JSON with other spacing, and with its members in another order: the same payload.
    const reSpaced = JSON.stringify(original, null, 2);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(original).reverse()));
    for (const [what, body, kind] of [
      ['re-signed by another key', toCompactJws(reSigned), /signed first by another key/],
      ['the same bytes by its owner', toCompactJws(original), /was withdrawn as/],
      ['re-spaced JSON by its owner', reSpaced, /was withdrawn as/],
      ['re-ordered JSON by its owner', reordered, /was withdrawn as/],
    ] as const) {
      const res = await server.post('/v1/results', body, { 'content-type': body.startsWith('{') ? 'application/json' : 'application/jose' });
      assert.equal(res.status, 409, `${what}: ${res.text}`);
      assert.equal(res.json.original, id, what);
      assert.match(res.json.error, kind, what);
    }
    // A re-spaced header is no way round either: it is refused before anything else.
    const [h, p, s] = toCompactJws(original).split('.') as [string, string, string];
    const spaced = Buffer.from(Buffer.from(h, 'base64url').toString('utf8').replace(/,/g, ', ')).toString('base64url');
    assert.equal((await server.post('/v1/results', `${spaced}.${p}.${s}`)).status, 400);
    assert.equal(await server.repository.count(), 1);
    assert.equal((await server.get(`/v1/results/${id}`)).status, 404);
  });
});

forEachBackend(
  'one measurement, one owner: two processes at once',
  () => {
    let db: TestDatabase;
    afterEach(async () => db?.drop());

    it('two keys posting the same payload from two processes at once: exactly one owner, the other a conflict', async () => {
      db = await createTestDatabase();
      const [a, b] = await Promise.all([PostgresResultsRepository.open(db.appUrl), PostgresResultsRepository.open(db.appUrl)]);
      try {
        const other = await generateKeyPair();
        for (let round = 0; round < 8; round++) {
          const run = sampleRun([sampleResult({ decode_tps: 140 + round })], new Date(Date.UTC(2026, 11, 4, 10, round)).toISOString());
          const [mine, theirs] = [toNewResult(await signRun(run, await testKeys()), '2026-12-04T12:00:00.000Z'), toNewResult(await signRun(run, other), '2026-12-04T12:00:00.000Z')];
          const outcomes = await Promise.all(round % 2 ? [a.insert(mine), b.insert(theirs)] : [b.insert(theirs), a.insert(mine)]);
          assert.equal(outcomes.filter((o) => o.created).length, 1, `round ${round}: one owner`);
          const loser = outcomes.find((o) => !o.created)!;
          assert.equal(loser.conflict, 'another-key');
          assert.equal(loser.id, outcomes.find((o) => o.created)!.id, 'the conflict names the owner');
        }
        assert.equal(await a.count(), 8);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('a board from before ownership (schema 1): migrate gives each measurement its first run, withdraws the later copies', async () => {
      db = await createTestDatabase({ migrate: false });
      await queryAs(db.ownerUrl, 'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      await queryAs(db.ownerUrl, 'CREATE TABLE board_meta (key text PRIMARY KEY, value text NOT NULL)');
      await queryAs(db.ownerUrl, MIGRATIONS[0]!.sql);
      await queryAs(db.ownerUrl, 'INSERT INTO schema_migrations (version, name) VALUES (1, $1)', [MIGRATIONS[0]!.name]);
      const run = sampleRun([sampleResult({ decode_tps: 160 })]);
      const rows = [toNewResult(await signRun(run, await testKeys()), '2026-12-01T00:00:00.000Z'), toNewResult(await signRun(run, await generateKeyPair()), '2026-12-02T00:00:00.000Z')];
      for (const r of rows) {
        await queryAs(
          db.ownerUrl,
          'INSERT INTO results (id, content_hash, json, public_key, received_at, accelerator_summary, fingerprint_hash, hardware_slug, anon) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)',
          [r.id, r.contentHash, r.json, r.publicKey, r.receivedAt, r.acceleratorSummary, r.fingerprintHash, r.hardwareSlug],
        );
      }
      const migrated = await cli(['migrate', '--db', db.ownerUrl, '--app-role', APP_ROLE, '--json']);
      assert.equal(migrated.code, 0, migrated.stderr);
      assert.deepEqual(
        JSON.parse(migrated.stdout).applied,
        MIGRATIONS.slice(1).map((m) => m.version),
      );
      assert.deepEqual(await queryAs(db.ownerUrl, 'SELECT payload_hash, result_id FROM payload_owners'), [{ payload_hash: rows[0]!.payloadHash, result_id: rows[0]!.id }]);
      const [withdrawal] = await queryAs<{ result_id: string; reason: string }>(db.ownerUrl, 'SELECT result_id, reason FROM withdrawals');
      assert.equal(withdrawal!.result_id, rows[1]!.id);
      assert.match(withdrawal!.reason, new RegExp(`a copy of ${rows[0]!.id}`));
      const repo = await PostgresResultsRepository.open(db.appUrl);
      try {
        assert.equal((await repo.clustersByModel('qwen2-5-7b-instruct'))[0]!.n, 1, 'the copy no longer counts');
      } finally {
        await repo.close();
      }
    });
  },
  ['postgres'],
);

describe('one measurement, one owner: a SQLite file from before ownership', () => {
  it('opening it gives each measurement its first run and withdraws the later copies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-speed-owners-'));
    try {
      const file = join(dir, 'old.sqlite');
      const run = sampleRun([sampleResult({ decode_tps: 170 })]);
      const rows = [toNewResult(await signRun(run, await testKeys()), '2026-12-01T00:00:00.000Z'), toNewResult(await signRun(run, await generateKeyPair()), '2026-12-02T00:00:00.000Z')];
      await (await SqliteResultsRepository.open(file)).close();
      // As a server from before ownership left it: no payload_owners table, both copies stored.
      const db = new Database(file);
      db.exec('DROP TABLE payload_owners');
      const insert = db.prepare(`INSERT INTO results (id, content_hash, json, public_key, received_at, accelerator_summary, fingerprint_hash, hardware_slug, anon)
        VALUES (@id, @contentHash, @json, @publicKey, @receivedAt, @acceleratorSummary, @fingerprintHash, @hardwareSlug, 0)`);
      for (const r of rows) insert.run(r);
      db.close();

      const repo = await SqliteResultsRepository.open(file);
      try {
        assert.equal((await repo.get(rows[0]!.id))!.withdrawn, null);
        assert.match((await repo.get(rows[1]!.id))!.withdrawn!.reason, new RegExp(`a copy of ${rows[0]!.id}`));
        assert.equal((await repo.clustersByModel('qwen2-5-7b-instruct'))[0]!.n, 1);
        const again = await repo.insert(toNewResult(await signRun(run, await generateKeyPair()), '2026-12-05T00:00:00.000Z'));
        assert.deepEqual(again, { id: rows[0]!.id, created: false, conflict: 'another-key' });
      } finally {
        await repo.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
