/**
 * End to end across the whole system: a real results server on 127.0.0.1 with a fresh database
 * (SQLite, then PostgreSQL), `llm-speed bench --quick` on the embedded default uploading to it, the
 * permalink fetched, and `llm-speed verify-run <url>` checking the stored signature.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { request } from 'undici';
// The CLI sandbox helper is the CLI package's: the real `llm-speed` binary in temp folders.
import { sandbox, type Sandbox } from '../../cli/test/helpers/cli.js';
import { forEachBackend } from './helpers.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

forEachBackend('bench → results server → verify-run (e2e)', (backend) => {
  let box: Sandbox;
  let server: { url: string; close(): Promise<void> };
  let database: TestDatabase | undefined;

  before(async function () {
    this.timeout(120_000);
    box = sandbox();
    database = backend === 'postgres' ? await createTestDatabase() : undefined;
    const { startServer } = await import('../src/index.js');
    server = await startServer({ dbPath: database?.appUrl ?? join(box.root, 'results.sqlite'), port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await server?.close();
    await database?.drop();
    box.cleanup();
  });

  it('uploads a signed quick run, serves its permalink and verifies', async function () {
    this.timeout(10 * 60_000);
    const bench = await box.run(['bench', '--quick', '--yes', '--api-url', server.url], { env: { PATH: '/usr/bin:/bin' }, timeoutMs: 8 * 60_000 });
    assert.equal(bench.exitCode, 0, String(bench.stderr));
    const url = /published: (\S+)/.exec(String(bench.stderr))?.[1];
    assert.ok(url, `no permalink in: ${bench.stderr}`);
    const page = await request(url!);
    assert.equal(page.statusCode, 200);
    const html = await page.body.text();
    assert.match(html, /chat-short/);
    const verify = await box.run(['verify-run', url!, '--api-url', server.url]);
    assert.equal(verify.exitCode, 0, String(verify.stdout) + String(verify.stderr));
  });
});
