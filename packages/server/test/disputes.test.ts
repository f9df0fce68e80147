import assert from 'node:assert/strict';
import { WITHDRAWN_MESSAGE } from '../src/index.js';
import { forEachBackend, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';

forEachBackend('server: disputes and withdrawal', () => {
  let server: TestServer;
  let id: string;
  before(async () => {
    server = await startTestServer({ adminToken: 'test-admin-token' });
    id = (await server.post('/v1/results', await signedToken(sampleRun()))).json.id;
  });
  after(async function () {
    // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
    this.timeout(120_000);
    await server.stop();
  });

  it('opens a public dispute thread and appends messages', async () => {
    const opened = await server.post(`/v1/results/${id}/disputes`, { message: 'decode 187 tok/s looks too high for this card' });
    assert.equal(opened.status, 201, opened.text);
    assert.equal(opened.json.resultId, id);
    const reply = await server.post(`/v1/disputes/${opened.json.id}/messages`, { message: 'reproduced at 185 tok/s' });
    assert.equal(reply.status, 201);
    assert.deepEqual(
      reply.json.messages.map((m: { body: string }) => m.body),
      ['decode 187 tok/s looks too high for this card', 'reproduced at 185 tok/s'],
    );
    assert.equal((await server.post(`/v1/results/${id}/disputes`, { message: '' })).status, 400);
    assert.equal((await server.post('/v1/disputes/999/messages', { message: 'x' })).status, 404);
    const page = (await server.get(`/r/${id}`)).text;
    assert.match(page, /reproduced at 185 tok\/s/);
    assert.match(page, /id="dispute-link"/);
  });

  it('withdraws only with the admin token; afterwards the page and the API answer 404 with the withdrawal text', async () => {
    assert.equal((await server.post(`/v1/results/${id}/withdraw`, { reason: 'not reproducible' })).status, 401);
    assert.equal((await server.post(`/v1/results/${id}/withdraw`, { reason: 'x' }, { authorization: 'Bearer wrong-token-xxxx' })).status, 401);
    assert.equal((await server.get(`/r/${id}`)).status, 200);

    const done = await server.post(`/v1/results/${id}/withdraw`, { reason: 'not reproducible' }, { authorization: 'Bearer test-admin-token' });
    assert.equal(done.status, 200, done.text);
    const page = await server.get(`/r/${id}`);
    assert.equal(page.status, 404);
    assert.match(page.text, new RegExp(WITHDRAWN_MESSAGE.replace('.', '\\.')));
    const api = await server.get(`/v1/results/${id}`);
    assert.equal(api.status, 404);
    assert.equal(JSON.parse(api.text).error, 'The result was withdrawn during a dispute.');
    assert.doesNotMatch((await server.get('/cheatsheet')).text, new RegExp(id));
    // Resubmitting the same bytes does not resurrect it: the measurement stays withdrawn (issue 24.3: 409 naming it).
    const again = await server.post('/v1/results', await signedToken(sampleRun()));
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.original, id);
    assert.equal((await server.get(`/v1/results/${id}`)).status, 404);
  });

  /**
   * Who may try: on SQLite anyone with the file (only the triggers stand in the way); on
   * PostgreSQL the app role the server runs as (refused by its grants) and the owner role that
   * migrates (refused by the triggers, and since issue 24 by its own revoked DELETE and TRUNCATE).
   */
  const attempts = (): Array<{ as: 'app' | 'owner'; refused: (words: RegExp) => RegExp }> =>
    server.backend === 'postgres'
      ? [
          { as: 'app', refused: () => /permission denied for table/ },
          { as: 'owner', refused: (words) => new RegExp(`${words.source}|permission denied for table`) },
        ]
      : [{ as: 'app', refused: (words) => words }];

  it('the stored result itself can never be updated, deleted or truncated', async () => {
    for (const { as, refused } of attempts()) {
      await assert.rejects(server.sql("UPDATE results SET json = '{}'", [], as), refused(/results are immutable/), as);
      await assert.rejects(server.sql('DELETE FROM results', [], as), refused(/results are immutable; withdraw instead/), as);
      if (server.backend === 'postgres') await assert.rejects(server.sql('TRUNCATE results CASCADE', [], as), refused(/results are immutable|withdrawals are immutable/), as);
    }
    assert.equal((await server.sql('SELECT id FROM results')).length, 1);
  });

  it('a withdrawal can never be undone at the database (insert-only, like results)', async () => {
    assert.ok((await server.sql('SELECT 1 AS one FROM withdrawals WHERE result_id = ?', [id])).length, 'the earlier test withdrew it');
    for (const { as, refused } of attempts()) {
      await assert.rejects(server.sql('DELETE FROM withdrawals', [], as), refused(/withdrawals are immutable/), as);
      await assert.rejects(server.sql("UPDATE withdrawals SET result_id = 'r_AAAAAAAAAAA'", [], as), refused(/withdrawals are immutable/), as);
      await assert.rejects(server.sql("UPDATE withdrawals SET reason = ''", [], as), refused(/withdrawals are immutable/), as);
      if (server.backend === 'postgres') {
        // An upsert that would rewrite the row is an UPDATE: the grant and the trigger both refuse it.
        await assert.rejects(
          server.sql("INSERT INTO withdrawals (result_id, withdrawn_at, reason) VALUES (?, 'x', 'y') ON CONFLICT (result_id) DO UPDATE SET reason = 'y'", [id], as),
          refused(/withdrawals are immutable/),
          as,
        );
        await assert.rejects(server.sql('TRUNCATE withdrawals', [], as), refused(/withdrawals are immutable/), as);
      } else {
        // REPLACE deletes without firing DELETE triggers: it has its own.
        await assert.rejects(server.sql("INSERT OR REPLACE INTO withdrawals (result_id, withdrawn_at, reason) VALUES (?, 'x', 'y')", [id]), /withdrawals are immutable/);
        await assert.rejects(server.sql('REPLACE INTO results SELECT * FROM results WHERE id = ?', [id]), /results are immutable/);
      }
    }
    assert.equal((await server.repository.get(id))!.withdrawn?.reason, 'not reproducible');
  });

  it('disputes and their messages can never be edited or deleted, not by the owner role either (issue 24.7)', async () => {
    const opened = await server.post(`/v1/results/${id}/disputes`, { message: 'cannot reproduce on the same card' });
    assert.equal(opened.status, 201, opened.text);
    const before = await server.dump();
    for (const { as, refused } of attempts()) {
      for (const [table, column] of [
        ['dispute_messages', 'body'],
        ['disputes', 'opened_at'],
      ] as const) {
        await assert.rejects(server.sql(`DELETE FROM ${table}`, [], as), refused(/insert-only/), `${as}: DELETE ${table}`);
        await assert.rejects(server.sql(`UPDATE ${table} SET ${column} = 'edited'`, [], as), refused(/insert-only/), `${as}: UPDATE ${table}`);
        if (server.backend === 'postgres') await assert.rejects(server.sql(`TRUNCATE ${table} CASCADE`, [], as), refused(/insert-only|immutable/), `${as}: TRUNCATE ${table}`);
        else await assert.rejects(server.sql(`REPLACE INTO ${table} SELECT * FROM ${table}`), /insert-only/, `REPLACE INTO ${table}`);
      }
    }
    assert.equal(await server.dump(), before, 'nothing changed');
  });

  it('refuses withdrawal when no admin token is configured', async () => {
    const previous = process.env.LLM_SPEED_ADMIN_TOKEN;
    delete process.env.LLM_SPEED_ADMIN_TOKEN;
    const other = await startTestServer();
    try {
      const rid = (await other.post('/v1/results', await signedToken(sampleRun()))).json.id;
      const res = await other.post(`/v1/results/${rid}/withdraw`, {}, { authorization: 'Bearer anything' });
      assert.equal(res.status, 403);
    } finally {
      if (previous !== undefined) process.env.LLM_SPEED_ADMIN_TOKEN = previous;
      await other.stop();
    }
  });
});
