/**
 * One error answer for anything a route, a hook or Fastify itself throws: JSON, or a page for page
 * routes and form posts. Typed errors carry their status and message; anything else is a 500 whose
 * stack goes to stderr and never to the client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../auth/index.js';
import { HttpError } from '../http-error.js';
import { IngestError } from '../ingest.js';
import { mediaTypeEssence, unsupportedMediaType } from '../media-types.js';
import { isForm, pathOf, sendHtml, sendJson, wantsPage } from './reply.js';
import { storageFailure, storageMessage } from './storage-errors.js';

/** A page for errors of page routes and form posts: the title a person reads for each status. */
const ERROR_TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Refused',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Too large',
  415: 'Unsupported',
  429: 'Too many requests',
  503: 'Unavailable',
};

export type ErrorPage = (title: string, message: string) => string;

/** The error body for anything thrown by a route, a hook or Fastify itself: JSON, or a page for page routes and form posts. */
export function errorReply(error: unknown, request: FastifyRequest, reply: FastifyReply, page?: ErrorPage): FastifyReply {
  if (error instanceof HttpError) for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  if (page && (isForm(request) || wantsPage(request))) {
    const { status, message } = jsonErrorOf(error, request);
    if (status === 503) storageUnavailable(error, reply);
    if (status === 500) process.stderr.write(`llm-speed-server: ${(error as Error)?.stack ?? String(error)}\n`);
    if (status === 413) reply.header('connection', 'close');
    return sendHtml(reply, status, page(ERROR_TITLES[status] ?? 'Error', message));
  }
  return jsonErrorReply(error, request, reply);
}

/** Status and message of an error, as the JSON reply states them. */
function jsonErrorOf(error: unknown, request: FastifyRequest): { status: number; message: string } {
  if (error instanceof IngestError || error instanceof AuthError || error instanceof HttpError) return { status: error.status, message: error.message };
  const status = (error as FastifyError)?.statusCode;
  if (status === 413) return { status, message: `body too large: the limit is ${request.routeOptions.bodyLimit} bytes` };
  if (status === 415) {
    const accepted = request.routeOptions.config.mediaTypes ?? [];
    return { status, message: unsupportedMediaType(mediaTypeEssence(request.headers['content-type']), accepted, pathOf(request)).message };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: (error as Error).message };
  const storage = storageFailure(error);
  if (storage) return { status: 503, message: storageMessage(storage) };
  return { status: 500, message: 'internal error' };
}

/** Logs a storage failure with its cause (one line), sets Retry-After; true when `error` is one. */
function storageUnavailable(error: unknown, reply: FastifyReply): boolean {
  const storage = storageFailure(error);
  if (!storage) return false;
  process.stderr.write(
    `llm-speed-server: storage unavailable (${storage.cause}): ${typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : ''} ${(error as Error)?.message ?? String(error)}\n`,
  );
  reply.header('retry-after', String(storage.retryAfter));
  return true;
}

function jsonErrorReply(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof IngestError) return sendJson(reply, error.status, { error: error.message, ...(error.details ? { details: error.details } : {}), ...error.extra });
  if (error instanceof AuthError) return sendJson(reply, error.status, { error: error.message });
  if (error instanceof HttpError) return sendJson(reply, error.status, { error: error.message, ...error.extra });
  const status = (error as FastifyError)?.statusCode;
  if (status === 413) {
    // The rest of the body is not read: do not keep the connection for the next request.
    reply.header('connection', 'close');
    return sendJson(reply, 413, { error: `body too large: the limit is ${request.routeOptions.bodyLimit} bytes` });
  }
  if (status === 415) {
    const accepted = request.routeOptions.config.mediaTypes ?? [];
    const { message, extra } = unsupportedMediaType(mediaTypeEssence(request.headers['content-type']), accepted, pathOf(request));
    return sendJson(reply, 415, { error: message, ...extra });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) return sendJson(reply, status, { error: (error as Error).message });
  if (storageUnavailable(error, reply)) return sendJson(reply, 503, { error: storageMessage(storageFailure(error)!) });
  process.stderr.write(`llm-speed-server: ${(error as Error)?.stack ?? String(error)}\n`);
  return sendJson(reply, 500, { error: 'internal error' });
}
