import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { ApiTokens } from './auth/api-tokens.js';
import { refuseCredentialsInUrl, safeRequestSerializers, safeUrl } from '../observability/credentials-in-url.js';
import { mountUnderPrefix } from './http/mount-under-prefix.js';

export const QUEUE_UI_PREFIX = '/queues';

/**
 * bull-board for operators, on the api role's server under /queues, behind the API's tokens:
 * HTTP Basic with the client id as user and its token as password (a browser can send that), or
 * a bearer token. Read-only unless `writable`: retrying or removing jobs by hand can break an
 * order's bookkeeping, so it takes an explicit choice and the `order` scope.
 */
export async function mountQueueUi(options: { server: Server; queues: Queue[]; tokens: ApiTokens; writable: boolean; log: Logger }): Promise<() => Promise<void>> {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(QUEUE_UI_PREFIX);
  createBullBoard({
    queues: options.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: !options.writable })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Activation fleet queues' } },
  });
  const isToken = (value: string): boolean => options.tokens.authenticate(value) !== undefined;
  // bull-board's errors are logged through the fleet's logger, never with a credential in the URL.
  const app = Fastify({
    loggerInstance: options.log.child({ component: 'queue-ui' }, { serializers: safeRequestSerializers(isToken) }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  // First: a token in the URL is refused before anything (the refusal log below included) sees it.
  app.addHook('onRequest', refuseCredentialsInUrl(isToken));
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    let token: string | undefined;
    if (header.startsWith('Bearer ')) token = header.slice(7).trim();
    else if (header.startsWith('Basic ')) token = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':');
    const client = token ? options.tokens.authenticate(token) : undefined;
    const needs = options.writable && request.method !== 'GET' ? 'order' : 'read';
    if (!client || !client.scopes.has(needs)) {
      options.log.warn({ path: safeUrl(request.url, isToken), clientId: client?.clientId }, 'queue UI request refused');
      return reply.code(client ? 403 : 401).header('www-authenticate', 'Basic realm="activation-fleet queues"').send({ code: client ? 'API_FORBIDDEN' : 'API_UNAUTHENTICATED' });
    }
    return undefined;
  });
  await app.register(adapter.registerPlugin(), { prefix: QUEUE_UI_PREFIX });
  await app.ready();
  const unmount = mountUnderPrefix(options.server, QUEUE_UI_PREFIX, (req, res) => app.routing(req, res));
  return async () => {
    unmount();
    await app.close();
  };
}
