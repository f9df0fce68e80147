/** The service's own URLs: the front door, the health check and the machine-readable privacy rules. */
import type { FastifyInstance } from 'fastify';
import { sendJson } from '../http/reply.js';
import { privacyDocument } from '../privacy-json.js';
import type { ServerContext } from './context.js';

export async function serviceRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { get } = ctx.routes.on(app);
  get('/', (_request, reply) => reply.redirect('/cheatsheet', 302));
  get('/healthz', async (_request, reply) => sendJson(reply, 200, { ok: true, results: await ctx.repo.count() }));
  get('/privacy.json', (_request, reply) => sendJson(reply, 200, privacyDocument()));
}
