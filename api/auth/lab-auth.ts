import type { FastifyInstance } from 'fastify';
import { API_SCOPES, type ApiClient } from './api-tokens.js';

/** The client every request acts as in lab mode: every scope, and a name that says so in the logs. */
export const LAB_CLIENT: ApiClient = { clientId: 'lab-no-auth', scopes: new Set(API_SCOPES) };

/**
 * API_AUTH=none: no token is asked for (TM Forum conformance kits send none). The fleet config
 * accepts it only when the HTTP server binds to loopback, so only this machine can connect.
 */
export function installLabAuth(app: FastifyInstance): void {
  app.decorateRequest('apiClient', undefined);
  app.addHook('onRequest', async (request) => {
    request.apiClient = LAB_CLIENT;
  });
}
