/** Small helpers every route module shares: answers, URL parameters, request bodies. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http-error.js';
import { FORM, mediaTypeEssence } from '../media-types.js';

export type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return reply.code(status).type('application/json; charset=utf-8').send(text);
}

export function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

export const pathOf = (request: FastifyRequest) => request.url.split('?')[0];
export const noRoute = (request: FastifyRequest) => new HttpError(404, `no route ${pathOf(request)}`);
export const RESULT_ID = /^r_[A-Za-z0-9_-]{11}$/;
export const SLUG = /^[a-z0-9-]{1,80}$/;
export const DISPUTE_ID = /^[0-9]{1,12}$/;

export function param(request: FastifyRequest, name: string, pattern: RegExp): string {
  const value = (request.params as Record<string, string>)[name];
  if (!pattern.test(value)) throw noRoute(request);
  return value;
}

/** What a run id looks like, for the 404 of a URL whose id is not one (issue 26.12). */
export const RUN_ID_FORM = 'a run id is r_ and 11 characters of A–Z, a–z, 0–9, - or _ (for example r_g4ph40ae0e1), as in the url a submission answers';

/** 404 naming a malformed run id and saying what one looks like. */
export function notARunId(value: string): HttpError {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return new HttpError(404, `${JSON.stringify(shown)} is not a run id: ${RUN_ID_FORM}`);
}

/** The run id of a URL, or a 404 that says what a run id looks like. */
export function runIdParam(request: FastifyRequest, name = 'id'): string {
  const value = (request.params as Record<string, string>)[name] ?? '';
  if (!RESULT_ID.test(value)) throw notARunId(value);
  return value;
}

export function parseJsonBody(text: unknown, hint: string): unknown {
  const body = typeof text === 'string' ? text : '';
  if (!body.trim()) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new HttpError(400, `body must be JSON: ${hint}`);
  }
}

/** Whether the request carries an HTML form to a route that takes one (the dispute forms): its answers are pages and redirects. */
export function isForm(request: FastifyRequest): boolean {
  return request.method === 'POST' && mediaTypeEssence(request.headers['content-type']) === FORM && Boolean(request.routeOptions?.config?.mediaTypes?.includes(FORM));
}

/** A page route's error as a page, unless the client asked for JSON only (the CLI does). */
export function wantsPage(request: FastifyRequest): boolean {
  if (request.routeOptions?.config?.page !== true) return false;
  const accept = String(request.headers.accept ?? '');
  return !(/application\/json/.test(accept) && !/text\/html/.test(accept));
}
