/**
 * For the contract tests of Python-runner drivers (protocol/python-driver.ts): a temp folder of
 * fake Python packages put on PYTHONPATH in front of whatever the machine has, so the driver's real
 * runner script runs in the machine's real python3 against an engine that follows the real one's
 * API. The fakes report to two files the test reads back, named in the environment:
 *
 *   FAKE_RUNNER_REQUESTS  one JSON line per generation the engine was asked for:
 *                         {"path": <generation path>, "json": {prompt, seed, sampling fields...}}
 *                         — the `backend.requests()` view the contract suite checks;
 *   FAKE_RUNNER_LOG       "start <max tokens> <pid>" when a generation starts, "end <n>" when it
 *                         finishes — so a test can see an aborted generation never finished.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ContractBackendRequest } from '../contract-tests/index.js';

export interface FakePythonSite {
  /** The temp folder (the site folder and the two report files are in it). */
  dir: string;
  /** The folder of fake packages (what PYTHONPATH names). */
  site: string;
  /** PYTHONPATH, FAKE_RUNNER_LOG and FAKE_RUNNER_REQUESTS, to merge into the driver context's env. */
  env: Record<string, string>;
  /** What the fake engine was asked, in order. */
  requests(): Promise<ContractBackendRequest[]>;
  /** The generation log's lines. */
  generations(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** Writes `files` (paths relative to the site folder, e.g. "mlx_lm/__init__.py") into a fresh temp site. */
export async function fakePythonSite(files: Record<string, string>, prefix = 'llm-speed-fake-python-'): Promise<FakePythonSite> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const site = join(dir, 'site');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(site, path)), { recursive: true });
    await writeFile(join(site, path), text);
  }
  const log = join(dir, 'generations.log');
  const requests = join(dir, 'requests.jsonl');
  const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return {
    dir,
    site,
    env: { PYTHONPATH: site, FAKE_RUNNER_LOG: log, FAKE_RUNNER_REQUESTS: requests },
    requests: async () => (await lines(requests)).map((l) => JSON.parse(l) as ContractBackendRequest),
    generations: () => lines(log),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * After `runDriverContractTests`: the fake engine generated exactly `outputTokens` for each of the
 * two generation tests, and the aborted one (1000 tokens asked) never finished — and its runner
 * process is gone.
 */
export async function assertContractGenerations(site: FakePythonSite, outputTokens: number): Promise<void> {
  const log = await site.generations();
  const n = String(outputTokens);
  assert.deepEqual(
    log.map((l) => l.replace(/^start (\d+) \d+$/, 'start $1')),
    [`start ${n}`, `end ${n}`, `start ${n}`, `end ${n}`, 'start 1000'],
  );
  const pid = Number(log[4]!.split(' ')[2]);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `runner ${pid} still runs`);
}
