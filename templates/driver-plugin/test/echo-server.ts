/**
 * A stand-in echo backend on 127.0.0.1 for tests: the API documented at the top of src/driver.ts,
 * streaming one SSE event per token with a small gap after a "prefill" of FIRST_TOKEN_MS, and
 * stopping as soon as the client hangs up. It records every request (body and arrival time on the
 * test's clock) so the contract suite can check what the driver sent and when.
 * Replace it with recorded traffic from your real backend (see DRIVERS.md, "Testing").
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How long the echo server holds its first token back, as a model's prefill would. */
export const FIRST_TOKEN_MS = 20;

export interface EchoRequest {
  path: string;
  json?: unknown;
  /** performance.now() when the whole request had arrived: the test's process, the test's clock. */
  receivedAt: number;
}

export interface EchoServer {
  url: string;
  requests: EchoRequest[];
  /** Streams currently being written (0 once every client has hung up or finished); a function, so it can be passed on to a wait. */
  openStreams: () => number;
  close(): Promise<void>;
}

export async function startEchoServer(options: { tokenGapMs?: number } = {}): Promise<EchoServer> {
  const gap = options.tokenGapMs ?? 2;
  let open = 0;
  const requests: EchoRequest[] = [];
  const server: Server = createServer((req, res) => {
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method === 'GET' && req.url === '/health') return json(200, { version: '1.2.3' });
    if (req.method === 'GET' && req.url === '/models') return json(200, { models: [{ id: 'echo-small', name: 'Echo small', context_length: 4096 }] });
    if (req.method !== 'POST' || req.url !== '/generate') return json(404, { error: 'not found' });
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { prompt?: string; max_tokens?: number };
      requests.push({ path: req.url ?? '', json: body, receivedAt: performance.now() });
      const words = (body.prompt ?? '').split(/\s+/).filter(Boolean);
      const total = body.max_tokens ?? 16;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      open++;
      let sent = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        open--;
        clearTimeout(start);
        clearInterval(timer);
      };
      let timer: ReturnType<typeof setInterval> | undefined;
      const start = setTimeout(() => (timer = setInterval(tick, gap)), FIRST_TOKEN_MS);
      const tick = () => {
        if (sent < total) {
          res.write(`event: token\ndata: ${JSON.stringify({ text: ` ${words[sent % Math.max(words.length, 1)] ?? 'echo'}` })}\n\n`);
          sent++;
          return;
        }
        res.end(`event: done\ndata: ${JSON.stringify({ stop_reason: 'length', prompt_tokens: words.length, output_tokens: sent })}\n\n`);
        finish();
      };
      res.on('close', finish);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openStreams: () => open,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
