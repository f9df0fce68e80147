/**
 * Issue 24, finding 7: "A full disk or a revoked INSERT answers a generic 500." Now a failure of
 * the storage answers 503 with Retry-After and words naming it, the log says what happened, and
 * nothing half-stored is left: once the disk has room again (or the grant is back) the same
 * upload is stored. A full disk is SQLite's own limit on the file (PRAGMA max_page_count, the
 * SQLITE_FULL a full disk gives); the revoked INSERT is PostgreSQL's REVOKE, as the probe did it.
 */
import assert from 'node:assert/strict';
import { forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';
import { SqliteResultsRepository } from '../src/index.js';
import { APP_ROLE } from './postgres.js';

/** Runs `fn` with stderr captured. */
async function capturingStderr<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { value: await fn(), stderr: lines.join('') };
  } finally {
    process.stderr.write = write;
  }
}

forEachBackend('storage failures answer 503 and name their cause (issue 24.7)', (backend) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.stop());

  /** Makes the storage refuse writes, returns how to undo it. */
  async function breakStorage(): Promise<() => Promise<void>> {
    if (backend === 'sqlite') {
      const db = (server.repository as SqliteResultsRepository).db;
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      return async () => void db.pragma('max_page_count = 1073741823');
    }
    await server.sql(`REVOKE INSERT ON results FROM ${APP_ROLE}`, [], 'owner');
    return async () => void (await server.sql(`GRANT INSERT ON results TO ${APP_ROLE}`, [], 'owner'));
  }

  it(
    backend === 'sqlite'
      ? 'a full disk: 503 with Retry-After, the cause in the answer and the log; stored once there is room'
      : 'a revoked INSERT: 503 naming the permission, logged; stored once it is granted again',
    async () => {
      // A few runs first, so the file has pages in use and the limit bites on the next write.
      for (let i = 0; i < 3; i++) assert.equal((await server.post('/v1/results', await signedToken(sampleRun([sampleResult({ decode_tps: 120 + i })], `2026-12-01T00:0${i}:00.000Z`)))).status, 201);
      const repair = await breakStorage();
      // The file fills up: the pages it has take a few more runs, then a write needs a page it may not have.
      let stored = 3;
      let token = '';
      const { value: refused, stderr } = await capturingStderr(async () => {
        for (let i = 0; i < 400; i++) {
          token = await signedToken(sampleRun([sampleResult({ decode_tps: 150 + i / 100 })], new Date(Date.UTC(2026, 11, 1, 1, i)).toISOString()));
          const r = await fetch(`${server.url}/v1/results`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: token });
          const answer = { status: r.status, headers: r.headers, text: await r.text() };
          if (answer.status !== 201) return answer;
          stored += 1;
        }
        assert.fail('the storage never refused');
      });
      assert.equal(refused.status, 503, refused.text);
      const cause = backend === 'sqlite' ? /the disk holding the database is full/ : /the server's database role may not do this \(permission denied\)/;
      assert.match(JSON.parse(refused.text).error, new RegExp(`^the results database cannot be used right now: ${cause.source}.*nothing was stored`));
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.match(stderr, new RegExp(`llm-speed-server: storage unavailable \\(${cause.source}[^\\n]*\\): (SQLITE_FULL|42501) `));
      assert.doesNotMatch(stderr, /internal error| {4}at /, 'no stack for a known cause');
      assert.equal(await server.repository.count(), stored, 'nothing half-stored');
      await repair();
      const again = await server.post('/v1/results', token);
      assert.equal(again.status, 201, again.text);
      assert.equal(await server.repository.count(), stored + 1);
    },
  );
});
