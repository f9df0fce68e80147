/** Starts llama-server on a free local port and stops it without leaving an orphan. */
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { DriverError, getJson, superviseChild } from '@llm-speed/framework';

export interface SpawnedServer {
  baseUrl: string;
  pid: number;
  threads: number;
  /** The KV cache it was given (-c): every slot's share, or the one pool they share. */
  kvTokens: number;
  /** The first 64 KB of the server's stderr: the start-up log that says which devices it loaded the model on. */
  readonly startupLog: string;
  /** The process has ended (crashed, killed or stopped): it answers no more requests. */
  readonly exited: boolean;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function spawnServer(options: {
  binary: string;
  model: string;
  contextTokens: number;
  parallel: number;
  /**
   * One KV pool of this many tokens shared by every slot (llama-server --kv-unified), instead of
   * `contextTokens` per slot: each slot may then use up to the whole pool.
   */
  unifiedPoolTokens?: number;
  /** A folder for llama-server's slot actions (--slot-save-path): it enables POST /slots/<id>?action=erase. */
  slotSavePath?: string;
  threads?: number;
  extraArgs?: string[];
  signal: AbortSignal;
  startTimeoutMs?: number;
}): Promise<SpawnedServer> {
  const port = await freePort();
  const threads = options.threads ?? Math.max(1, availableParallelism());
  const parallel = Math.max(1, options.parallel);
  const ctx = Math.ceil((options.unifiedPoolTokens ?? options.contextTokens * parallel) / 256) * 256;
  const args = [
    '-m',
    options.model,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '-c',
    String(ctx),
    '--parallel',
    String(parallel),
    '-t',
    String(threads),
    '--no-webui',
    // Off unless asked: with --parallel given, llama-server gives each slot its own part of the cache.
    ...(options.unifiedPoolTokens !== undefined ? ['--kv-unified'] : []),
    ...(options.slotSavePath ? ['--slot-save-path', options.slotSavePath] : []),
    ...(options.extraArgs ?? []),
  ];
  // node:child_process rather than execa: execa is not a dependency of this plugin.
  const child = spawn(options.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // Ended with the CLI whatever way it ends (SIGTERM and SIGHUP included): util/child-processes.ts.
  superviseChild(child);
  let stderrTail = '';
  let startupLog = '';
  child.stderr?.on('data', (data: Buffer) => {
    const text = data.toString();
    stderrTail = (stderrTail + text).slice(-2000);
    if (startupLog.length < 65_536) startupLog = (startupLog + text).slice(0, 65_536);
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    const done = () => {
      exited = true;
      resolve();
    };
    child.once('exit', done);
    child.once('error', (error) => {
      stderrTail += `\n${error.message}`;
      done();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exitedPromise;
    clearTimeout(killer);
  };
  const onAbort = () => void stop();
  options.signal.addEventListener('abort', onAbort, { once: true });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (exited) throw new DriverError('llama.cpp', `llama-server exited while loading ${options.model}: ${stderrTail.trim().split('\n').slice(-5).join(' | ')}`);
    if (options.signal.aborted) {
      await stop();
      throw new DriverError('llama.cpp', 'aborted while llama-server was starting');
    }
    if (Date.now() > deadline) {
      await stop();
      throw new DriverError('llama.cpp', `llama-server did not become healthy within ${options.startTimeoutMs ?? 120_000} ms`);
    }
    try {
      await getJson(`${baseUrl}/health`, { headersTimeoutMs: 2_000 });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    baseUrl,
    pid: child.pid ?? -1,
    threads,
    kvTokens: ctx,
    get startupLog() {
      return startupLog;
    },
    get exited() {
      return exited;
    },
    stop: async () => {
      options.signal.removeEventListener('abort', onAbort);
      await stop();
    },
  };
}
