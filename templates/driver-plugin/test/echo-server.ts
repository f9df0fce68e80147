/**
 * A stand-in echo backend on 127.0.0.1 for tests: the API documented at the top of src/driver.ts,
 * streaming one SSE event per token with a small gap, and stopping as soon as the client hangs up.
 * Replace it with recorded traffic from your real backend (see DRIVERS.md, "Testing").
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoServer {
  url: string;
  /** Streams currently being written (0 once every client has hung up or finished). */
  openStreams(): number;
  close(): Promise<void>;
}

export async function startEchoServer(options: { tokenGapMs?: number } = {}): Promise<EchoServer> {
  const gap = options.tokenGapMs ?? 2;
  let open = 0;
  const server: Server = createServer((req, res) => {
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method === 'GET' && req.url === '/health') return json(200, { version: '1.2.3' });
    if (req.method === 'GET' && req.url === '/models') return json(200, { models: [{ id: 'echo-small', name: 'Echo small', context_length: 4096 }] });
    if (req.method !== 'POST' || req.url !== '/generate') return json(404, { error: 'not found' });
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { prompt?: string; max_tokens?: number };
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
        clearInterval(timer);
      };
      const timer = setInterval(() => {
        if (sent < total) {
          res.write(`event: token\ndata: ${JSON.stringify({ text: ` ${words[sent % Math.max(words.length, 1)] ?? 'echo'}` })}\n\n`);
          sent++;
          return;
        }
        res.end(`event: done\ndata: ${JSON.stringify({ stop_reason: 'length', prompt_tokens: words.length, output_tokens: sent })}\n\n`);
        finish();
      }, gap);
      res.on('close', finish);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    openStreams: () => open,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
