/**
 * The fixture backend on 127.0.0.1: GET /version, and an OpenAI-compatible /v1/models and
 * streaming /v1/completions that sends one SSE chunk per token (a few ms apart), then a usage
 * chunk and [DONE]. It counts streams still being written, so a test can see a client hang up.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TinyserveServer {
  url: string;
  openStreams: () => number;
  completions(): number;
  close(): Promise<void>;
}

export async function startTinyserve(): Promise<TinyserveServer> {
  let open = 0;
  let completions = 0;
  const server = createServer((req, res) => {
    const json = (value: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method === 'GET' && req.url === '/version') return json({ version: '0.3.1' });
    if (req.method === 'GET' && req.url === '/v1/models') return json({ object: 'list', data: [{ id: 'tiny-1', object: 'model' }] });
    if (req.method !== 'POST' || req.url !== '/v1/completions') return res.writeHead(404).end();
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as { max_tokens: number; stream?: boolean; prompt: string };
      completions++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      open++;
      let sent = 0;
      let ended = false;
      const end = () => {
        if (!ended) {
          ended = true;
          open--;
          clearInterval(timer);
        }
      };
      const chunk = (value: unknown) => res.write(`data: ${JSON.stringify(value)}\n\n`);
      const timer = setInterval(() => {
        if (sent < body.max_tokens) {
          sent++;
          chunk({ object: 'text_completion', choices: [{ index: 0, text: ` t${sent}`, finish_reason: sent === body.max_tokens ? 'length' : null }] });
          return;
        }
        chunk({ object: 'text_completion', choices: [], usage: { prompt_tokens: body.prompt.split(/\s+/).length, completion_tokens: sent } });
        res.end('data: [DONE]\n\n');
        end();
      }, 2);
      res.on('close', end);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    openStreams: () => open,
    completions: () => completions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
