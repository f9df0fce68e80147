/**
 * How the route modules declare routes: GET (and HEAD), POST with the media types it takes and the
 * POST rate limit, and pages (whose errors are pages). Every URL's methods are recorded, so that
 * once all modules are registered every other method on a known URL answers 405 with Allow rather
 * than 404.
 */
import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';
import { HttpError } from '../http-error.js';
import { JSON_TYPE } from '../media-types.js';
import { errorReply } from './errors.js';
import type { Handler } from './reply.js';

export type RouteExtra = Partial<RouteOptions> & { mediaTypes?: string[] };

/** The methods each URL answers, shared by every route module of one server. */
export class RouteTable {
  readonly allowed = new Map<string, Set<string>>();
  constructor(
    /** POSTs draw from the per-client token bucket (false: rate limits are off). */
    readonly rateLimited: boolean,
  ) {}

  /** The route helpers bound to one Fastify instance (a route module's encapsulated context). */
  on(app: FastifyInstance) {
    const route = (method: 'GET' | 'POST', url: string, handler: Handler, extra: RouteExtra = {}): void => {
      const { mediaTypes, ...rest } = extra;
      if (!this.allowed.has(url)) this.allowed.set(url, new Set());
      this.allowed.get(url)!.add(method);
      if (method === 'GET') this.allowed.get(url)!.add('HEAD');
      app.route({
        method,
        url,
        handler: handler as RouteOptions['handler'],
        ...rest,
        config: {
          ...(method === 'POST' ? { mediaTypes: mediaTypes ?? [JSON_TYPE], ...(this.rateLimited ? { rateLimit: {} } : {}) } : {}),
          ...(rest.config ?? {}),
        },
      });
    };
    return {
      post: (url: string, handler: Handler, extra?: RouteExtra) => route('POST', url, handler, extra),
      get: (url: string, handler: Handler, extra?: RouteExtra) => route('GET', url, handler, extra),
      /** A page: errors become pages too. */
      page: (url: string, handler: Handler, extra: RouteExtra = {}) => route('GET', url, handler, { ...extra, config: { page: true, ...(extra.config ?? {}) } }),
    };
  }

  /** Every other method on a known URL: 405 with Allow, answered before any body is read. Call once every route is declared. */
  registerMethodNotAllowed(app: FastifyInstance): void {
    for (const [url, methods] of this.allowed) {
      const allow = [...methods].join(', ');
      app.route({
        method: METHODS.filter((m) => !methods.has(m)),
        url,
        exposeHeadRoute: false,
        onRequest: async (request, reply) => {
          reply.header('allow', allow);
          return errorReply(new HttpError(405, `use ${allow.replace(', HEAD', '')}`), request, reply);
        },
        handler: async () => undefined,
      });
    }
  }
}

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
