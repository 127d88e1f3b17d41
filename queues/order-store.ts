import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FleetError } from '../errors/index.js';
import { orderEvents, type OrderEvent } from '../orders/order-events.js';
import type { OrderRecord } from '../orders/order-record.js';
import { FINAL_STATES, isFinalState } from '../orders/order-states.js';

/**
 * Order state in Redis beside the queues. Each change is one compare-and-set Lua call that
 * also appends the change's TMF events to a stream: the state and its notification are stored
 * together or not at all, and upstream systems read the stream with XREAD/XREADGROUP.
 */

// KEYS: order, events, orders, open orders, idempotency keys...
// ARGV: id, doc, events maxlen, order date (ms), expected completion (ms, '' when final), event pairs...
const CREATE_SCRIPT = `
for i = 5, #KEYS do
  local existing = redis.call('GET', KEYS[i])
  if existing then return {0, existing} end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, ARGV[1]} end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'v', 1, 'doc', ARGV[2], 't', t[1] * 1000 + math.floor(t[2] / 1000))
for i = 5, #KEYS do redis.call('SET', KEYS[i], ARGV[1]) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1]) end
for i = 6, #ARGV, 2 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'orderId', ARGV[1], 'type', ARGV[i], 'event', ARGV[i + 1])
end
return {1, ARGV[1]}
`;

// KEYS: order, events, open orders. ARGV: version, doc, maxlen, id, expected completion
// (ms; '' when the order is final, which takes it off the open set), event pairs...
const UPDATE_SCRIPT = `
local v = redis.call('HGET', KEYS[1], 'v')
if v ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'v', tonumber(v) + 1, 'doc', ARGV[2], 't', t[1] * 1000 + math.floor(t[2] / 1000))
if ARGV[5] == '' then redis.call('ZREM', KEYS[3], ARGV[4]) else redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4]) end
for i = 6, #ARGV, 2 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'orderId', ARGV[4], 'type', ARGV[i], 'event', ARGV[i + 1])
end
return 1
`;

// KEYS: order hash, orders index, open orders. ARGV: id, idempotency key prefix, final states...
// The state is checked inside the script: an order that moves on meanwhile is never deleted.
const DELETE_FINAL_SCRIPT = `
local doc = redis.call('HGET', KEYS[1], 'doc')
if not doc then return 0 end
local order = cjson.decode(doc).order
local final = false
for i = 3, #ARGV do if order.state == ARGV[i] then final = true end end
if not final then return -1 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if type(order.externalId) == 'string' then
  local key = ARGV[2] .. 'external:' .. order.externalId
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1
`;

type StoreRedis = Redis & {
  orderDeleteFinal(...args: string[]): Promise<number>;
  orderCreate(...args: (string | number)[]): Promise<[number, string]>;
  orderUpdate(...args: (string | number)[]): Promise<number>;
};

/** The open-set score of an order: its expected completion, or '' once it is final. */
function openScore(record: OrderRecord): string {
  if (isFinalState(record.order.state)) return '';
  const expected = Date.parse(record.order.expectedCompletionDate ?? '');
  return String(Number.isFinite(expected) ? expected : Date.parse(record.order.orderDate) + 24 * 3600 * 1000);
}

export interface OrderStoreOptions {
  /** Key prefix; defaults to the queue prefix so one prefix isolates a whole fleet. */
  prefix: string;
  /** Approximate length the events stream is trimmed to. */
  eventsMaxLength?: number;
  /** Compare-and-set retries before giving up with ORDER_CONCURRENT_UPDATE. */
  maxUpdateAttempts?: number;
}

export interface StoredEvent {
  streamId: string;
  orderId: string;
  event: OrderEvent;
}

export class OrderStore {
  private readonly redis: StoreRedis;
  private readonly prefix: string;
  private readonly eventsMaxLength: number;
  private readonly maxUpdateAttempts: number;
  private blockingRedis: Redis | undefined;

  constructor(redis: Redis, options: OrderStoreOptions) {
    redis.defineCommand('orderCreate', { lua: CREATE_SCRIPT });
    redis.defineCommand('orderUpdate', { numberOfKeys: 3, lua: UPDATE_SCRIPT });
    redis.defineCommand('orderDeleteFinal', { numberOfKeys: 3, lua: DELETE_FINAL_SCRIPT });
    this.redis = redis as StoreRedis;
    this.prefix = options.prefix;
    this.eventsMaxLength = options.eventsMaxLength ?? 100_000;
    this.maxUpdateAttempts = options.maxUpdateAttempts ?? 50;
  }

  get eventsKey(): string {
    return `${this.prefix}:events`;
  }

  /** Orders not yet final, scored by expected completion: what the jeopardy tracker watches. */
  get openKey(): string {
    return `${this.prefix}:orders:open`;
  }

  /** How many orders are open, and how many of them are past their expected completion. */
  async openCounts(nowMs = Date.now()): Promise<{ open: number; overdue: number }> {
    const [open, overdue] = await Promise.all([this.redis.zcard(this.openKey), this.redis.zcount(this.openKey, '-inf', nowMs)]);
    return { open, overdue };
  }

  /** Ids of open orders expected to complete before `beforeMs` (epoch ms). */
  async openOrdersDueBefore(beforeMs: number, limit = 1000): Promise<string[]> {
    return this.redis.zrangebyscore(this.openKey, '-inf', beforeMs, 'LIMIT', 0, limit);
  }

  private orderKey(id: string): string {
    return `${this.prefix}:order:${id}`;
  }

  private eventArgs(events: OrderEvent[]): string[] {
    return events.flatMap((e) => [e.eventType, JSON.stringify(e)]);
  }

  /**
   * Stores a new order unless one with the same id or any of the idempotency keys exists.
   * Returns the id of the order that holds them, and whether it was created now.
   */
  async create(record: OrderRecord, idempotencyKeys: string[], now: string): Promise<{ created: boolean; orderId: string }> {
    const keys = [this.orderKey(record.order.id), this.eventsKey, `${this.prefix}:orders`, this.openKey, ...idempotencyKeys.map((k) => `${this.prefix}:order-key:${k}`)];
    const events = orderEvents(undefined, record.order, now, randomUUID);
    const [created, orderId] = await this.redis.orderCreate(
      keys.length,
      ...keys,
      record.order.id,
      JSON.stringify(record),
      this.eventsMaxLength,
      Date.parse(now),
      openScore(record),
      ...this.eventArgs(events),
    );
    return { created: created === 1, orderId };
  }

  async get(id: string): Promise<OrderRecord | undefined> {
    const [version, doc] = await this.redis.hmget(this.orderKey(id), 'v', 'doc');
    if (version == null || doc == null) return undefined;
    this.remember(id, version, doc);
    return JSON.parse(doc) as OrderRecord;
  }

  /**
   * The last version of each order this process read or wrote. An update starts from it and
   * only reads Redis when the compare-and-set shows someone else changed the order since: the
   * worker and orchestrator usually write an order several times in a row, so most updates save
   * a round trip. Bounded: the oldest entries go first.
   */
  private readonly known = new Map<string, { version: string; doc: string }>();

  private remember(id: string, version: string, doc: string): void {
    this.known.delete(id);
    this.known.set(id, { version, doc });
    if (this.known.size > 5000) this.known.delete(this.known.keys().next().value as string);
  }

  async require(id: string): Promise<OrderRecord> {
    const record = await this.get(id);
    if (!record) throw new FleetError('ORDER_NOT_FOUND', `no service order with id ${id}`);
    return record;
  }

  /**
   * Applies `change` atomically: read, change, compare-and-set, retried while another process
   * changed the order in between. `change` must be pure (it may run several times); returning
   * the same record (or undefined) stores nothing. Returns the record as stored.
   */
  async update(id: string, change: (record: OrderRecord) => OrderRecord | undefined, now: () => string = () => new Date().toISOString()): Promise<OrderRecord> {
    for (let attempt = 0; attempt < this.maxUpdateAttempts; attempt++) {
      const cached = attempt === 0 ? this.known.get(id) : undefined;
      const [version, doc] = cached ? [cached.version, cached.doc] : await this.redis.hmget(this.orderKey(id), 'v', 'doc');
      if (version == null || doc == null) throw new FleetError('ORDER_NOT_FOUND', `no service order with id ${id}`);
      if (!cached) this.remember(id, version, doc);
      const current = JSON.parse(doc) as OrderRecord;
      const next = change(current);
      const nextDoc = next === undefined || next === current ? doc : JSON.stringify(next);
      if (next === undefined || nextDoc === doc) {
        // "Nothing to do" must be decided on the order as Redis holds it, not on our copy.
        if (cached) continue;
        return current;
      }
      const events = orderEvents(current.order, next.order, now(), randomUUID);
      const stored = await this.redis.orderUpdate(this.orderKey(id), this.eventsKey, this.openKey, version, nextDoc, this.eventsMaxLength, id, openScore(next), ...this.eventArgs(events));
      if (stored === 1) {
        this.remember(id, String(Number(version) + 1), nextDoc);
        return next;
      }
      this.known.delete(id);
      // Another process changed the order (or our copy was stale): read it and try again.
      if (cached) continue;
      // Lost the race: back off a little with jitter so competing writers spread out.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
    }
    throw new FleetError('ORDER_CONCURRENT_UPDATE', `order ${id} kept changing during ${this.maxUpdateAttempts} update attempts`);
  }

  /** When each order last changed (epoch ms, Redis's clock), for the reconciler. */
  async lastChanged(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.orderKey(id), 't');
    const results = (await pipeline.exec()) ?? [];
    return new Map(ids.map((id, i) => [id, Number(results[i]?.[1] ?? 0)]));
  }

  /** Every open order id (not final), oldest expected completion first. */
  async openOrders(limit = 10_000): Promise<string[]> {
    return this.redis.zrange(this.openKey, 0, limit - 1);
  }

  /**
   * Housekeeping removal of a final order (TMF641 DELETE). Its events stay in the stream and its
   * services in the inventory; its id and externalId become free again.
   * Returns 'deleted', 'missing', or 'notFinal' (nothing changed).
   */
  async deleteIfFinal(id: string): Promise<'deleted' | 'missing' | 'notFinal'> {
    const result = await this.redis.orderDeleteFinal(this.orderKey(id), `${this.prefix}:orders`, this.openKey, id, `${this.prefix}:order-key:`, ...FINAL_STATES);
    return result === 1 ? 'deleted' : result === 0 ? 'missing' : 'notFinal';
  }

  /** Order ids, newest first. */
  async list(offset = 0, limit = 100): Promise<string[]> {
    return this.redis.zrevrange(`${this.prefix}:orders`, offset, offset + limit - 1);
  }

  /** Events after `afterId` (exclusive; `0` for all, `$` for only new ones), waiting up to `blockMs`. */
  async readEvents(afterId: string, options: { count?: number; blockMs?: number } = {}): Promise<StoredEvent[]> {
    const args: (string | number)[] = ['COUNT', options.count ?? 100];
    if (options.blockMs !== undefined) args.push('BLOCK', options.blockMs);
    // A blocking read would stall every other command on the shared connection: use its own.
    const redis = options.blockMs === undefined ? this.redis : (this.blockingRedis ??= this.redis.duplicate());
    const reply = (await redis.call('XREAD', ...args, 'STREAMS', this.eventsKey, afterId)) as Array<[string, Array<[string, string[]]>]> | null;
    const entries = reply?.[0]?.[1] ?? [];
    return entries.map(([streamId, fields]) => {
      const map = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
      return { streamId, orderId: map.get('orderId') ?? '', event: JSON.parse(map.get('event') ?? '{}') as OrderEvent };
    });
  }

  /** Closes the connection opened for blocking event reads (the main one belongs to the caller). */
  async close(): Promise<void> {
    await this.blockingRedis?.quit().catch(() => undefined);
    this.blockingRedis = undefined;
  }
}
