import type { Redis } from 'ioredis';
import { FINAL_STATES } from '../../orders/order-states.js';

// Mirrors the key layout of queues/order-store.ts (order hash, id index, externalId key). The
// state is checked inside the script, so an order that moves on meanwhile is never deleted.
// KEYS: order hash, orders index. ARGV: id, key prefix for idempotency keys, final states...
const DELETE_FINAL = `
local doc = redis.call('HGET', KEYS[1], 'doc')
if not doc then return 0 end
local order = cjson.decode(doc).order
local final = false
for i = 3, #ARGV do if order.state == ARGV[i] then final = true end end
if not final then return -1 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if type(order.externalId) == 'string' then
  local key = ARGV[2] .. 'external:' .. order.externalId
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1
`;

type DeletionRedis = Redis & { deleteFinalOrder(orderKey: string, indexKey: string, ...args: string[]): Promise<number> };

/**
 * Housekeeping removal of a final order (TMF641 DELETE). Its events stay in the stream and its
 * services in the inventory; its id and externalId become free again.
 */
export class OrderDeletion {
  private readonly redis: DeletionRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('deleteFinalOrder', { numberOfKeys: 2, lua: DELETE_FINAL });
    this.redis = redis as DeletionRedis;
  }

  /** 'deleted', 'missing', or 'notFinal' (nothing changed). */
  async deleteIfFinal(id: string): Promise<'deleted' | 'missing' | 'notFinal'> {
    const result = await this.redis.deleteFinalOrder(`${this.prefix}:order:${id}`, `${this.prefix}:orders`, id, `${this.prefix}:order-key:`, ...FINAL_STATES);
    return result === 1 ? 'deleted' : result === 0 ? 'missing' : 'notFinal';
  }
}
