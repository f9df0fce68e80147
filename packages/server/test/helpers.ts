/** Shared fixtures for the server tests: a schema-valid run, signing with the framework, a live server. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, signRun, toCompactJws, type MeasuredResult, type RunPayload } from '@llm-speed/framework';
import { sampleResult, sampleRun } from '@llm-speed/framework/testing';
import { createServer, type RunningServer, type ServerOptions } from '../src/index.js';

export { sampleResult, sampleRun };

/** A W3 + W4 pair so pages have both charts to draw. */
export function chartResults(): MeasuredResult[] {
  return [
    sampleResult({
      workload: 'long-context-decay',
      decode_tps: null,
      tiers: [
        { context_tokens: 32768, prefill_tps: 2100.5, decode_tps: 61.25, ttft_ms: 15600 },
        { context_tokens: 65536, prefill_tps: 1700.25, decode_tps: 48.5, ttft_ms: 38500 },
        { context_tokens: 131072, prefill_tps: null, decode_tps: null, ttft_ms: null, skipped: 'model context is 65536 tokens' },
      ],
    }),
    sampleResult({
      workload: 'concurrent-decode',
      decode_tps: 95.5,
      batches: [
        { batch: 1, aggregate_tps: 95.5, per_stream_tps: 95.5, p50_ms: 10.4, p95_ms: 11.9 },
        { batch: 4, aggregate_tps: 301.75, per_stream_tps: 75.4, p50_ms: 13.2, p95_ms: 15.1 },
        { batch: 8, aggregate_tps: 480.125, per_stream_tps: 60.0, p50_ms: 16.6, p95_ms: 19.3 },
        { batch: 16, aggregate_tps: 640.0, per_stream_tps: 40.0, p50_ms: 25.0, p95_ms: 29.8 },
      ],
    }),
  ];
}

let keys: Awaited<ReturnType<typeof generateKeyPair>> | undefined;

export async function testKeys() {
  keys ??= await generateKeyPair();
  return keys;
}

export async function signedToken(run: RunPayload): Promise<string> {
  return toCompactJws(await signRun(run, await testKeys()));
}

export interface TestServer extends RunningServer {
  dir: string;
  dbFile: string;
  logs: string[];
  post(path: string, body: string | object, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-speed-server-'));
  const dbFile = join(dir, 'results.sqlite');
  const logs: string[] = [];
  const running = await createServer({ db: dbFile, host: '127.0.0.1', port: 0, log: (line) => logs.push(line), rateLimit: false, ...options });
  return {
    ...running,
    dir,
    dbFile,
    logs,
    async post(path, body, headers = {}) {
      const isText = typeof body === 'string';
      const res = await fetch(running.url + path, {
        method: 'POST',
        headers: { 'content-type': isText ? 'application/jose' : 'application/json', ...headers },
        body: isText ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
    async get(path, headers = {}) {
      const res = await fetch(running.url + path, { headers });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
    async stop() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
