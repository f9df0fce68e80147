/**
 * POST /v1/results: the one way a run gets onto the board. Verification (signature, header,
 * schema, privacy rules) runs on the verifier's threads (verify-pool.ts → ingest.ts); storing
 * goes through the group-commit batcher.
 */
import type { FastifyInstance } from 'fastify';
import { ownershipConflict } from '../ingest.js';
import { MAX_RESULT_BYTES } from '../http/limits.js';
import { sendJson } from '../http/reply.js';
import { JOSE, JSON_TYPE } from '../media-types.js';
import type { ServerContext } from './context.js';

export async function ingestRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { post } = ctx.routes.on(app);
  post(
    '/v1/results',
    async (request, reply) => {
      // The --anon header (PRIVACY §3) is kept as one bit so the run is never shown as a contribution.
      const anon = String(request.headers['x-llm-speed-anon'] ?? '') === '1';
      const result = await ctx.verifier.verify({ body: typeof request.body === 'string' ? request.body : '', receivedAt: ctx.isoNow(), anon });
      const outcome = await ctx.batcher.insert(result);
      const conflict = ownershipConflict(outcome);
      if (conflict) throw conflict;
      if (outcome.created) ctx.facets.clear();
      return sendJson(reply, outcome.created ? 201 : 200, { id: outcome.id, url: `${ctx.publicUrl?.replace(/\/$/, '') ?? ctx.baseUrl()}/r/${outcome.id}` });
    },
    // The CLI uploads the compact JWS; a signed run JSON (detached signature) is accepted too.
    { mediaTypes: [JOSE, JSON_TYPE], bodyLimit: MAX_RESULT_BYTES },
  );
}
