#!/usr/bin/env node
// Results-server benchmark (issues 5 and 17), on SQLite and on PostgreSQL. For each backend:
//   1. seeds a fresh database with SEED results straight through the repository (built exactly as
//      ingest builds them, one real signature reused across rows: the seed measures storage, not
//      signing), then derives the listings;
//   2. verified ingests per second over real POST /v1/results (signature + schema + privacy +
//      store) against the real `llm-speed-server` CLI in child processes, with 1 and with 2 worker
//      processes (--workers; verification on each worker's main thread, so one process is one
//      core), the scaling ratio 2-worker rate / (2 × 1-worker rate) — target >= 0.8 on
//      PostgreSQL; SQLite refuses --workers 2 (one writer) — and 1 process with 2 verify threads;
//   3. p95 latency of /r/<id>, /m/<slug> and /cheatsheet while POSTs keep arriving (default
//      verify threads), target < 50 ms.
// The client runs on the same machine and takes CPU from the servers: on 2 cores the scaling ratio
// is bounded by it; read the figures from a quiet machine with cores to spare. The table also gives
// the CPU each POST cost the server processes and PostgreSQL (Linux /proc), which noise from other
// load moves far less than the rate; smaller batches (fewer POSTs in flight per worker) cost more.
//
// Run after `npm run build`:
//   node bench/server.mjs [seed=100000] [posts=3000] [concurrency=32] [backends=sqlite,postgres]
//   quick:  node bench/server.mjs 2000 300 8
// PostgreSQL: a throw-away server from scripts/postgres-test.sh, or BENCH_POSTGRES_URL=postgres://superuser@host/db.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'packages/server/bin/llm-speed-server.js');
const seedCount = Number(process.argv[2] ?? 100_000);
const posts = Number(process.argv[3] ?? 3000);
const concurrency = Number(process.argv[4] ?? 32);
const backends = (process.argv[5] ?? 'sqlite,postgres').split(',');

const { generateKeyPair, signRun, toCompactJws } = await import('@llm-speed/framework');
const { sampleResult, sampleRun } = await import('@llm-speed/framework/testing');
const { openRepository, toNewResult } = await import('@llm-speed/server');

function makeRun(i, { models = 40, backendNames = ['llama.cpp', 'ollama', 'vllm', 'mlx'], hardware = 25 } = {}) {
  const m = i % models;
  const b = backendNames[Math.floor(i / models) % backendNames.length];
  const h = Math.floor(i / (models * backendNames.length)) % hardware;
  const base = 40 + m * 7 + h * 3;
  const decode = base * (1 + 0.03 * Math.sin(i * 12.9898)) * (i % 997 === 0 ? 3 : 1);
  const model = { identifier: `org/model-${m}-GGUF`, name: `Model-${m}-Instruct`, size: '7B', quant: 'Q4_K_M', digest: m.toString(16).padStart(2, '0').repeat(32) };
  const common = { backend: b, model };
  const started = Date.UTC(2026, 0, 1) + i * 1000;
  // The framework's sample run (the tests' too), varied per model, backend and hardware class.
  const run = sampleRun(
    [
      sampleResult({ ...common, ttft_ms: 140, prefill_tps: 8000, decode_tps: Math.round(decode * 100) / 100, decode_p50_latency_ms: 5, decode_p95_latency_ms: 7 }),
      sampleResult({
        ...common,
        workload: 'chat-long',
        prompt_tokens: 4096,
        output_tokens: 1024,
        ttft_ms: 900,
        prefill_tps: 4500,
        decode_tps: Math.round(decode * 90) / 100,
        decode_p50_latency_ms: 6,
        decode_p95_latency_ms: 8,
      }),
    ],
    new Date(started).toISOString(),
  );
  run.finished_at = new Date(started + 60_000).toISOString();
  run.fingerprint = {
    ...run.fingerprint,
    cpu_model: `CPU ${h}`,
    cpu_cores: 16,
    gpus: [{ name: `GPU ${h}`, kind: 'nvidia', memory_gb: 24 }],
    accelerator_summary: `GPU ${h} 24 GB + CPU ${h}, 64 GB RAM`,
    fingerprint_hash: h.toString(16).padStart(16, '0'),
    extras: { backends: { [b]: '7410' } },
  };
  return run;
}

function p95(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

const seconds = (t0) => (performance.now() - t0) / 1000;

/** A throw-away PostgreSQL (or the one named by BENCH_POSTGRES_URL); returns its superuser URL and a stop function. */
function startPostgres() {
  if (process.env.BENCH_POSTGRES_URL) return { url: process.env.BENCH_POSTGRES_URL, stop: () => {} };
  const out = execFileSync('bash', [join(ROOT, 'scripts/postgres-test.sh'), 'start', String(process.pid)], { encoding: 'utf8' });
  const dir = /^PG_TEST_DIR=(.*)$/m.exec(out)[1];
  return { url: /^PG_TEST_URL=(.*)$/m.exec(out)[1], dir, stop: () => execFileSync('bash', [join(ROOT, 'scripts/postgres-test.sh'), 'stop', dir]) };
}

/** CPU seconds (user + system) used so far by `root` and its descendants (Linux); undefined elsewhere. */
function cpuSeconds(isRoot) {
  let processes;
  try {
    processes = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return { pid: Number(pid), ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8') };
        } catch {
          return undefined;
        }
      })
      .filter(Boolean);
  } catch {
    return undefined;
  }
  const inTree = new Set(processes.filter(isRoot).map((p) => p.pid));
  for (let grown = true; grown;) {
    grown = false;
    for (const p of processes) if (!inTree.has(p.pid) && inTree.has(p.ppid)) (inTree.add(p.pid), (grown = true));
  }
  return processes.filter((p) => inTree.has(p.pid)).reduce((sum, p) => sum + p.cpu, 0);
}

async function freshDatabase(backend, postgres, dir) {
  if (backend === 'sqlite') return { db: join(dir, 'bench.sqlite'), drop: async () => {} };
  const name = `llm_speed_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgres.url);
  url.pathname = `/${name}`;
  return {
    db: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: postgres.url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function seed(db, template) {
  const t0 = performance.now();
  const repo = await openRepository(db);
  const BATCH = 500;
  for (let start = 0; start < seedCount; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(seedCount, start + BATCH); i++) {
      batch.push(toNewResult({ ...makeRun(i + 1_000_000), signature: template.signature, public_key: template.public_key }, new Date().toISOString()));
    }
    // Seeding, not the ingest path being measured: no per-batch recomputation.
    await repo.insertMany(batch, { recompute: false });
  }
  await repo.recompute();
  await repo.close();
  const rid = toNewResult({ ...makeRun(1_000_000 + 123), signature: template.signature, public_key: template.public_key }, '').id;
  return { rid, seconds: seconds(t0) };
}

/** The real CLI in a child process; resolves with its URL once every worker listens. */
async function startServer(db, workers, verifyThreads) {
  const threads = verifyThreads === undefined ? [] : ['--verify-threads', String(verifyThreads)];
  const child = spawn(process.execPath, [CLI, '--db', db, '--port', '0', '--workers', String(workers), ...threads, '--rate-limit', 'off'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LLM_SPEED_ADMIN_TOKEN: '' },
  });
  let stderr = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`llm-speed-server exited (${code}):\n${stderr}`)));
  });
  return {
    url,
    pid: child.pid,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** POSTs `tokens` with `concurrency` requests in flight; stops early when `until()` turns true. */
async function ingest(url, tokens, until = () => false) {
  let next = 0;
  let failures = 0;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tokens.length && !until()) {
        const body = tokens[next++];
        const res = await fetch(`${url}/v1/results`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body });
        await res.arrayBuffer();
        if (res.status !== 201) failures++;
        done++;
      }
    }),
  );
  return { rate: done / seconds(t0), done, failures };
}

async function readLatencies(url, rid, samples = 200) {
  const out = {};
  for (const path of [`/r/${rid}`, '/m/model-7-instruct', '/cheatsheet']) {
    const times = [];
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      const res = await fetch(url + path);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      times.push(performance.now() - t);
    }
    out[path.startsWith('/r/') ? '/r/<id>' : path.startsWith('/m/') ? '/m/<slug>' : path] = p95(times);
  }
  return out;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'llm-speed-bench-server-'));
  const postgres = backends.includes('postgres') ? startPostgres() : undefined;
  const ingestRows = [];
  const readRows = [];
  try {
    const keys = await generateKeyPair();
    const template = await signRun(makeRun(0), keys);
    const configs = [
      { workers: 1, verifyThreads: 0 },
      { workers: 2, verifyThreads: 0 },
      { workers: 1, verifyThreads: 2 },
    ];
    let t0 = performance.now();
    // Distinct runs for every phase of every backend (the same bytes again would be an idempotent 200, not a write).
    const perBackend = posts * (configs.length + 1);
    const signed = [];
    for (let i = 0; i < perBackend; i++) signed.push(toCompactJws(await signRun(makeRun(i), keys)));
    console.log(`signed ${perBackend} runs client-side in ${seconds(t0).toFixed(1)} s (not counted)`);

    for (const backend of backends) {
      const { db, drop } = await freshDatabase(backend, postgres, dir);
      try {
        const seeded = await seed(db, template);
        console.log(`${backend}: seeded ${seedCount} results in ${seeded.seconds.toFixed(1)} s`);
        let single;
        for (const [k, config] of configs.entries()) {
          if (backend === 'sqlite' && config.workers > 1) {
            ingestRows.push({ backend, ...config, rate: null, note: 'refused: SQLite has one writer (--workers needs PostgreSQL)' });
            continue;
          }
          const server = await startServer(db, config.workers, config.verifyThreads);
          try {
            // Server processes (the CLI and its workers) and, for our own PostgreSQL, its postmaster and backends.
            const cpu = () => [cpuSeconds((p) => p.pid === server.pid), backend === 'postgres' && postgres.dir ? cpuSeconds((p) => p.cmd.includes(postgres.dir)) : 0];
            const [s0, p0] = cpu();
            const { rate, failures } = await ingest(server.url, signed.slice(k * posts, (k + 1) * posts));
            const [s1, p1] = cpu();
            const cpuPerPost = s0 === undefined ? undefined : { server: (1000 * (s1 - s0)) / posts, db: (1000 * (p1 - p0)) / posts };
            if (config.workers === 1 && config.verifyThreads === 0) single = rate;
            const ratio = config.workers === 2 && single ? rate / (2 * single) : null;
            ingestRows.push({ backend, ...config, rate, failures, ratio, cpuPerPost });
          } finally {
            await server.stop();
          }
        }
        // Reads while POSTs keep arriving, as an operator runs it: as many workers as the backend
        // allows, verification on the default threads (cores ÷ workers), off the event loop that serves the pages.
        const server = await startServer(db, backend === 'postgres' ? 2 : 1, undefined);
        try {
          let reading = true;
          const writer = ingest(server.url, signed.slice(configs.length * posts), () => !reading);
          const p = await readLatencies(server.url, seeded.rid);
          reading = false;
          const { done } = await writer;
          readRows.push({ backend, p, during: done });
        } finally {
          await server.stop();
        }
      } finally {
        await drop();
      }
    }
  } finally {
    postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`\nverified ingest, POST /v1/results (${seedCount} seeded, ${posts} POSTs per row, concurrency ${concurrency})`);
  console.log('| backend | workers | verify threads | ingests/s | scaling vs 1 worker | CPU ms per POST: server + database | note |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of ingestRows) {
    const ratio = r.ratio === null || r.ratio === undefined ? '' : `${r.ratio.toFixed(2)} × linear (target >= 0.8: ${r.ratio >= 0.8 ? 'met' : 'MISSED'})`;
    const note = r.note ?? (r.failures ? `${r.failures} failures` : '');
    const cpu = r.cpuPerPost ? `${r.cpuPerPost.server.toFixed(2)} + ${r.cpuPerPost.db.toFixed(2)}` : '';
    console.log(`| ${r.backend} | ${r.workers} | ${r.verifyThreads} | ${r.rate === null ? '—' : r.rate.toFixed(0)} | ${ratio} | ${cpu} | ${note} |`);
  }
  console.log(`\np95 latency while ingesting (${seedCount} seeded; 200 sequential GETs per page; target < 50 ms)`);
  console.log('| backend | /r/<id> | /m/<slug> | /cheatsheet | POSTs stored meanwhile |');
  console.log('|---|---|---|---|---|');
  for (const r of readRows) {
    const cell = (v) => `${v.toFixed(1)} ms${v < 50 ? '' : ' (MISSED)'}`;
    console.log(`| ${r.backend} | ${cell(r.p['/r/<id>'])} | ${cell(r.p['/m/<slug>'])} | ${cell(r.p['/cheatsheet'])} | ${r.during} |`);
  }
}

await main();
