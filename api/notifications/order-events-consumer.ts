import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { toEntries, type StreamEntry } from './stream-id.js';

export interface OrderEventsConsumerOptions {
  /** A connection of its own: XREADGROUP blocks it. */
  redis: Redis;
  stream: string;
  group: string;
  /** Handles one entry; an entry whose handler throws stays pending and is retried later. */
  handle: (entry: StreamEntry) => Promise<void>;
  /** After each batch (and every `sweepMs`): e.g. wake the listeners. */
  afterBatch: () => Promise<void>;
  log: Logger;
  /** An entry pending this long with a consumer is taken over (its process died). */
  claimIdleMs?: number;
  blockMs?: number;
  sweepMs?: number;
}

/**
 * Reads the order events stream in a consumer group, so that the api processes share the work
 * and each entry is handled by one of them, at least once: entries are acknowledged after they
 * are handled, and those left pending by a dead process are claimed by another (XAUTOCLAIM).
 * A group that vanishes under it (NOGROUP: Redis lost its state) is created again.
 */
export class OrderEventsConsumer {
  private readonly consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;
  private lastSweep = 0;

  constructor(private readonly options: OrderEventsConsumerOptions) {}

  private grouped: (() => void) | undefined;

  /**
   * Starts reading once the group exists. While Redis does not answer it waits no longer than
   * `startWaitMs`, so the API serves (503s) meanwhile; the loop creates the group later.
   */
  async start(startWaitMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve) => {
      this.grouped = resolve;
      timer = setTimeout(resolve, startWaitMs);
    });
    this.loop = this.run();
    await ready;
    clearTimeout(timer);
  }

  private async createGroup(from: '$' | '0'): Promise<void> {
    try {
      await this.options.redis.xgroup('CREATE', this.options.stream, this.options.group, from, 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  private async run(): Promise<void> {
    const { redis, stream, group } = this.options;
    let grouped = false;
    while (!this.stopped) {
      try {
        if (!grouped) {
          // '$': the group starts with what happens from now on, not with the stream's history.
          await this.createGroup('$');
          grouped = true;
          this.grouped?.();
        }
        const now = Date.now();
        if (now - this.lastClaim >= (this.options.claimIdleMs ?? 30_000) / 2) {
          this.lastClaim = now;
          const [, claimed] = (await redis.call('XAUTOCLAIM', stream, group, this.consumer, this.options.claimIdleMs ?? 30_000, '0-0', 'COUNT', 100)) as [string, Array<[string, string[]]>];
          await this.handleAll(toEntries(claimed.filter((e) => e !== null)));
        }
        const reply = (await redis.call('XREADGROUP', 'GROUP', group, this.consumer, 'COUNT', 100, 'BLOCK', this.options.blockMs ?? 500, 'STREAMS', stream, '>')) as Array<
          [string, Array<[string, string[]]>]
        > | null;
        await this.handleAll(toEntries(reply?.[0]?.[1]));
        if (Date.now() - this.lastSweep >= (this.options.sweepMs ?? 30_000)) {
          this.lastSweep = Date.now();
          await this.options.afterBatch();
        }
      } catch (error) {
        if (this.stopped) break;
        if (String((error as Error).message).startsWith('NOGROUP')) {
          // The group (or the whole stream) is gone: Redis lost its state, or someone deleted it.
          // From '0': whatever the new stream already holds was written after the loss.
          this.options.log.error({ err: error, stream, group }, 'order events consumer: the consumer group is gone (Redis state lost?); recreating it from the start of the stream');
          try {
            await this.createGroup('0');
            continue;
          } catch (createError) {
            this.options.log.warn({ err: createError }, 'order events consumer: recreating the group failed; retrying');
          }
        } else {
          this.options.log.warn({ err: error }, 'order events consumer: read failed; retrying');
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async handleAll(entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) {
      try {
        await this.options.handle(entry);
        await this.options.redis.xack(this.options.stream, this.options.group, entry.id);
      } catch (error) {
        this.options.log.warn({ err: error, entryId: entry.id }, 'order event not handled; it stays pending and is retried');
      }
    }
    await this.options.afterBatch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
