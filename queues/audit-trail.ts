import type { Redis } from 'ioredis';
import type { AuditEntry } from '../adapters/audit.js';

/** An audit entry with the order item and step it was sent for. */
export interface AuditRecord extends AuditEntry {
  orderId: string;
  itemId: string;
  /** `activate` (steps and their tests, and the undo of a failed attempt) or `compensate`. */
  kind: 'activate' | 'compensate';
  step: string;
}

export interface AuditTrailOptions {
  prefix: string;
  /** Approximate entries kept per NE (its stream is trimmed beyond). */
  maxPerNe?: number;
  /** How long an order's entries are kept after its last write. */
  orderRetentionSeconds?: number;
}

/**
 * Every command, SNMP set/get and NETCONF RPC sent to an NE, with the reply, in two Redis
 * streams: one per order (what did this order do to the network?) and one per NE (what was done
 * to this router, by which orders?). Writes are queued as adapters report them and awaited with
 * `flush()` before a step's result is stored, so no recorded change outruns its audit.
 */
export class AuditTrail {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly maxPerNe: number;
  private readonly orderRetentionSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: AuditTrailOptions,
  ) {
    this.maxPerNe = options.maxPerNe ?? 100_000;
    this.orderRetentionSeconds = options.orderRetentionSeconds ?? 30 * 24 * 3600;
  }

  private orderKey(orderId: string): string {
    return `${this.options.prefix}:audit:order:${orderId}`;
  }

  private neKey(neId: string): string {
    return `${this.options.prefix}:audit:ne:${neId}`;
  }

  record(entry: AuditRecord): void {
    const json = JSON.stringify(entry);
    const write = this.redis
      .multi()
      .xadd(this.orderKey(entry.orderId), '*', 'entry', json)
      .expire(this.orderKey(entry.orderId), this.orderRetentionSeconds)
      .xadd(this.neKey(entry.neId), 'MAXLEN', '~', this.maxPerNe, '*', 'entry', json)
      .exec();
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write)).catch(() => undefined);
  }

  /** Waits for every entry recorded so far to be stored; rethrows a failed write. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async read(key: string, count: number): Promise<AuditRecord[]> {
    const entries = await this.redis.xrange(key, '-', '+', 'COUNT', count);
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as AuditRecord);
  }

  /** An order's exchanges with every NE, oldest first. */
  async listByOrder(orderId: string, count = 10_000): Promise<AuditRecord[]> {
    return this.read(this.orderKey(orderId), count);
  }

  /** The latest exchanges with one NE, oldest first. */
  async listByNe(neId: string, count = 1000): Promise<AuditRecord[]> {
    const newestFirst = await this.redis.xrevrange(this.neKey(neId), '+', '-', 'COUNT', count);
    return newestFirst.reverse().map(([, fields]) => JSON.parse(fields[1] ?? '{}') as AuditRecord);
  }
}
