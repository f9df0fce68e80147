/**
 * A crashed worker is replaced (issue 27, row 13): the real `llm-speed-server --workers 2` on a
 * real PostgreSQL; after start-up one worker is killed with SIGKILL (a crash: no handler runs), and
 * a new worker process — a pid that was not there before, with the next cluster id — answers
 * requests. Worker pids are read from /proc/<primary>/task/<primary>/children (Linux procfs).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { forEachBackend } from './helpers.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

const CLI = fileURLToPath(new URL('./fixtures/llm-speed-server.ts', import.meta.url));
/** The access-log line: time, client hash, method, path, status, duration, worker. */
const LOG_LINE = /^\S+ [0-9a-f]{16} (GET|POST|HEAD) (\S+) (\d{3}) [\d.]+ms (w\d+)$/;

/** One GET on a connection of its own, so consecutive requests reach different workers. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

const childrenOf = (pid: number): number[] => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

forEachBackend(
  'cluster: a worker killed after start-up',
  () => {
    let db: TestDatabase | undefined;
    let child: ChildProcess | undefined;
    after(async function () {
      this.timeout(60_000);
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child!.once('exit', resolve));
      }
      await db?.drop();
    });

    it('is replaced by a new worker process, which answers requests', async function () {
      this.timeout(180_000);
      db = await createTestDatabase();
      child = spawn(process.execPath, [...process.execArgv, CLI, '--db', db.appUrl, '--workers', '2', '--verify-threads', '1', '--port', '0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LLM_SPEED_IP_SALT_SECRET: '', LLM_SPEED_ADMIN_TOKEN: '' },
      });
      const stdout: string[] = [];
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.push(...chunk.split('\n')));
      const url = await new Promise<string>((resolve, reject) => {
        child!.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const m = /listening on (http:\/\/\S+) \(db/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child!.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
      });

      const before = childrenOf(child.pid!);
      assert.equal(before.length, 2, `two workers: ${before.join(', ')}`);
      const victim = before[0]!;
      process.kill(victim, 'SIGKILL');

      // The primary forks a replacement (at once, or after a short back-off for a worker that
      // had listened under START_GRACE_MS); wait for a pid that was not there before.
      let after: number[] = [];
      for (let i = 0; i < 300; i++) {
        after = childrenOf(child.pid!);
        if (after.length === 2 && !after.includes(victim) && after.some((pid) => !before.includes(pid))) break;
        await sleep(100);
      }
      assert.equal(after.length, 2, `two workers again: ${after.join(', ')}\n${stderr}`);
      assert.ok(!after.includes(victim), 'the killed worker is gone');
      assert.ok(
        after.some((pid) => !before.includes(pid)),
        `a new worker process: before ${before.join(', ')}, after ${after.join(', ')}`,
      );
      assert.match(stderr, /worker \d+ exited \(SIGKILL\)[^\n]*; starting another/);

      // The new worker is cluster worker 3 (1 and 2 were the first): it must answer.
      let answeredBy = new Set<string>();
      for (let i = 0; i < 200 && !answeredBy.has('w3'); i++) {
        assert.equal(await get(`${url}/healthz`), 200);
        await sleep(i < 20 ? 0 : 100);
        answeredBy = new Set(stdout.map((l) => LOG_LINE.exec(l)?.[4]).filter((w): w is string => w !== undefined));
      }
      assert.ok(answeredBy.has('w3'), `the new worker (w3) answered; workers seen: ${[...answeredBy].join(', ')}\n${stderr}`);
    });
  },
  ['postgres'],
);
