#!/usr/bin/env node
// Results-server benchmark (issue 5). Seeds a fresh SQLite database with 100,000 results, then
// measures, against a server in a child process (so client and server do not share a core):
//   - verified ingests per second over N real POST /v1/results (signature + schema + privacy + store),
//     target >= 1,000/s on 2 cores;
//   - p95 latency of /cheatsheet, /m/<slug> and /r/<id>, target < 50 ms.
// The seed rows go straight into the repository (they are built exactly as ingest builds them,
// and carry one real signature reused across rows: the seed measures storage, not signing).
// Run after `npm run build`:  node bench/server.mjs [seedCount=100000] [posts=5000] [concurrency=16]
// BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server process there (where ingest time goes).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--serve') {
  const { createServer } = await import('@llm-speed/server');
  const running = await createServer({ db: process.argv[3], rateLimit: false, log: () => {} });
  process.send({ url: running.url });
  process.on('message', async () => {
    await running.close();
    process.exit(0);
  });
} else {
  await main();
}

function makeRun(i, { models = 40, backends = ['llama.cpp', 'ollama', 'vllm', 'mlx'], hardware = 25 } = {}) {
  const m = i % models;
  const b = backends[Math.floor(i / models) % backends.length];
  const h = Math.floor(i / (models * backends.length)) % hardware;
  const base = 40 + m * 7 + h * 3;
  const decode = base * (1 + 0.03 * Math.sin(i * 12.9898)) * (i % 997 === 0 ? 3 : 1);
  const model = { identifier: `org/model-${m}-GGUF`, name: `Model-${m}-Instruct`, size: '7B', quant: 'Q4_K_M', digest: (m.toString(16).padStart(2, '0')).repeat(32) };
  const common = {
    suite_version: 'suite-v1', suite_digest: 'ab'.repeat(32), backend: b, backend_version: '7410', model,
    prompt_tokens: 128, output_tokens: 256, batch_size: 1, context_tokens: 384, wall_ms: 1530,
    prefix_cache_hit_rate: null, error: null, flags: [], extras: {},
  };
  return {
    fingerprint: {
      os_name: 'Linux', os_version: '6', cpu_model: `CPU ${h}`, cpu_cores: 16, ram_gb: 64,
      gpus: [{ name: `GPU ${h}`, kind: 'nvidia', memory_gb: 24 }],
      accelerator_summary: `GPU ${h} 24 GB + CPU ${h}, 64 GB RAM`,
      fingerprint_hash: h.toString(16).padStart(16, '0'),
      extras: { backends: { [b]: '7410' } },
    },
    results: [
      { ...common, workload: 'chat-short', ttft_ms: 140, prefill_tps: 8000, decode_tps: Math.round(decode * 100) / 100, decode_p50_latency_ms: 5, decode_p95_latency_ms: 7 },
      { ...common, workload: 'chat-long', prompt_tokens: 4096, output_tokens: 1024, ttft_ms: 900, prefill_tps: 4500, decode_tps: Math.round(decode * 90) / 100, decode_p50_latency_ms: 6, decode_p95_latency_ms: 8 },
    ],
    cli_version: '0.1.0',
    started_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    finished_at: new Date(Date.UTC(2026, 0, 1) + i * 1000 + 60_000).toISOString(),
  };
}

function p95(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

async function main() {
  const seedCount = Number(process.argv[2] ?? 100_000);
  const posts = Number(process.argv[3] ?? 5000);
  const concurrency = Number(process.argv[4] ?? 16);
  const { generateKeyPair, signRun, toCompactJws } = await import('@llm-speed/framework');
  const { SqliteResultsRepository, toNewResult } = await import('@llm-speed/server');
  const dir = mkdtempSync(join(tmpdir(), 'llm-speed-bench-server-'));
  const db = join(dir, 'results.sqlite');
  try {
    const keys = await generateKeyPair();
    const template = await signRun(makeRun(0), keys);
    let t0 = performance.now();
    const repo = new SqliteResultsRepository(db);
    const BATCH = 5000;
    for (let start = 0; start < seedCount; start += BATCH) {
      // One transaction per batch: this is seeding, not the ingest path being measured.
      repo['db'].transaction(() => {
        for (let i = start; i < Math.min(seedCount, start + BATCH); i++) {
          const run = { ...makeRun(i + 1_000_000), signature: template.signature, public_key: template.public_key };
          repo.insert(toNewResult(run, new Date().toISOString()), { recompute: false });
        }
      })();
    }
    repo.recompute();
    const rid = toNewResult({ ...makeRun(1_000_000 + 123), signature: template.signature, public_key: template.public_key }, '').id;
    repo.close();
    console.log(`seeded ${seedCount} results in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    t0 = performance.now();
    const tokens = [];
    for (let i = 0; i < posts; i++) tokens.push(toCompactJws(await signRun(makeRun(i), keys)));
    console.log(`signed ${posts} runs client-side in ${((performance.now() - t0) / 1000).toFixed(1)} s (not counted)`);

    const child = fork(fileURLToPath(import.meta.url), ['--serve', db], { stdio: 'inherit', execArgv: process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [] });
    const { url } = await new Promise((resolve) => child.once('message', resolve));
    try {
      let next = 0;
      let failures = 0;
      t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < tokens.length) {
            const body = tokens[next++];
            const res = await fetch(`${url}/v1/results`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body });
            await res.arrayBuffer();
            if (res.status !== 201) failures++;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const rate = posts / seconds;
      console.log(`verified ingest      ${rate.toFixed(0)} /s over ${posts} POSTs (concurrency ${concurrency}, ${failures} failures; target >= 1000/s: ${rate >= 1000 ? 'met' : 'MISSED'})`);

      for (const path of ['/cheatsheet', '/m/model-7-instruct', `/r/${rid}`]) {
        const samples = [];
        for (let i = 0; i < 200; i++) {
          const t = performance.now();
          const res = await fetch(url + path);
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
          samples.push(performance.now() - t);
        }
        const v = p95(samples);
        console.log(`GET ${path.padEnd(18)} p95 ${v.toFixed(1)} ms over 200 requests (target < 50 ms: ${v < 50 ? 'met' : 'MISSED'})`);
      }
    } finally {
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
