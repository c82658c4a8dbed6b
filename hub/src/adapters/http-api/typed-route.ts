/**
 * Registers a handler for a route of the API catalogue (shared/src/api/routes.ts): the query is
 * parsed with the route's schema, and the handler must return what the route's answer schema
 * describes, so the server cannot drift from its document without failing to compile.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { PathParams, RouteSpec } from '../../../../shared/src/api/routes.js';
import { ApiError } from './errors.js';

export interface RouteInput<R extends RouteSpec> {
  params: PathParams<R['path']>;
  query: R extends { query: infer Q extends z.ZodObject } ? z.output<Q> : undefined;
  /** Unparsed: each handler parses it, with the route's body schema, and words its own error. */
  body: unknown;
  request: FastifyRequest;
}

export type RouteHandler<R extends RouteSpec> = (input: RouteInput<R>, reply: FastifyReply) => Promise<z.input<R['response']>>;

/** `/api/v1/clusters/{id}` as fastify writes it: `/api/v1/clusters/:id`. */
export const fastifyPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

export function serve<R extends RouteSpec>(app: FastifyInstance, route: R, handler: RouteHandler<R>): void {
  app.route({
    method: route.method,
    url: fastifyPath(route.path),
    handler: async (request, reply) => {
      const query = route.query ? parseQuery(route.query, request.query) : undefined;
      const input = { params: request.params, query, body: request.body, request } as RouteInput<R>;
      const answer = await handler(input, reply);
      return reply.code(route.status).send(answer);
    },
  });
}

/** Parses query parameters; the error names the first bad one and what it should be. */
function parseQuery<Q extends z.ZodObject>(schema: Q, raw: unknown): z.output<Q> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0]);
  const value = (raw as Record<string, unknown>)[name];
  throw new ApiError('validation', `query parameter ${name} must be ${issue.message}, got "${String(value)}"`);
}
