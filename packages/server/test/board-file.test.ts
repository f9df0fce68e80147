/**
 * Moving a board (issue 17): `llm-speed-server export` from SQLite, `import` into PostgreSQL, and
 * back. Every stored result must be served byte for byte as before (the canonical signed JSON),
 * withdrawals, disputes (with their ids) and contributor links kept, and the listings — derived
 * afresh by the importing server — render the same pages. A truncated, altered or foreign file,
 * or a target that is not empty, stores nothing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import { loginChallenge, publicKeyToBase64 } from '@llm-speed/framework';
import { createServer, resultIdFor, SqliteResultsRepository, type RunningServer } from '../src/index.js';
import { forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, testKeys, type TestServer, runServerCli as cli } from './helpers.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/** A result line rewritten with its hash and id made to match: only the signature can tell. */
function forge(line: string): string {
  if (!line.includes('\\"decode_tps\\":100.5')) return line;
  const record = JSON.parse(line);
  record.json = record.json.replace('"decode_tps":100.5', '"decode_tps":150.5');
  record.content_hash = createHash('sha256').update(record.json, 'utf8').digest('hex');
  record.id = resultIdFor(record.content_hash);
  return JSON.stringify(record);
}

/** The file without its header line (which carries the export time and the source engine). */
const body = (file: string) => readFileSync(file, 'utf8').split('\n').slice(1).join('\n');

async function page(server: { url: string }, path: string, accept?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(server.url + path, accept ? { headers: { accept } } : {});
  // Pages name their own server in absolute links (Open Graph, canonical, commands): the same board on another port.
  return { status: res.status, text: (await res.text()).replaceAll(server.url, '<this server>') };
}

forEachBackend(
  'llm-speed-server export / import: moving a board between engines',
  () => {
    let dir: string;
    let source: TestServer;
    let target: TestDatabase;
    let moved: RunningServer | undefined;
    const ids: string[] = [];
    const paths: string[] = [];

    before(async function () {
      this.timeout(120_000);
      dir = mkdtempSync(join(tmpdir(), 'llm-speed-board-'));
      source = await startTestServer({ adminToken: 'admin-token' }, 'sqlite');
      const post = async (run: ReturnType<typeof sampleRun>, headers: Record<string, string> = {}) => {
        const res = await source.post('/v1/results', await signedToken(run), headers);
        assert.equal(res.status, 201, res.text);
        ids.push(res.json.id);
        return res.json.id as string;
      };
      // A group with an outlier, a run that is not comparable, an --anon one, and strings that test byte-identity.
      for (const [i, v] of [100, 101, 99, 100.5, 100.2, 400].entries()) await post(sampleRun([sampleResult({ decode_tps: v })], `2026-11-24T10:0${i}:00.000Z`));
      await post(sampleRun([sampleResult({ decode_tps: 900, flags: ['quick'], output_tokens: 32 })], '2026-11-24T10:10:00.000Z'));
      await post(sampleRun([sampleResult({ decode_tps: 120 })], '2026-11-24T10:11:00.000Z'), { 'x-llm-speed-anon': '1' });
      const odd = sampleRun([sampleResult({ decode_tps: 77.125, model: { identifier: 'org/Qwen “β” <b>\u2028', name: 'Qwen “β” ☃ <b>', quant: 'Q4_K_M', digest: null } })], '2026-11-24T10:12:00.000Z');
      odd.fingerprint.accelerator_summary = 'GPU “ünïcödé” \\ "quoted"';
      await post(odd);
      // As `llm-speed login` makes a link: with the proof, which an import verifies again (issue 24.2).
      const proof = Buffer.from(await ed.signAsync(new TextEncoder().encode(loginChallenge('device-code-octocat')), (await testKeys()).secretKey)).toString('base64url');
      await source.repository.linkContributor(publicKeyToBase64((await testKeys()).publicKey), 'octocat', '2026-11-24T09:00:00.000Z', { deviceCode: 'device-code-octocat', proof });
      const d1 = await source.post(`/v1/results/${ids[5]}/disputes`, { message: 'decode 400 tok/s looks impossible' });
      await source.post(`/v1/disputes/${d1.json.id}/messages`, { message: 'reproduced at 101 — "400" was a typo?' });
      await source.post(`/v1/results/${ids[0]}/disputes`, { message: 'second thread' });
      const withdrawn = await source.post(`/v1/results/${ids[1]}/withdraw`, { reason: 'not reproducible' }, { authorization: 'Bearer admin-token' });
      assert.equal(withdrawn.status, 200);
      paths.push('/cheatsheet', '/m/qwen2-5-7b-instruct', '/m/qwen-b', '/hw/rtx-4090-24-gb-amd-ryzen-9-7950x3d-64-gb-ram', '/v1/disputes/1', '/v1/disputes/2');
      for (const id of ids) paths.push(`/r/${id}`, `/v1/results/${id}`, `/v1/results/${id}/disputes`);
    });
    after(async () => {
      await moved?.close();
      await source?.stop();
      await target?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('SQLite → PostgreSQL: every result byte-identical, disputes, withdrawals and links kept, listings derived afresh', async function () {
      this.timeout(120_000);
      const file = join(dir, 'from-sqlite.ndjson');
      const exported = await cli(['export', '--db', source.dbFile, '--out', file]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stderr, /exported 9 results, 1 withdrawals, 2 disputes, 1 contributor links/);
      target = await createTestDatabase();
      const imported = await cli(['import', '--db', target.ownerUrl, '--in', file, '--json']);
      assert.equal(imported.code, 0, imported.stderr);
      assert.deepEqual(JSON.parse(imported.stdout), { results: 9, withdrawals: 1, disputes: 2, messages: 3, contributorLinks: 1 });

      // A const for the checks below (narrowing the outer `let` inside the loops is circular for tsc);
      // `moved` keeps it for after(), which closes it whether or not they pass.
      const onTarget = await createServer({ db: target.appUrl, port: 0, log: () => {}, rateLimit: false });
      moved = onTarget;
      for (const path of paths) {
        for (const accept of [undefined, 'application/json']) {
          const [before, after] = await Promise.all([page(source, path, accept), page(onTarget, path, accept)]);
          assert.equal(after.status, before.status, path);
          assert.equal(after.text, before.text, `${path} differs after the move`);
        }
      }
      // The stored bytes themselves, not only what the pages make of them.
      for (const id of ids) {
        const [a, b] = [await source.repository.get(id), await onTarget.repository.get(id)];
        assert.equal(b!.json, a!.json);
        assert.equal(b!.receivedAt, a!.receivedAt);
      }
      assert.equal((await onTarget.repository.get(ids[1]!))!.withdrawn?.reason, 'not reproducible');
      assert.equal((await onTarget.repository.get(ids[5]!))!.flagged.size, 1, 'the outlier is flagged again by the importing server');
      assert.equal(await onTarget.repository.contributorOfResult(ids[0]!), 'octocat');
      assert.equal(await onTarget.repository.contributorOfResult(ids[7]!), undefined, "the --anon run is still nobody's");
      // Dispute ids are in URLs: kept, and new ones continue after them.
      const next = await onTarget.repository.openDispute(ids[2]!, 'a new thread after the move', '2026-11-25T00:00:00.000Z');
      assert.equal(next.id, 3);

      // Exported again from PostgreSQL: the same file, line for line (but the new dispute).
      const again = join(dir, 'from-postgres.ndjson');
      const reexported = await cli(['export', '--db', target.appUrl, '--out', again]);
      assert.equal(reexported.code, 0, reexported.stderr);
      const lines = body(again)
        .split('\n')
        .filter((l) => !l.includes('a new thread after the move'));
      assert.equal(lines.join('\n').replace('"dispute":3', '"dispute":2'), body(file));
    });

    it('PostgreSQL → SQLite: the round trip gives back the original file', async function () {
      this.timeout(60_000);
      const fromPostgres = join(dir, 'round.ndjson');
      assert.equal((await cli(['export', '--db', target.appUrl, '--out', fromPostgres])).code, 0);
      const back = join(dir, 'back.sqlite');
      const imported = await cli(['import', '--db', back, '--in', fromPostgres]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout, /imported 9 results, 1 withdrawals, 3 disputes \(4 messages\), 1 contributor links/);
      const repo = await SqliteResultsRepository.open(back);
      try {
        for (const id of ids) assert.equal((await repo.get(id))!.json, (await source.repository.get(id))!.json);
        assert.equal((await repo.openDispute(ids[0]!, 'next', '2026-11-26T00:00:00.000Z')).id, 4);
      } finally {
        await repo.close();
      }
    });

    it('stores nothing from a truncated, altered or foreign file, nor into a board that is not empty', async function () {
      this.timeout(60_000);
      const good = readFileSync(join(dir, 'from-sqlite.ndjson'), 'utf8').trimEnd().split('\n');
      const cases: Array<[string, string, RegExp]> = [
        ['truncated', good.slice(0, -2).join('\n') + '\n', /ends at line \d+ without its end line: it was truncated/],
        ['altered', good.map((l) => l.replace('\\"decode_tps\\":100.5', '\\"decode_tps\\":100.6')).join('\n'), /does not hash to its content hash and id/],
        ['miscounted', good.map((l, i) => (i === good.length - 1 ? l.replace('"result":9', '"result":8') : l)).join('\n'), /declares 8 result records, the file holds 9/],
        ['forged', good.map(forge).join('\n'), /signature does not verify.*nothing was imported/],
        ['foreign', '{"hello":"world"}\n', /not an llm-speed board file/],
        ['empty', '', /empty/],
      ];
      for (const [name, text, message] of cases) {
        const file = join(dir, `${name}.ndjson`);
        writeFileSync(file, text);
        const sqlite = join(dir, `${name}.sqlite`);
        const refused = await cli(['import', '--db', sqlite, '--in', file]);
        assert.equal(refused.code, 1, name);
        assert.match(refused.stderr, message, name);
        const repo = await SqliteResultsRepository.open(sqlite);
        assert.equal(await repo.count(), 0, `${name}: nothing stored`);
        await repo.close();
      }
      const into = await cli(['import', '--db', target.ownerUrl, '--in', join(dir, 'from-sqlite.ndjson')]);
      assert.equal(into.code, 1);
      assert.match(into.stderr, /the target board is not empty/);
      const asApp = await createTestDatabase();
      try {
        const refused = await cli(['import', '--db', asApp.appUrl, '--in', join(dir, 'from-sqlite.ndjson')]);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /import with the URL of the owner role.*nothing was imported/);
        assert.equal((await cli(['export', '--db', asApp.appUrl])).code, 0, 'an empty board exports');
      } finally {
        await asApp.drop();
      }
    });
  },
  ['postgres'],
);
