#!/usr/bin/env node
// Forgery corpus (issue 12): builds the deterministic mutations of one genuine signed run
// (@llm-speed/framework/testing, forgery-corpus.ts), POSTs them to a real results server on
// 127.0.0.1 (temp SQLite, rate limit off) and prints tried/refused per class, how many got in
// with other content (must be 0), and the request rate.
// Run after `npm run build`:  node bench/forgery.mjs [perKind=1000] [seed=12] [connections=8]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalPayloadBytes } from '@llm-speed/framework';
import { buildForgeryCorpus, postCorpus } from '@llm-speed/framework/testing';
import { createServer } from '@llm-speed/server';

const perKind = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 12);
const connections = Number(process.argv[4] ?? 8);

const dir = mkdtempSync(join(tmpdir(), 'llm-speed-forgery-'));
const server = await createServer({ db: join(dir, 'results.sqlite'), host: '127.0.0.1', port: 0, rateLimit: false, log: () => {} });
try {
  let started = performance.now();
  const corpus = await buildForgeryCorpus({ perKind, seed });
  const buildMs = performance.now() - started;
  const genuine = await fetch(`${server.url}/v1/results`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: corpus.genuineToken });
  if (genuine.status !== 201) throw new Error(`the genuine run was refused: ${genuine.status} ${await genuine.text()}`);

  started = performance.now();
  const outcomes = await postCorpus(server.url, corpus.mutations, { connections });
  const postSeconds = (performance.now() - started) / 1000;

  const rows = new Map();
  let forged = 0;
  for (const o of outcomes) {
    const row = rows.get(o.mutation.kind) ?? { tried: 0, refused: 0, sameContent: 0, forged: 0 };
    row.tried++;
    if (o.status >= 400) row.refused++;
    else {
      const { id } = JSON.parse(o.body);
      const stored = await (await fetch(`${server.url}/v1/results/${id}`)).json();
      const same = new TextDecoder().decode(canonicalPayloadBytes(stored)) === corpus.genuineContent && stored.public_key === corpus.publicKey;
      if (same) row.sameContent++;
      else (row.forged++, forged++);
    }
    rows.set(o.mutation.kind, row);
  }
  const width = Math.max(...[...rows.keys()].map((k) => k.length));
  console.log(`${'class'.padEnd(width)}  tried  refused  accepted(genuine content)  accepted(forged)`);
  let tried = 0;
  let refused = 0;
  for (const [kind, r] of rows) {
    tried += r.tried;
    refused += r.refused;
    console.log(`${kind.padEnd(width)}  ${String(r.tried).padStart(5)}  ${String(r.refused).padStart(7)}  ${String(r.sameContent).padStart(25)}  ${String(r.forged).padStart(16)}`);
  }
  console.log(`${'total'.padEnd(width)}  ${String(tried).padStart(5)}  ${String(refused).padStart(7)}`);
  // The repository is async since PostgreSQL joined it: an unawaited count printed [object Promise].
  const stored = await server.repository.count();
  console.log(`stored runs: ${stored} (the genuine one only: ${stored === 1})`);
  console.log(`corpus built in ${buildMs.toFixed(0)} ms; ${tried} POSTs in ${postSeconds.toFixed(1)} s (${(tried / postSeconds).toFixed(0)}/s, ${connections} keep-alive connections)`);
  if (forged > 0) process.exitCode = 1;
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
