/** The body of a dispute, a dispute message or a withdrawal: JSON `{"message"}` or the run page's form. */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http-error.js';
import { MAX_MESSAGE_CHARS } from './limits.js';
import { isForm, parseJsonBody } from './reply.js';

export function readMessage(body: unknown, request?: FastifyRequest): { message: string; reason?: string } {
  if (request && isForm(request)) {
    const form = new URLSearchParams(typeof body === 'string' ? body : '');
    if (form.getAll('message').length > 1) throw new HttpError(400, 'give the message once');
    return { message: (form.get('message') ?? '').replace(/\r\n/g, '\n').trim() };
  }
  const { message, reason } = (parseJsonBody(body, '{"message": "..."}') ?? {}) as { message?: unknown; reason?: unknown };
  return {
    message: typeof message === 'string' ? message.trim() : '',
    reason: typeof reason === 'string' ? reason.slice(0, MAX_MESSAGE_CHARS) : undefined,
  };
}

export function validMessage(message: string): string {
  if (!message) throw new HttpError(400, 'a non-empty "message" is required');
  if (message.length > MAX_MESSAGE_CHARS) throw new HttpError(400, `message too long: at most ${MAX_MESSAGE_CHARS} characters`);
  return message;
}
