import type { Redis } from 'ioredis';
import { effectiveState, type ServiceInstance, type ServiceState } from '../inventory/service-instance.js';

/**
 * The service inventory in Redis: one hash per service (the TMF638 document plus the fields it
 * is indexed by) and one set per state, specification and NE. A Lua script moves a service
 * between index sets in the same step that stores it, so queries never see it in two states.
 */
const PUT_SCRIPT = `
local old = redis.call('HMGET', KEYS[1], 'state', 'spec', 'nes')
local p, id = ARGV[5], ARGV[6]
if old[1] then redis.call('SREM', p .. ':services:state:' .. old[1], id) end
if old[2] then redis.call('SREM', p .. ':services:spec:' .. old[2], id) end
if old[3] then
  for ne in string.gmatch(old[3], '[^,]+') do redis.call('SREM', p .. ':services:ne:' .. ne, id) end
end
redis.call('HSET', KEYS[1], 'doc', ARGV[1], 'state', ARGV[2], 'spec', ARGV[3], 'nes', ARGV[4])
redis.call('SADD', p .. ':services:state:' .. ARGV[2], id)
redis.call('SADD', p .. ':services:spec:' .. ARGV[3], id)
for ne in string.gmatch(ARGV[4], '[^,]+') do redis.call('SADD', p .. ':services:ne:' .. ne, id) end
redis.call('SADD', p .. ':services:all', id)
return 1
`;

export interface ServiceQuery {
  state?: ServiceState;
  specification?: string;
  neId?: string;
  /** Exact match on one characteristic value (compared as text). */
  characteristic?: { name: string; value: string };
}

type InventoryRedis = Redis & { servicePut(key: string, ...args: string[]): Promise<number> };

export class ServiceInventoryStore {
  private readonly redis: InventoryRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('servicePut', { numberOfKeys: 1, lua: PUT_SCRIPT });
    this.redis = redis as InventoryRedis;
  }

  private key(id: string): string {
    return `${this.prefix}:service:${id}`;
  }

  async get(id: string): Promise<ServiceInstance | undefined> {
    const doc = await this.redis.hget(this.key(id), 'doc');
    return doc === null ? undefined : (JSON.parse(doc) as ServiceInstance);
  }

  async getMany(ids: string[]): Promise<Map<string, ServiceInstance>> {
    if (ids.length === 0) return new Map();
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.key(id), 'doc');
    const results = (await pipeline.exec()) ?? [];
    const found = new Map<string, ServiceInstance>();
    results.forEach(([, doc], i) => {
      if (typeof doc === 'string') found.set(ids[i] as string, JSON.parse(doc) as ServiceInstance);
    });
    return found;
  }

  /** Stores the service with its state derived from its suspensions. */
  async put(service: ServiceInstance): Promise<ServiceInstance> {
    const stored: ServiceInstance = { ...service, state: effectiveState(service) };
    const nes = stored.supportingResource.map((r) => r.id).join(',');
    await this.redis.servicePut(this.key(stored.id), JSON.stringify(stored), stored.state, stored.serviceSpecification.id, nes, this.prefix, stored.id);
    return stored;
  }

  async query(query: ServiceQuery = {}): Promise<ServiceInstance[]> {
    const sets = [
      ...(query.state ? [`${this.prefix}:services:state:${query.state}`] : []),
      ...(query.specification ? [`${this.prefix}:services:spec:${query.specification}`] : []),
      ...(query.neId ? [`${this.prefix}:services:ne:${query.neId}`] : []),
    ];
    const ids = sets.length > 0 ? await this.redis.sinter(...sets) : await this.redis.smembers(`${this.prefix}:services:all`);
    const services = [...(await this.getMany(ids.sort())).values()];
    const c = query.characteristic;
    return c ? services.filter((s) => s.serviceCharacteristic.some((x) => x.name === c.name && String(x.value) === c.value)) : services;
  }
}
