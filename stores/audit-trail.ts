import type { Redis } from 'ioredis';
import type { AuditEntry } from '../adapters/audit.js';
import type { Keyspace } from './keyspace.js';

/** An audit entry with the order item and step it was sent for. */
export interface AuditRecord extends AuditEntry {
  orderId: string;
  itemId: string;
  /** `activate` (steps, tests, and the undo of a failed attempt), `compensate` or `abort`. */
  kind: string;
  step: string;
  /** Sent by an execution that had lost the item (a stale worker): what it really did, kept. */
  stale?: boolean;
}

export interface AuditTrailOptions {
  /** Approximate stream entries kept per NE and shard (each entry holds one transition's exchanges). */
  maxPerNe?: number;
  /** How long an order's entries are kept after its last write. */
  orderRetentionSeconds?: number;
}

/** The audit section of an order transition: its keys and its part of the control. */
export interface AuditWrite {
  keys: string[];
  control(indexOf: (key: string) => number): Record<string, unknown>;
}

/**
 * Every command, SNMP set/get and NETCONF RPC sent to an NE, with the reply, in two kinds of
 * stream: one per order (what did this order do to the network?) and one per NE and shard (what
 * was done to this router, by which orders?). Entries are written by the order transition that
 * follows the exchanges, in the same script as the ledger and state they explain, one stream
 * entry per transition and stream, so no recorded change outruns its audit and a busy item costs
 * two stream writes per step, not two per command.
 */
export class AuditTrail {
  private readonly maxPerNe: number;
  private readonly orderRetentionSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    options: AuditTrailOptions = {},
  ) {
    this.maxPerNe = options.maxPerNe ?? 100_000;
    this.orderRetentionSeconds = options.orderRetentionSeconds ?? 30 * 24 * 3600;
  }

  /** The writes of `records` (all of one order) for a transition of that order. */
  writeOf(orderId: string, records: AuditRecord[]): AuditWrite | undefined {
    if (records.length === 0) return undefined;
    const shard = this.keys.shardOf(orderId);
    const orderKey = this.keys.auditOfOrder(orderId);
    const byNe = new Map<string, AuditRecord[]>();
    for (const r of records) {
      const list = byNe.get(r.neId);
      if (list) list.push(r);
      else byNe.set(r.neId, [r]);
    }
    const neKeys = [...byNe.keys()].map((ne) => this.keys.auditOfNe(shard, ne));
    return {
      keys: [orderKey, ...neKeys],
      control: (indexOf) => ({
        order: indexOf(orderKey),
        ttl: this.orderRetentionSeconds,
        maxlen: this.maxPerNe,
        // An NE stream whose entry holds every record (one NE, the common case) names the
        // order's entry instead of a second copy of the same JSON: the script writes it twice.
        entries: [[indexOf(orderKey), JSON.stringify(records)], ...[...byNe.entries()].map(([ne, list]) => [indexOf(this.keys.auditOfNe(shard, ne)), list.length === records.length ? 1 : JSON.stringify(list)])],
      }),
    };
  }

  /**
   * A session event no order item caused (a pool logging out of an idle session), into the NE's
   * trail: with no order, it is a record of kind `session` with empty order, item and step.
   */
  async recordSession(entry: AuditEntry): Promise<void> {
    const record: AuditRecord = { ...entry, orderId: '', itemId: '', kind: 'session', step: '' };
    await this.redis.xadd(this.keys.auditOfNe(this.keys.shardOf(entry.neId), entry.neId), 'MAXLEN', '~', this.maxPerNe, '*', 'entries', JSON.stringify([record]));
  }

  private static flatten(entries: Array<[string, string[]]>): AuditRecord[] {
    return entries.flatMap(([, fields]) => {
      const at = fields.indexOf('entries');
      return at >= 0 ? (JSON.parse(fields[at + 1] ?? '[]') as AuditRecord[]) : [];
    });
  }

  /** An order's exchanges with every NE, oldest first. */
  async listByOrder(orderId: string, count = 10_000): Promise<AuditRecord[]> {
    return AuditTrail.flatten(await this.redis.xrange(this.keys.auditOfOrder(orderId), '-', '+', 'COUNT', count)).slice(0, count);
  }

  /** The latest exchanges with one NE, by every order of every shard, oldest first. */
  async listByNe(neId: string, count = 1000): Promise<AuditRecord[]> {
    const perShard = await Promise.all(this.keys.allShards().map((shard) => this.redis.xrevrange(this.keys.auditOfNe(shard, neId), '+', '-', 'COUNT', count)));
    const records = perShard.flatMap((entries) => AuditTrail.flatten(entries));
    return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-count);
  }
}
