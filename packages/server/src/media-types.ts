/**
 * Which media types each POST route accepts. A browser can send text/plain, form-urlencoded and
 * multipart bodies to any origin without a CORS preflight; refusing everything but the route's own
 * types (application/json and application/jose need a preflight, which we never grant) is what
 * keeps another site from making its visitors post to us.
 *
 * Parsers are registered once for the whole server (they only hand the route the raw text, the
 * route parses it); the per-route list lives in the route's `config.mediaTypes` and is checked
 * before the body is read. A route that needs another type (e.g. an HTML form) registers its
 * parser here and names the type in its own list; no other route starts accepting it. The dispute
 * routes accept HTML forms (FORM): they refuse cross-site posts by Origin / Sec-Fetch-Site instead
 * (app.ts, sameOriginOnly).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

export const JOSE = 'application/jose';
export const JSON_TYPE = 'application/json';
/** What a plain HTML form posts. */
export const FORM = 'application/x-www-form-urlencoded';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Media types (essence only, lower case) this POST route accepts; anything else is a 415. */
    mediaTypes?: readonly string[];
  }
}

/** Types the server can read at all: each is handed to the route as the raw UTF-8 text. */
const TEXT_BODY_TYPES = [JOSE, JSON_TYPE, FORM];

/** `application/JSON; charset=utf-8` → `application/json`; undefined when there is no header. */
export function mediaTypeEssence(header: string | undefined): string | undefined {
  const essence = header?.split(';')[0].trim().toLowerCase();
  return essence || undefined;
}

export function registerBodyParsers(app: FastifyInstance): void {
  // Fastify's defaults (JSON parsed into objects, text/plain) go: text/plain is exactly what a
  // cross-site form post can send.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(TEXT_BODY_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addHook('preParsing', async (request) => checkMediaType(request));
}

function checkMediaType(request: FastifyRequest): void {
  const accepted = request.routeOptions.config.mediaTypes;
  if (!accepted) return;
  const given = mediaTypeEssence(request.headers['content-type']);
  if (given && accepted.includes(given)) return;
  throw unsupportedMediaType(given, accepted, request.routeOptions.url ?? request.url);
}

export function unsupportedMediaType(given: string | undefined, accepted: readonly string[], route: string): HttpError {
  return new HttpError(415, `unsupported media type ${given ? `"${given}"` : '(no Content-Type)'}: ${route} accepts Content-Type ${accepted.join(' or ')}`, { accepted });
}
