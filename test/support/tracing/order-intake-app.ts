/**
 * The producer side of the tracing test: an HTTP API (Fastify) that records an order in Redis
 * and adds a job to a plain BullMQ queue with the fleet's telemetry. Prints READY <port>.
 */
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { inFleetSpan } from '../../../observability/tracing/fleet-spans.js';
import { bullmqTelemetry } from '../../../observability/tracing/bullmq-telemetry.js';
import { shutdownTracing } from '../../../observability/tracing/tracing-state.js';
import { createRedisConnection } from '../../../queues/redis-connection.js';

const redisUrl = process.env.REDIS_URL as string;
const queueName = process.env.QUEUE_NAME as string;
const redis = createRedisConnection(redisUrl, 'tracing-test:intake');
const telemetry = bullmqTelemetry();
const queue = new Queue(queueName, { connection: createRedisConnection(redisUrl, 'tracing-test:queue'), ...(telemetry ? { telemetry } : {}) });

const app = Fastify({ logger: false });
app.post<{ Body: { orderId: string } }>('/orders', async (request, reply) => {
  const { orderId } = request.body;
  await inFleetSpan('order.intake', { orderId, operation: 'intake' }, async (span) => {
    await redis.set(`tracing-test:order:${orderId}`, 'acknowledged');
    await queue.add('activate', { orderId, itemId: 'mobile-plan' });
    span.setOutcome('acknowledged');
  });
  return reply.code(201).send({ id: orderId });
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${(app.server.address() as AddressInfo).port}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    await app.close();
    await queue.close();
    await redis.quit();
    await shutdownTracing();
    process.exit(0);
  })();
});
