/** The share card of a run (PNG for link previews). */
import type { FastifyInstance } from 'fastify';
import type { RunPayload } from '@llm-speed/framework';
import { HttpError } from '../http-error.js';
import { runIdParam } from '../http/reply.js';
import { CARD_VERSION, cardSvg, pickHeadline, renderCardPng, WITHDRAWN_MESSAGE } from '../pages/pages.js';
import type { ServerContext } from './context.js';

/** A run's card never changes (CARD_VERSION is in its ETag): caches may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export async function cardRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { get } = ctx.routes.on(app);
  // The share card: immutable like the run (its figures only, never its standing), so cached for a year by anyone.
  get('/r/:id/card.png', async (request, reply) => {
    const id = runIdParam(request);
    const etag = `"card-v${CARD_VERSION}-${id}"`;
    const stored = await ctx.repo.get(id);
    if (!stored) throw new HttpError(404, `no result ${id}`);
    if (stored.withdrawn) throw new HttpError(404, WITHDRAWN_MESSAGE);
    reply.header('cache-control', IMMUTABLE).header('etag', etag);
    const ifNoneMatch = String(request.headers['if-none-match'] ?? '');
    if (ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) return reply.code(304).send();
    const png = await ctx.cards.get(id, { limiter: ctx.pageLimiter, key: request.clientHash, previousKey: ctx.previousClientHash(request) }, () => {
      const run = JSON.parse(stored.json) as RunPayload;
      return renderCardPng(cardSvg(id, run, pickHeadline(run)));
    });
    return reply.code(200).type('image/png').send(png);
  });
}
