/** `llm-speed login`: the GitHub device flow run by the server (auth/routes.ts holds the logic). */
import type { FastifyInstance } from 'fastify';
import { parseJsonBody, sendJson } from '../http/reply.js';
import type { ServerContext } from './context.js';

export async function authRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { post } = ctx.routes.on(app);
  post('/v1/auth/device', async (request, reply) => {
    parseJsonBody(request.body, '{}');
    return sendJson(reply, 200, await ctx.deviceLogin.start());
  });
  post('/v1/auth/token', async (request, reply) => sendJson(reply, 200, await ctx.deviceLogin.token(parseJsonBody(request.body, '{"device_code", "public_key", "proof"}'))));
}
