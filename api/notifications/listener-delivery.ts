import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withAbsoluteHrefs } from '../http/absolute-hrefs.js';
import type { TmfApiOptions } from '../tmf-api-options.js';
import type { Hub, HubRegistry } from './hub-registry.js';
import { matchesHubQuery, parseHubQuery, type HubQuery } from './hub-query.js';
import { notificationFor } from './notification-version.js';
import { compareStreamIds, toEntries } from './stream-id.js';
import { apisOf, completeNotification, type TmfNotification } from './tmf-notification.js';

export const DELIVERY_QUEUE = 'tmf-notification-delivery';
/** The one job name of the delivery queue: drain a listener's backlog. */
export const DELIVERY_JOBS = { drain: 'drain' } as const;

interface DeliveryJob {
  listenerId: string;
}

/** A listener did not take a notification; BullMQ retries the job with backoff. */
export class ListenerDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenerDeliveryError';
  }
}

// The drain token of a listener is the id of the one job allowed to deliver to it.
// KEYS: token. ARGV: expected job id, new job id ('' deletes), ttl ms.
const HAND_OVER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`;

// Gives the token up only when nothing is left to send; otherwise the job goes on.
// KEYS: token, hub, streams... ARGV: job id.
const RELEASE_IF_CAUGHT_UP = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
for i = 3, #KEYS do
  local cursor = redis.call('HGET', KEYS[2], 'cursor:' .. KEYS[i]) or '0-0'
  if #redis.call('XRANGE', KEYS[i], '(' .. cursor, '+', 'COUNT', 1) > 0 then return 0 end
end
redis.call('DEL', KEYS[1])
return 1
`;

type DeliveryRedis = Redis & {
  hubHandOver(token: string, expected: string, next: string, ttlMs: number): Promise<number>;
  hubReleaseIfCaughtUp(numKeys: number, ...args: string[]): Promise<number>;
};

interface PendingNotification {
  stream: string;
  entryId: string;
  notification: TmfNotification;
}

const BATCH = 50;
/** Entries one job looks at before handing over to a fresh job, so busy listeners take turns. */
const ENTRIES_PER_JOB = 500;

/**
 * Sends each listener its notifications from the streams, in stream order, one job per
 * listener at a time. A listener has a cursor per stream and a token naming the one job that
 * may deliver to it; a failed POST fails that job, which BullMQ retries with capped exponential
 * backoff from the same cursor. So a listener that is down misses nothing and receives
 * everything in order once it is back; jobs run on whichever api process is free.
 */
export class ListenerDelivery {
  private readonly redis: DeliveryRedis;
  private readonly queue: Queue<DeliveryJob>;
  private worker: Worker<DeliveryJob> | undefined;
  private readonly tokenTtlMs: number;

  constructor(
    private readonly deps: {
      redis: Redis;
      prefix: string;
      hubs: HubRegistry;
      /** The notification streams, each entry with `type` and `event` (JSON) fields. */
      streams: readonly string[];
      options: TmfApiOptions;
      log: Logger;
    },
  ) {
    deps.redis.defineCommand('hubHandOver', { numberOfKeys: 1, lua: HAND_OVER });
    deps.redis.defineCommand('hubReleaseIfCaughtUp', { lua: RELEASE_IF_CAUGHT_UP });
    this.redis = deps.redis as DeliveryRedis;
    this.queue = new Queue<DeliveryJob>(DELIVERY_QUEUE, { connection: deps.redis, prefix: deps.prefix });
    // Outlives the longest backoff wait by far, yet frees a listener whose job vanished.
    this.tokenTtlMs = Math.max(10 * 60_000, 5 * deps.options.notifyMaxBackoffMs);
  }

  private tokenKey(listenerId: string): string {
    return `${this.deps.hubs.key(listenerId)}:drain`;
  }

  start(connection: Redis): void {
    const { options } = this.deps;
    this.worker = new Worker<DeliveryJob>(DELIVERY_QUEUE, (job) => this.drain(job), {
      connection,
      prefix: this.deps.prefix,
      concurrency: options.deliveryConcurrency,
      // BullMQ renews the lock while a delivery runs, however long its POST takes: a short lock
      // only means a killed api process's deliveries move to another one within ~20 s, not 60.
      lockDuration: 15_000,
      stalledInterval: 5_000,
      settings: {
        backoffStrategy: (attemptsMade: number) => {
          const delay = Math.min(options.notifyBackoffMs * 2 ** Math.max(0, attemptsMade - 1), options.notifyMaxBackoffMs);
          return Math.round(delay * (0.8 + Math.random() * 0.4));
        },
      },
    });
    this.worker.on('error', (error) => this.deps.log.error({ err: error }, 'notification delivery worker error'));
  }

  /** Makes sure a job will look at the listener's streams (a no-op while one already owns it). */
  async wake(listenerId: string): Promise<void> {
    const jobId = randomUUID();
    const set = await this.redis.set(this.tokenKey(listenerId), jobId, 'PX', this.tokenTtlMs, 'NX');
    if (set === 'OK') await this.enqueue(listenerId, jobId);
  }

  async wakeAll(): Promise<void> {
    for (const id of await this.deps.hubs.ids()) await this.wake(id);
  }

  private async enqueue(listenerId: string, jobId: string): Promise<void> {
    await this.queue.add(
      DELIVERY_JOBS.drain,
      { listenerId },
      {
        jobId,
        attempts: this.deps.options.notifyAttempts,
        backoff: { type: 'cappedExponential' },
        removeOnComplete: true,
        removeOnFail: { count: this.deps.options.failedDeliveriesKept.count, age: this.deps.options.failedDeliveriesKept.ageSeconds },
      },
    );
  }

  private async drain(job: Job<DeliveryJob>): Promise<void> {
    const { listenerId } = job.data;
    const me = job.id ?? '';
    const token = this.tokenKey(listenerId);
    try {
      let looked = 0;
      while (looked < ENTRIES_PER_JOB) {
        // Still ours? (The token expired and another job took over, or the listener is gone.)
        if ((await this.redis.hubHandOver(token, me, me, this.tokenTtlMs)) === 0) return;
        const hub = await this.deps.hubs.get(listenerId);
        if (!hub) {
          await this.redis.hubHandOver(token, me, '', 0);
          return;
        }
        const batch = await this.nextBatch(hub);
        if (batch.length === 0) {
          if ((await this.redis.hubReleaseIfCaughtUp(2 + this.deps.streams.length, token, this.deps.hubs.key(listenerId), ...this.deps.streams, me)) !== 0) return;
          continue;
        }
        const query = parseHubQuery(hub.api, hub.query);
        for (const pending of batch) {
          const shown = notificationFor(hub.api, pending.notification);
          if (this.concerns(hub, query, shown)) await this.post(hub, hub.baseUrl ? withAbsoluteHrefs(shown, hub.baseUrl) : shown);
          await this.deps.hubs.advance(listenerId, pending.stream, pending.entryId);
          looked += 1;
        }
      }
      const next = randomUUID();
      if ((await this.redis.hubHandOver(token, me, next, this.tokenTtlMs)) === 1) await this.enqueue(listenerId, next);
    } catch (error) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.deps.log.warn({ err: error, listenerId, attempt: job.attemptsMade + 1, last }, last ? 'listener unreachable; giving up until its next event' : 'listener delivery failed; retrying with backoff');
      // Out of attempts: free the listener, so the next wake starts over from the same cursor.
      if (last) await this.redis.hubHandOver(token, me, '', 0);
      throw error;
    }
  }

  private concerns(hub: Hub, query: HubQuery, notification: TmfNotification): boolean {
    return apisOf(notification.eventType).includes(hub.api) && matchesHubQuery(query, notification);
  }

  /**
   * The next notifications across the streams, merged by stream id (ids share Redis's clock).
   * A stream that returned a full batch may hold more: nothing after its last entry is taken
   * from the other streams yet.
   */
  private async nextBatch(hub: Hub): Promise<PendingNotification[]> {
    const perStream = await Promise.all(
      this.deps.streams.map(async (stream) => {
        const raw = (await this.redis.xrange(stream, `(${hub.cursors[stream] ?? '0-0'}`, '+', 'COUNT', BATCH)) as Array<[string, string[]]>;
        return { stream, entries: toEntries(raw) };
      }),
    );
    const cutoffs = perStream.filter((s) => s.entries.length === BATCH).map((s) => s.entries.at(-1)?.id ?? '0-0');
    const cutoff = cutoffs.sort(compareStreamIds)[0];
    return perStream
      .flatMap(({ stream, entries }) =>
        entries.map((e) => ({ stream, entryId: e.id, notification: completeNotification(JSON.parse(e.fields.get('event') ?? '{}') as TmfNotification) })),
      )
      .filter((p) => cutoff === undefined || compareStreamIds(p.entryId, cutoff) <= 0)
      .sort((a, b) => compareStreamIds(a.entryId, b.entryId));
  }

  private async post(hub: Hub, notification: TmfNotification): Promise<void> {
    let response: Response;
    try {
      response = await fetch(hub.callback, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notification),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.deps.options.notifyTimeoutMs),
      });
    } catch (error) {
      throw new ListenerDeliveryError(`${notification.eventType} ${notification.eventId} to listener ${hub.id}: ${(error as Error).message}`);
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new ListenerDeliveryError(`${notification.eventType} ${notification.eventId} to listener ${hub.id}: HTTP ${response.status}`);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
