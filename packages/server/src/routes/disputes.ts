/**
 * Disputes: anyone may open one on a run and add messages to it (JSON for clients, the run page's
 * form for browsers), and each thread has a page. Posts are accepted only from this server's own
 * pages or from clients that are not browsers (sameOriginOnly).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RunPayload } from '@llm-speed/framework';
import { HttpError } from '../http-error.js';
import { readMessage, validMessage } from '../http/message-body.js';
import { DISPUTE_ID, isForm, param, runIdParam, sendHtml, sendJson } from '../http/reply.js';
import { FORM, JSON_TYPE } from '../media-types.js';
import { disputePage, pickHeadline, runTitle } from '../pages/pages.js';
import type { ServerContext } from './context.js';
import { storedOr404 } from './results.js';

/**
 * Posts to the dispute routes only from this server's own pages (or from clients that are not
 * browsers): a browser names where a post comes from in Sec-Fetch-Site and Origin, neither of
 * which a page can forge.
 * - Sec-Fetch-Site other than same-origin (or none: the user's own action) → refused.
 * - Sec-Fetch-Site: same-origin → accepted with no Origin or Origin "null" — our pages send
 *   Referrer-Policy: no-referrer, under which a browser posts a form with `Origin: null` — or an
 *   Origin of this server.
 * - No Sec-Fetch-Site (a browser from before it, or no browser): an Origin must be this server's;
 *   "null" is refused, as another page can make it too; no Origin at all (curl, scripts) is
 *   accepted: such clients could post the JSON body anyway, and no other site can make a visitor's
 *   browser omit both headers.
 * "This server" is its --public-url and the address it listens on (ServerContext.ownOrigins),
 * never the Host header: a page on any name that resolves to this server (DNS rebinding) sends
 * a Host of that name, and an Origin to match.
 */
function sameOriginOnly(request: FastifyRequest, ownOrigins: ReadonlySet<string>): void {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    throw new HttpError(403, `cross-site post refused (Sec-Fetch-Site: ${String(fetchSite).slice(0, 20)}): open and answer disputes from this server's own pages`);
  }
  const origin = request.headers.origin;
  if (origin === undefined || (origin === 'null' && fetchSite === 'same-origin')) return;
  if (!ownOrigins.has(origin.toLowerCase())) {
    throw new HttpError(403, `cross-site post refused (Origin ${origin.slice(0, 100)} is not this server): open and answer disputes from this server's own pages`);
  }
}

export async function disputeRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { get, post, page } = ctx.routes.on(app);
  const { repo } = ctx;

  get('/v1/results/:id/disputes', async (request, reply) => sendJson(reply, 200, await repo.disputesFor((await storedOr404(repo, runIdParam(request))).id)));
  // JSON for clients, or the run page's form (application/x-www-form-urlencoded): then a 303 to the new thread.
  post(
    '/v1/results/:id/disputes',
    async (request, reply) => {
      sameOriginOnly(request, ctx.ownOrigins());
      const stored = await storedOr404(repo, runIdParam(request));
      const { message } = readMessage(request.body, request);
      const dispute = await repo.openDispute(stored.id, validMessage(message), ctx.isoNow());
      if (isForm(request)) return reply.redirect(`/disputes/${dispute.id}`, 303);
      return sendJson(reply, 201, dispute);
    },
    { mediaTypes: [JSON_TYPE, FORM] },
  );
  get('/v1/disputes/:n', async (request, reply) => {
    const id = Number(param(request, 'n', DISPUTE_ID));
    const dispute = await repo.getDispute(id);
    if (!dispute) throw new HttpError(404, `no dispute ${id}`);
    return sendJson(reply, 200, dispute);
  });
  post(
    '/v1/disputes/:n/messages',
    async (request, reply) => {
      sameOriginOnly(request, ctx.ownOrigins());
      const id = Number(param(request, 'n', DISPUTE_ID));
      const text = validMessage(readMessage(request.body, request).message);
      const dispute = await repo.addDisputeMessage(id, text, ctx.isoNow());
      if (!dispute) throw new HttpError(404, `no dispute ${id}`);
      if (isForm(request)) return reply.redirect(`/disputes/${id}#m-${dispute.messages[dispute.messages.length - 1]!.id}`, 303);
      return sendJson(reply, 201, dispute);
    },
    { mediaTypes: [JSON_TYPE, FORM] },
  );

  page('/disputes/:n', async (request, reply) => {
    const id = Number(param(request, 'n', DISPUTE_ID));
    const dispute = await repo.getDispute(id);
    if (!dispute) throw new HttpError(404, `No dispute ${id}.`);
    const stored = await repo.get(dispute.resultId);
    const withdrawn = Boolean(stored?.withdrawn);
    const run = stored && !withdrawn ? (JSON.parse(stored.json) as RunPayload) : undefined;
    const title = run ? runTitle({ run, headline: pickHeadline(run) }) : undefined;
    return sendHtml(reply, 200, disputePage({ dispute, withdrawn, runTitle: title }, ctx.site()));
  });
}
