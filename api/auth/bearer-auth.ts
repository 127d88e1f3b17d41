import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tmfErrorBody } from '../../errors/tmf-error-body.js';
import type { ApiClient, ApiScope, ApiTokens } from './api-tokens.js';

/** What a route needs: a scope, or nothing (the API description and its docs page). */
export type RouteAccess = ApiScope | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    apiClient?: ApiClient;
  }
}

function deny(reply: FastifyReply, status: 401 | 403, challenge: string, code: string, message: string): FastifyReply {
  return reply.code(status).header('www-authenticate', challenge).type('application/json').send(tmfErrorBody(status, code, message));
}

/**
 * Bearer tokens (RFC 6750) on every route, checked before the body is read: a request without
 * a valid token gets 401, one whose token lacks the route's scope 403, and neither reaches a
 * handler, so nothing changes. Unknown paths need `read`, so they reveal nothing without a token.
 */
export function installBearerAuth(app: FastifyInstance, tokens: ApiTokens, isPublicPath: (url: string) => boolean = () => false): void {
  app.decorateRequest('apiClient', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access: RouteAccess = request.routeOptions.config.access ?? 'read';
    if (access === 'public' || isPublicPath(request.url)) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (!match?.[1]) {
      return deny(reply, 401, 'Bearer realm="tmf-api"', 'API_UNAUTHENTICATED', 'Authorization: a bearer token is required (Authorization: Bearer <token>)');
    }
    const client = tokens.authenticate(match[1]);
    if (!client) {
      return deny(reply, 401, 'Bearer realm="tmf-api", error="invalid_token"', 'API_UNAUTHENTICATED', 'Authorization: the bearer token is not valid');
    }
    if (!client.scopes.has(access)) {
      return deny(
        reply,
        403,
        `Bearer realm="tmf-api", error="insufficient_scope", scope="${access}"`,
        'API_FORBIDDEN',
        `Authorization: client ${client.clientId} lacks scope ${access}, which ${request.method} ${request.routeOptions.url ?? request.url} needs`,
      );
    }
    request.apiClient = client;
  });
}
