/**
 * Bearer-token authentication for every `/api/v1/` route: viewers read, operators also change
 * (any method but GET and HEAD). The caller is attached to the request for the audit log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiCaller, ApiTokenVerifier } from '../../access/api-tokens.js';
import { ApiError, sendError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: ApiCaller | null;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);

export function requireApiTokens(app: FastifyInstance, tokens: ApiTokenVerifier): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    try {
      request.caller = await authenticate(request, tokens);
    } catch (error) {
      return sendError(reply, error);
    }
  });
}

async function authenticate(request: FastifyRequest, tokens: ApiTokenVerifier): Promise<ApiCaller> {
  const header = request.headers.authorization;
  const token = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!token) throw new ApiError('unauthorized', 'this API needs a token: send "Authorization: Bearer <token>" (an administrator creates one with `hub token add NAME --role viewer|operator`)');
  const caller = await tokens.verify(token);
  if (!caller) throw new ApiError('unauthorized', 'the bearer token is not valid: check it was copied whole, or ask for a new one');
  if (!READ_METHODS.has(request.method) && caller.role !== 'operator') {
    throw new ApiError('forbidden', `token ${caller.name} has role ${caller.role}: ${request.method} requests need an operator token`);
  }
  return caller;
}

/** The authenticated caller of an `/api/v1/` route (set by the hook above). */
export function callerOf(request: FastifyRequest): ApiCaller {
  if (!request.caller) throw new ApiError('unauthorized', 'no authenticated caller');
  return request.caller;
}
