/**
 * The consumer side of the tracing test: a plain BullMQ worker with the fleet's telemetry
 * whose job reads the order from Redis and runs one NE exchange in a fleet span.
 */
import { Worker } from 'bullmq';
import { inFleetSpan, startFleetSpan } from '../../../observability/tracing/fleet-spans.js';
import { bullmqTelemetry } from '../../../observability/tracing/bullmq-telemetry.js';
import { shutdownTracing } from '../../../observability/tracing/tracing-state.js';
import { createLogger } from '../../../observability/logger.js';
import { createRedisConnection } from '../../../queues/redis-connection.js';

const redisUrl = process.env.REDIS_URL as string;
const queueName = process.env.QUEUE_NAME as string;
const redis = createRedisConnection(redisUrl, 'tracing-test:worker-store');
const log = createLogger({ level: 'info', name: 'tracing-test-worker' });
const telemetry = bullmqTelemetry();

const worker = new Worker<{ orderId: string; itemId: string }>(
  queueName,
  async (job) => {
    const { orderId, itemId } = job.data;
    await inFleetSpan('activation.item', { orderId, itemId, specification: 'mobile-plan', action: 'add' }, async (item) => {
      await redis.get(`tracing-test:order:${orderId}`);
      log.info({ orderId, itemId }, 'activating');
      const exchange = startFleetSpan('ne.exchange', { orderId, itemId, neId: 'pcrf-1', protocol: 'ssh-cli', step: 'provision-subscriber-policy', operation: 'command' }, { kind: 'client' });
      exchange.setOutcome('success');
      exchange.end();
      // A failed exchange: its code becomes the outcome, and the secret-looking password of the
      // error's other fields never reaches the span.
      const refused = startFleetSpan('ne.exchange', { orderId, itemId, neId: 'pcrf-1', protocol: 'ssh-cli', operation: 'command' }, { kind: 'client' });
      refused.end(Object.assign(new Error('pcrf-1: command rejected'), { code: 'NE_COMMAND_REJECTED', password: 'hunter2-secret' }));
      await redis.set(`tracing-test:order:${orderId}`, 'completed');
      item.setOutcome('completed');
    });
    return 'completed';
  },
  { connection: createRedisConnection(redisUrl, 'tracing-test:worker'), ...(telemetry ? { telemetry } : {}) },
);
await worker.waitUntilReady();
process.stdout.write('READY\n');

process.once('SIGTERM', () => {
  void (async () => {
    await worker.close();
    await redis.quit();
    await shutdownTracing();
    process.exit(0);
  })();
});
