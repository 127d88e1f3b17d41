import type { Server } from 'node:http';
import type { Queue } from 'bullmq';
import { mountQueueUi } from './queue-ui.js';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import type { OrderStore } from '../stores/order-store.js';
import type { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import type { ServiceOrderProducer } from '../queues/service-order-producer.js';
import type { RedisProfile } from '../queues/redis-connection.js';
import type { ApiContext } from './api-context.js';
import { API_BASES, API_NAMES, API_PREFIX } from './api-paths.js';
import { ApiTokens } from './auth/api-tokens.js';
import { installBearerAuth } from './auth/bearer-auth.js';
import { installLabAuth } from './auth/lab-auth.js';
import { refuseCredentialsInUrl, safeRequestSerializers, safeUrl } from '../observability/credentials-in-url.js';
import { installErrorHandling } from './http/error-handler.js';
import { mountUnderPrefix } from './http/mount-under-prefix.js';
import { pluginNamed } from './http/plugin-name.js';
import { RouteTable } from './http/route-table.js';
import { ApiEventStream } from './notifications/api-event-stream.js';
import { HubRegistry } from './notifications/hub-registry.js';
import { ListenerDelivery } from './notifications/listener-delivery.js';
import { OrderEventsConsumer } from './notifications/order-events-consumer.js';
import { OrderFollower } from './notifications/order-follower.js';
import { ServiceEventTracker } from './notifications/service-event-tracker.js';
import { CancelTaskStore } from './resources/cancel-task-store.js';
import { settleOrphanedMonitors } from './resources/monitor-orphans.js';
import { MonitorStore } from './resources/monitor-store.js';
import { OrderListing } from './resources/order-listing.js';
import { PendingServiceStore } from './resources/pending-service-store.js';
import { cancelServiceOrderRoutes } from './routes/cancel-service-order-routes.js';
import { DOCS_PREFIX, registerDocs } from './routes/docs-routes.js';
import { hubRoutes } from './routes/hub-routes.js';
import { serviceActivationRoutes } from './routes/service-activation-routes.js';
import { serviceInventoryRoutes } from './routes/service-inventory-routes.js';
import { serviceOrderRoutes } from './routes/service-order-routes.js';
import { serviceOrderV3Routes } from './routes/service-order-v3-routes.js';
import type { TmfApiConfig, TmfApiOptions } from './tmf-api-options.js';

/** Order events that can change what the API derives (monitors, cancel tasks, services). */
const FOLLOWED_EVENTS = new Set(['ServiceOrderCreateEvent', 'ServiceOrderStateChangeEvent', 'ServiceOrderAttributeValueChangeEvent']);

export interface TmfApiDeps {
  /** The process's HTTP server (the ops server): the API answers everything under /tmf-api on it. */
  server: Server;
  producer: ServiceOrderProducer;
  store: OrderStore;
  services: ServiceInventoryStore;
  /** The catalog: what the API shows of a specification (category, description) and how it resolves ids. */
  catalog: ServiceCatalog;
  /**
   * Opens a named Redis connection that the caller closes when the process stops: `worker`
   * (waits through outages) by default, `producer` for what a request waits on (fails fast).
   */
  connect: (name: string, profile?: RedisProfile) => Redis;
  /** What the api reads of the process's configuration; runtime/ passes the fleet config. */
  config: TmfApiConfig;
  /** The API's own settings (runtime/tmf-api-settings.ts makes them from the fleet config). */
  options: TmfApiOptions;
  log: Logger;
  /** The fleet's queues, shown to operators by the queue UI under /queues. */
  queues?: Queue[];
}

export interface TmfApi {
  app: FastifyInstance;
  stop(): Promise<void>;
}

/** Builds the Fastify app of the three APIs, not listening: requests reach it through the mount. */
async function buildApp(ctx: ApiContext, tokens: ApiTokens | 'none'): Promise<FastifyInstance> {
  const isToken = (value: string): boolean => tokens !== 'none' && tokens.authenticate(value) !== undefined;
  const app = Fastify({
    // Fastify logs through the fleet's logger, never a URL with a credential in it; each request
    // is logged once, by the onResponse hook below.
    loggerInstance: ctx.log.child({}, { serializers: safeRequestSerializers(isToken) }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.options.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Report every violation, and never drop unknown fields silently: a typo is an error.
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });
  // The response schemas document; JSON.stringify writes (fields= projections and extension
  // attributes must pass through unchanged).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON only (415 otherwise); PATCH also takes RFC 7396 merge patch.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  const routes = new RouteTable();
  routes.watch(app);
  installErrorHandling(app, routes, ctx.log);
  // Before authentication: a token in the URL is refused even when it is valid.
  app.addHook('onRequest', refuseCredentialsInUrl(isToken));
  if (tokens === 'none') installLabAuth(app);
  else installBearerAuth(app, tokens, (url) => url.startsWith(DOCS_PREFIX));
  app.addHook('onResponse', async (request, reply) => {
    ctx.log.debug({ method: request.method, url: safeUrl(request.url, isToken), status: reply.statusCode, ms: Math.round(reply.elapsedTime), client: request.apiClient?.clientId }, 'tmf api request');
  });
  await registerDocs(app);
  await app.register(pluginNamed('tmf641-service-order', serviceOrderRoutes(ctx)), { prefix: API_BASES.serviceOrdering });
  await app.register(pluginNamed('tmf641-cancel-service-order', cancelServiceOrderRoutes(ctx)), { prefix: API_BASES.serviceOrdering });
  await app.register(pluginNamed('tmf641-v3-service-order', serviceOrderV3Routes(ctx)), { prefix: API_BASES.serviceOrderingV3 });
  await app.register(pluginNamed('tmf640-service-activation', serviceActivationRoutes(ctx)), { prefix: API_BASES.serviceActivation });
  await app.register(pluginNamed('tmf638-service-inventory', serviceInventoryRoutes(ctx)), { prefix: API_BASES.serviceInventory });
  for (const api of API_NAMES) await app.register(pluginNamed(`${api}-hub`, hubRoutes(ctx, api)), { prefix: API_BASES[api] });
  await app.ready();
  return app;
}

/**
 * The api role: TMF641, TMF640 and TMF638 over HTTP on the process's server, the notification
 * hubs, the consumer that derives notifications from order events, and the delivery of every
 * notification to the listeners.
 */
export async function startTmfApi(deps: TmfApiDeps): Promise<TmfApi> {
  const { config, options } = deps;
  const log = deps.log.child({ component: 'tmf-api' });
  const tokens = config.apiAuth === 'none' ? 'none' : await ApiTokens.load({ file: config.apiTokensFile, env: config.apiTokens });
  if (tokens === 'none') {
    log.warn({ host: config.httpHost }, 'API_AUTH=none: the TMF APIs answer without any token (lab mode, loopback only); never run a fleet like this for real orders');
  } else if (tokens.size === 0) {
    log.warn('no API tokens configured (API_TOKENS_FILE, API_TOKENS): every TMF API request will be refused with 401');
  }

  // Requests and the follower work on a fail-fast connection; the consumer and the delivery
  // worker below block, and wait through an outage.
  const redis = deps.connect('api', 'producer');
  const apiStreamKey = `${config.queuePrefix}:api:events`;
  const streams = [...deps.store.eventStreams, apiStreamKey];
  const hubs = new HubRegistry(redis, config.queuePrefix, streams);
  const delivery = new ListenerDelivery({ redis, prefix: config.queuePrefix, hubs, streams, options, log });
  const wakeAll = (): void => void delivery.wakeAll().catch((error: unknown) => log.warn({ err: error }, 'waking listeners failed'));
  const events = new ApiEventStream(redis, apiStreamKey, wakeAll);
  const monitors = new MonitorStore(redis, events, config.queuePrefix);
  const cancelTasks = new CancelTaskStore(redis, events, config.queuePrefix);
  const pendingServices = new PendingServiceStore(redis, config.queuePrefix);
  const follower = new OrderFollower({ store: deps.store, services: deps.services, monitors, cancelTasks, pendingServices, serviceEvents: new ServiceEventTracker(redis, events, config.queuePrefix) });
  const ctx: ApiContext = {
    producer: deps.producer,
    store: deps.store,
    services: deps.services,
    catalog: deps.catalog,
    monitors,
    pendingServices,
    cancelTasks,
    hubs,
    events,
    follower,
    listing: new OrderListing(deps.store),
    options,
    log,
  };

  const app = await buildApp(ctx, tokens);
  // One consumer group per shard's events stream (in a Redis Cluster each lives on its own slot).
  const consumers = deps.store.eventStreams.map(
    (stream, shard) =>
      new OrderEventsConsumer({
        redis: deps.connect(`api-events-${shard}`),
        stream,
        group: 'tmf-api',
        handle: async (entry) => {
          const event = entry.fields.get('event');
          const type = event ? ((JSON.parse(event) as { eventType?: string }).eventType ?? '') : '';
          const orderId = entry.fields.get('orderId');
          if (orderId && FOLLOWED_EVENTS.has(type)) await follower.follow(orderId);
        },
        afterBatch: () => delivery.wakeAll(),
        log,
      }),
  );
  for (const consumer of consumers) await consumer.start();
  delivery.start(deps.connect('api-delivery'));
  const orphanSweep = setInterval(() => {
    settleOrphanedMonitors({ monitors, store: deps.store, log }, options.monitorOrphanMs).catch((error: unknown) => log.warn({ err: error }, 'sweeping orphaned monitors failed; retrying later'));
  }, Math.min(30_000, Math.max(50, Math.floor(options.monitorOrphanMs / 2))));
  orphanSweep.unref();
  const unmount = mountUnderPrefix(deps.server, API_PREFIX, (req, res) => app.routing(req, res));
  const unmountQueueUi = deps.queues
    ? await mountQueueUi({ server: deps.server, queues: deps.queues, tokens: tokens === 'none' ? await ApiTokens.load({ file: config.apiTokensFile, env: config.apiTokens }) : tokens, writable: config.queueUiWritable, log })
    : undefined;
  log.info({ bases: Object.values(API_BASES), auth: tokens === 'none' ? 'none' : `${tokens.size} tokens` }, 'TMF Open APIs serving');

  return {
    app,
    async stop() {
      clearInterval(orphanSweep);
      await unmountQueueUi?.();
      unmount();
      await Promise.all(consumers.map((c) => c.stop()));
      await delivery.close();
      await app.close();
    },
  };
}
