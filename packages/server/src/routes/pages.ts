/** A run's page (and its JSON twin for verify-run), and /compare: the pages about particular runs. */
import type { FastifyInstance } from 'fastify';
import { compareRuns, type RunPayload } from '@llm-speed/framework';
import { HttpError } from '../http-error.js';
import { MAX_COMPARED_RUNS } from '../http/limits.js';
import { notARunId, RESULT_ID, sendHtml, sendJson } from '../http/reply.js';
import { comparePage, loadRunView, messagePage, rankingPage, runPage, WITHDRAWN_MESSAGE } from '../pages/pages.js';
import type { ServerContext } from './context.js';

export async function pageRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { page } = ctx.routes.on(app);
  const { repo } = ctx;

  page('/r/:ref', async (request, reply) => {
    const ref = (request.params as { ref: string }).ref;
    const m = /^(r_[A-Za-z0-9_-]{11})(\.json)?$/.exec(ref);
    if (!m) {
      // /r/<bad>.json asked for JSON: answer it so, not with a page.
      if (ref.endsWith('.json')) return sendJson(reply, 404, { error: notARunId(ref.slice(0, -5)).message });
      throw notARunId(ref);
    }
    const accept = String(request.headers.accept ?? '');
    const wantsJson = Boolean(m[2]) || (/application\/json/.test(accept) && !/text\/html/.test(accept));
    const stored = await repo.get(m[1]);
    if (!stored) return wantsJson ? sendJson(reply, 404, { error: `no result ${m[1]}` }) : sendHtml(reply, 404, messagePage(ctx.site(), 'Not found', `No result ${m[1]}.`));
    if (stored.withdrawn) {
      if (wantsJson) return sendJson(reply, 404, { error: WITHDRAWN_MESSAGE });
      return sendHtml(reply, 404, messagePage(ctx.site(), 'Withdrawn', WITHDRAWN_MESSAGE, { path: `/r/${stored.id}`, disputes: await repo.disputesFor(stored.id) }));
    }
    // verify-run may be given the permalink: hand it the stored JSON when it asks for JSON.
    if (wantsJson) return sendJson(reply, 200, stored.json);
    const [disputes, contributor] = await Promise.all([repo.disputesFor(stored.id), repo.contributorOfResult(stored.id)]);
    return sendHtml(reply, 200, runPage(await loadRunView(repo, stored, { disputes, contributor }), ctx.site()));
  });

  // The rule behind every standing sentence, with this board's evidence thresholds.
  page('/ranking', async (_request, reply) => sendHtml(reply, 200, rankingPage(ctx.site(), repo.ranking)));

  page('/compare', async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).runs;
    if (typeof raw !== 'string' || raw.trim() === '') throw new HttpError(400, `give the runs to compare: /compare?runs=<id>,<id>[,…] (2 to ${MAX_COMPARED_RUNS} run ids)`);
    const ids = raw
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = ids.find((id) => !RESULT_ID.test(id));
    if (bad) throw new HttpError(400, `"${bad.slice(0, 40)}" is not a run id (r_ and 11 characters)`);
    if (new Set(ids).size !== ids.length) throw new HttpError(400, 'a run appears twice in runs=');
    if (ids.length < 2 || ids.length > MAX_COMPARED_RUNS) throw new HttpError(400, `compare 2 to ${MAX_COMPARED_RUNS} runs; got ${ids.length}`);
    const stored = await Promise.all(ids.map((id) => repo.get(id)));
    const missing = ids.find((_, i) => !stored[i]);
    if (missing) throw new HttpError(404, `No result ${missing}.`);
    const withdrawn = ids.find((_, i) => stored[i]!.withdrawn);
    if (withdrawn) throw new HttpError(404, `${withdrawn}: ${WITHDRAWN_MESSAGE}`);
    const runs = stored.map((s) => JSON.parse(s!.json) as RunPayload);
    // The arithmetic of `llm-speed compare`, from the framework: not a copy.
    const comparison = compareRuns(ids.map((id, i) => ({ label: id, run: runs[i]! })));
    return sendHtml(reply, 200, comparePage({ ids, runs, comparison }, ctx.site()));
  });
}
