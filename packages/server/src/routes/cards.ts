/** The share card of a run (PNG for link previews). */
import type { FastifyInstance } from 'fastify';
import type { RunPayload } from '@llm-speed/framework';
import { HttpError } from '../http-error.js';
import { runIdParam } from '../http/reply.js';
import { CARD_VERSION, cardStateOf, cardSvg, pickHeadline, renderCardPng, WITHDRAWN_MESSAGE, type CardState } from '../pages/pages.js';
import type { ServerContext } from './context.js';

/**
 * How long a card may be kept. A run kept out of ranking by its own content (quick, warm cache…)
 * stays so: its card never changes (CARD_VERSION and the state are in its ETag) and is kept for a
 * year. A pending run's group may be ranked within the hour; a ranked group can lose its evidence
 * only by withdrawals, so its card is kept for a day.
 */
const CACHE: Record<CardState['kind'], string> = {
  unranked: 'public, max-age=31536000, immutable',
  pending: 'public, max-age=3600',
  ranked: 'public, max-age=86400',
  hosted: 'public, max-age=86400',
};

export async function cardRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { get } = ctx.routes.on(app);
  // The share card: the run's figures and its ranking state (never a count that later runs change), one card per state.
  get('/r/:id/card.png', async (request, reply) => {
    const id = runIdParam(request);
    const stored = await ctx.repo.get(id);
    if (!stored) throw new HttpError(404, `no result ${id}`);
    if (stored.withdrawn) throw new HttpError(404, WITHDRAWN_MESSAGE);
    const run = JSON.parse(stored.json) as RunPayload;
    const headline = pickHeadline(run);
    const state = cardStateOf(stored, run, headline);
    const etag = `"card-v${CARD_VERSION}-${id}-${state.kind}"`;
    reply.header('cache-control', CACHE[state.kind]).header('etag', etag);
    const ifNoneMatch = String(request.headers['if-none-match'] ?? '');
    if (ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) return reply.code(304).send();
    const png = await ctx.cards.get(`${id}.${state.kind}`, { limiter: ctx.pageLimiter, key: request.clientHash, previousKey: ctx.previousClientHash(request) }, () =>
      renderCardPng(cardSvg(id, run, headline, state)),
    );
    return reply.code(200).type('image/png').send(png);
  });
}
