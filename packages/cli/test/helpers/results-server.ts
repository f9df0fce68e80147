/**
 * A self-hosted results server stand-in on 127.0.0.1 for the CLI's end-to-end tests: POST
 * /v1/results takes the compact JWS the CLI sends (application/jose), verifies it with the
 * framework's own verifier and stores the run as the real server does (payload with public_key and
 * the detached signature); GET /v1/results/<id> answers the stored JSON, so `verify-run` can check
 * it. `down = true` answers 503 to uploads, as a server in maintenance does. Every request is
 * recorded, so a test can see which server a pasted command went to.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyCompactJws } from '@llm-speed/framework';

export interface ResultsServer {
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  stored: Map<string, unknown>;
  down: boolean;
  close(): Promise<void>;
}

export async function startResultsServer(): Promise<ResultsServer> {
  const state: ResultsServer = { url: '', requests: [], stored: new Map(), down: false, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      state.requests.push({ method: req.method ?? '', path, headers: req.headers });
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(body));
      if (req.method === 'POST' && path === '/v1/results') {
        if (state.down) return json(503, { error: 'down for maintenance' });
        verifyCompactJws(Buffer.concat(chunks).toString('utf8')).then(
          ({ payload }) => {
            const id = `r_${String(state.stored.size + 1).padStart(11, '0')}`;
            state.stored.set(id, payload);
            json(201, { id, url: `${state.url}/r/${id}` });
          },
          (error: Error) => json(400, { error: error.message }),
        );
        return;
      }
      const stored = /^\/v1\/results\/(r_\w+)$/.exec(path);
      if (req.method === 'GET' && stored && state.stored.has(stored[1]!)) return json(200, state.stored.get(stored[1]!));
      json(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
