import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { refuseCredentialsInUrl } from './credentials-in-url.js';
import type { FleetMetrics } from './fleet-metrics.js';

/** How long a client may take; a slow (or trickling) client is cut after these. */
export interface HttpTimeouts {
  /** To send the request headers (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** To send the whole request, headers and body (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (Node's keepAliveTimeout). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000 };

export interface OpsServerOptions {
  port: number;
  /** @defaultValue '127.0.0.1' (loopback; containers bind 0.0.0.0) */
  host?: string;
  /** @defaultValue DEFAULT_HTTP_TIMEOUTS */
  timeouts?: HttpTimeouts;
  metrics: FleetMetrics;
  /** Readiness: Redis reachable and its state intact, not draining. Throws or returns a reason when not ready. */
  ready: () => Promise<string | undefined>;
  log: Logger;
}

/** /healthz (alive), /readyz (can take work) and /metrics, on every process; the API mounts on its server. */
export async function startOpsServer(options: OpsServerOptions): Promise<FastifyInstance> {
  const timeouts = options.timeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const app = Fastify({
    // Fastify's own request logging stays off: scrapes every few seconds would drown the job logs.
    logger: false,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      // Node looks for expired requests only this often (30 s by default), which would let a
      // slow client outlive its timeout by that much.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
    },
  });
  app.setErrorHandler((error, _request, reply) => {
    options.log.error({ err: error }, 'ops endpoint failed');
    void reply.code(500).send({ status: 'error' });
  });
  app.addHook('onRequest', refuseCredentialsInUrl());
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    let reason: string | undefined;
    try {
      reason = await options.ready();
    } catch (error) {
      reason = (error as Error).message;
    }
    if (reason !== undefined) return reply.code(503).send({ status: 'unavailable', reason });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  return app;
}
