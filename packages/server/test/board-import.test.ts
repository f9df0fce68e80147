/**
 * Issue 24, finding 2: `llm-speed-server import` checked only each row's id, hash and signature, so
 * a crafted export put onto an empty board a run with personal data, one at decode_tps 1e200 that
 * became its group's best, an interrupted run, a 600 KB run, non-canonical stored JSON, row columns
 * contradicting the signed JSON ("NVIDIA B200 x8 (lie)", received_at 9999), and a contributor link
 * naming "mallory" for someone else's key with no proof. Now every record goes through the POST's
 * checks; the file below holds each case, and the import stores nothing and names every one.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import { canonicalize, generateKeyPair, loginChallenge, publicKeyToBase64, signRun, type KeyPair, type RunPayload } from '@llm-speed/framework';
import { BOARD_FORMAT, resultIdFor, toNewResult, type BoardRecord } from '../src/index.js';
import { forEachBackend, runServerCli as cli, sampleResult, sampleRun, testKeys, type TestRepository } from './helpers.js';
import { createTestDatabase } from './postgres.js';

type ResultLine = Extract<BoardRecord, { type: 'result' }>;

/** A result line exactly as an honest export writes it. */
async function resultLine(run: RunPayload, keys: KeyPair, receivedAt = '2026-11-24T12:00:00.000Z'): Promise<ResultLine> {
  const r = toNewResult(await signRun(run, keys), receivedAt);
  return {
    type: 'result',
    id: r.id,
    content_hash: r.contentHash,
    json: r.json,
    public_key: r.publicKey,
    received_at: r.receivedAt,
    accelerator_summary: r.acceleratorSummary,
    fingerprint_hash: r.fingerprintHash,
    hardware_slug: r.hardwareSlug,
    anon: false,
  };
}

/** The same line with other JSON text, its hash and id made to match (what a forger does). */
function rehashed(line: ResultLine, json: string): ResultLine {
  const contentHash = createHash('sha256').update(json, 'utf8').digest('hex');
  return { ...line, json, content_hash: contentHash, id: resultIdFor(contentHash) };
}

async function proofBy(keys: KeyPair, deviceCode: string): Promise<string> {
  return Buffer.from(await ed.signAsync(new TextEncoder().encode(loginChallenge(deviceCode)), keys.secretKey)).toString('base64url');
}

function boardFile(records: BoardRecord[]): string {
  const counts = { result: 0, withdrawal: 0, dispute: 0, contributor_link: 0 };
  for (const r of records) counts[r.type] += 1;
  return [{ format: BOARD_FORMAT, version: 2, exported_at: '2026-12-04T00:00:00.000Z', source: 'sqlite' }, ...records, { end: true, counts }].map((l) => JSON.stringify(l)).join('\n') + '\n';
}

forEachBackend('llm-speed-server import is ingest (issue 24.2)', () => {
  let dir: string;
  let alice: KeyPair;
  let mallory: KeyPair;
  let target: TestRepository | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  before(async () => {
    alice = await testKeys();
    mallory = await generateKeyPair();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-import-'));
  });
  afterEach(async () => {
    await target?.close();
    await cleanup?.();
    target = undefined;
    cleanup = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A target board of this suite's backend: its --db for the CLI (the owner role on PostgreSQL) and a repository to look at it. */
  async function targetBoard(): Promise<{ db: string; open: () => Promise<TestRepository['repo']> }> {
    const { backend } = await import('./helpers.js');
    if (backend() === 'postgres') {
      const database = await createTestDatabase();
      cleanup = () => database.drop();
      const { PostgresResultsRepository } = await import('../src/index.js');
      return { db: database.ownerUrl, open: () => PostgresResultsRepository.open(database.appUrl) };
    }
    const file = join(dir, 'target.sqlite');
    const { SqliteResultsRepository } = await import('../src/index.js');
    return { db: file, open: () => SqliteResultsRepository.open(file) };
  }

  it("refuses a crafted file holding each of the probe's cases, naming every one, and stores nothing", async function () {
    this.timeout(120_000);
    const honest = await resultLine(sampleRun([sampleResult({ decode_tps: 150 })], '2026-11-24T10:00:00.000Z'), alice);
    const personal = await resultLine(sampleRun([sampleResult({ decode_tps: 151, error: 'failed at 10.0.0.5 on alice-pc.lan' })], '2026-11-24T10:01:00.000Z'), mallory);
    const huge = await resultLine(sampleRun([sampleResult({ decode_tps: 1e200 })], '2026-11-24T10:02:00.000Z'), mallory);
    const interrupted = await resultLine(
      sampleRun([sampleResult({ decode_tps: 152 }), sampleResult({ workload: 'agent-trace', flags: ['interrupted', 'no-output'], error: 'interrupted' })], '2026-11-24T10:03:00.000Z'),
      mallory,
    );
    const big = await resultLine(sampleRun([sampleResult({ decode_tps: 153, extras: { note: 'x'.repeat(600 * 1024) } })], '2026-11-24T10:04:00.000Z'), mallory);
    const spaced = await resultLine(sampleRun([sampleResult({ decode_tps: 154 })], '2026-11-24T10:05:00.000Z'), mallory);
    const nonCanonical = rehashed(spaced, JSON.stringify(JSON.parse(spaced.json), null, 1));
    const lying = { ...(await resultLine(sampleRun([sampleResult({ decode_tps: 155 })], '2026-11-24T10:06:00.000Z'), mallory)), accelerator_summary: 'NVIDIA B200 x8 (lie)' };
    const future = await resultLine(sampleRun([sampleResult({ decode_tps: 156 })], '2026-11-24T10:07:00.000Z'), mallory, '9999-12-31T00:00:00.000Z');
    const copy = await resultLine(sampleRun([sampleResult({ decode_tps: 150 })], '2026-11-24T10:00:00.000Z'), mallory);
    const aliceKey = publicKeyToBase64(alice.publicKey);
    const records: BoardRecord[] = [
      honest,
      personal,
      huge,
      interrupted,
      big,
      nonCanonical,
      lying,
      future,
      copy,
      { type: 'contributor_link', public_key: aliceKey, login: 'mallory', linked_at: '2026-11-24T09:00:00.000Z', device_code: null, proof: null },
      // A proof, but mallory's signature under alice's key.
      {
        type: 'contributor_link',
        public_key: publicKeyToBase64((await generateKeyPair()).publicKey),
        login: 'mallory',
        linked_at: '2026-11-24T09:00:00.000Z',
        device_code: 'dc-1',
        proof: await proofBy(mallory, 'dc-1'),
      },
    ];
    const file = join(dir, 'crafted.ndjson');
    writeFileSync(file, boardFile(records));
    const board = await targetBoard();
    const refused = await cli(['import', '--db', board.db, '--in', file]);
    assert.equal(refused.code, 1, refused.stdout);
    const expected: Array<[number, RegExp]> = [
      [3, /result r_\S+: refused by the privacy rules: results\[0\]\.error contains personal data \(ipv4\)/],
      [4, /result r_\S+: run does not match run\.schema\.json \(.*decode_tps/],
      [5, /result r_\S+: interrupted run refused \(agent-trace did not finish\)/],
      [6, /result r_\S+: its JSON is \d+ bytes, over the 262144 a submission may take/],
      [7, /result r_\S+: its JSON is not in canonical \(RFC 8785\) form/],
      [8, /result r_\S+: accelerator_summary "NVIDIA B200 x8 \(lie\)" contradicts the signed JSON/],
      [9, /result r_\S+: received_at 9999-12-31T00:00:00\.000Z is later than this import/],
      [11, /contributor link of "[^"]+" to "mallory": no login proof/],
      [12, /contributor link of "[^"]+" to "mallory": the login proof is not a valid signature by that key/],
      [10, new RegExp(`result ${copy.id}: a copy of ${honest.id} \\(the same measurement, stored earlier\\): one measurement, one owner`)],
    ];
    assert.match(refused.stderr, /nothing was imported\n10 records refused in all:/);
    for (const [line, reason] of expected) assert.match(refused.stderr, new RegExp(`line ${line}: ${reason.source}`), `line ${line}`);
    assert.doesNotMatch(refused.stderr, /line 2:/, 'the honest run is not refused, only not stored');

    const repo = await board.open();
    try {
      assert.equal(await repo.count(), 0, 'never half-applied');
      assert.deepEqual(await repo.leaderboard({}, 50), [], '1e200 is on no board');
      assert.equal(await repo.contributorOfResult(honest.id), undefined);
    } finally {
      await repo.close();
    }
  });

  it('imports an honest file: columns derived from the signed JSON, a proven link, a withdrawn copy from a board that predates ownership', async function () {
    this.timeout(120_000);
    const honest = await resultLine(sampleRun([sampleResult({ decode_tps: 150 })], '2026-11-24T10:00:00.000Z'), alice);
    const copy = await resultLine(sampleRun([sampleResult({ decode_tps: 150 })], '2026-11-24T10:00:00.000Z'), mallory, '2026-11-25T00:00:00.000Z');
    const records: BoardRecord[] = [
      honest,
      copy,
      { type: 'withdrawal', result_id: copy.id, withdrawn_at: '2026-12-01T00:00:00.000Z', reason: `a copy of ${honest.id}` },
      {
        type: 'contributor_link',
        public_key: publicKeyToBase64(alice.publicKey),
        login: 'alice-b',
        linked_at: '2026-11-24T09:00:00.000Z',
        device_code: 'dc-alice',
        proof: await proofBy(alice, 'dc-alice'),
      },
    ];
    const file = join(dir, 'honest.ndjson');
    writeFileSync(file, boardFile(records));
    const board = await targetBoard();
    const imported = await cli(['import', '--db', board.db, '--in', file, '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), { results: 2, withdrawals: 1, disputes: 0, messages: 0, contributorLinks: 1 });
    const repo = await board.open();
    try {
      assert.equal((await repo.get(honest.id))!.json, honest.json);
      assert.equal(await repo.contributorOfResult(honest.id), 'alice-b');
      // The owner stays the owner after the move: the copy's key still gets a conflict.
      const again = await repo.insert(toNewResult(await signRun(JSON.parse(copy.json) as RunPayload, mallory), '2026-12-04T00:00:00.000Z'));
      assert.deepEqual(again, { id: honest.id, created: false, conflict: 'another-key' });
      assert.equal(canonicalize(JSON.parse((await repo.get(honest.id))!.json)), honest.json);
    } finally {
      await repo.close();
    }
  });
});
