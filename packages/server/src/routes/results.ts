/** A stored run as JSON (what verify-run reads), and its withdrawal by the operator. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http-error.js';
import { readMessage } from '../http/message-body.js';
import { runIdParam, sendJson } from '../http/reply.js';
import { WITHDRAWN_MESSAGE } from '../pages/pages.js';
import type { ResultsRepository, StoredResult } from '../repository.js';
import type { ServerContext } from './context.js';

function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The stored run, or a 404 naming the id. */
export async function storedOr404(repo: ResultsRepository, id: string): Promise<StoredResult> {
  const stored = await repo.get(id);
  if (!stored) throw new HttpError(404, `no result ${id}`);
  return stored;
}

export async function resultsRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { get, post } = ctx.routes.on(app);
  get('/v1/results/:id', async (request, reply) => {
    const stored = await storedOr404(ctx.repo, runIdParam(request));
    if (stored.withdrawn) return sendJson(reply, 404, { error: WITHDRAWN_MESSAGE });
    return sendJson(reply, 200, stored.json);
  });
  post('/v1/results/:id/withdraw', async (request, reply) => {
    const id = runIdParam(request);
    if (!ctx.adminToken) throw new HttpError(403, 'withdrawal is disabled: start the server with LLM_SPEED_ADMIN_TOKEN set');
    if (!tokenMatches(request.headers.authorization, ctx.adminToken)) throw new HttpError(401, 'withdrawal needs Authorization: Bearer <LLM_SPEED_ADMIN_TOKEN>');
    const { reason, message } = readMessage(request.body);
    await storedOr404(ctx.repo, id);
    const changed = await ctx.repo.withdraw(id, reason ?? message ?? '', ctx.isoNow());
    return sendJson(reply, 200, { id, withdrawn: true, already: !changed });
  });
}
