import type { Redis } from 'ioredis';
import { effectiveState, SERVICE_STATES, type ServiceInstance, type ServiceState } from '../inventory/service-instance.js';
import { reliedOnIds } from '../orders/relied-on-services.js';
import { randomBytes } from 'node:crypto';
import type { Keyspace } from './keyspace.js';
import { scriptsOn } from './scripts.js';

/**
 * The service inventory in Redis: one hash per service (the TMF638 document, its version and the
 * fields it is indexed by) and, per shard, one set per state, specification and NE. A service is
 * written only by the order transition that changes it (stores/order-store.ts), as a
 * compare-and-set on its version and in the same script as the item's completion, so the
 * inventory and the order never disagree, and a stale writer cannot overwrite a newer change.
 */

export interface ServiceQuery {
  state?: ServiceState;
  specification?: string;
  neId?: string;
  /** Exact match on one characteristic value (compared as text). */
  characteristic?: { name: string; value: string };
}

export interface VersionedService {
  service: ServiceInstance;
  version: number;
}

/** What an order transition needs to write one service: its keys and its part of the control. */
export interface ServiceWrite {
  keys: string[];
  /** Fills the transition's `service` section, given where each key ended up in KEYS. */
  control(indexOf: (key: string) => number): Record<string, unknown>;
  stored: ServiceInstance;
}

/**
 * The version of the lookup indexes a service write keeps: 2 added the reverse index of what a
 * service relies on (`services:rel:<id>`). Services written by an older fleet lack the newer
 * indexes until ensureLookupIndexes backfills them.
 */
export const SERVICE_INDEX_VERSION = 2;

export class ServiceInventoryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async get(id: string): Promise<ServiceInstance | undefined> {
    return (await this.getVersioned(id))?.service;
  }

  async getVersioned(id: string): Promise<VersionedService | undefined> {
    const [doc, v] = await this.redis.hmget(this.keys.service(id), 'doc', 'v');
    return typeof doc === 'string' ? { service: JSON.parse(doc) as ServiceInstance, version: Number(v ?? 0) } : undefined;
  }

  async getMany(ids: string[]): Promise<Map<string, ServiceInstance>> {
    const found = new Map<string, ServiceInstance>();
    if (ids.length === 0) return found;
    // One command per key: in a Redis Cluster the services live on different slots.
    const docs = await Promise.all(ids.map((id) => this.redis.hget(this.keys.service(id), 'doc')));
    docs.forEach((doc, i) => {
      if (typeof doc === 'string') found.set(ids[i] as string, JSON.parse(doc) as ServiceInstance);
    });
    return found;
  }

  /**
   * The write of `next` over the stored version `expect` (undefined for a new service): the
   * document, its version plus one, and its moves between the index sets.
   */
  writeOf(next: ServiceInstance, expect: { service?: ServiceInstance; version?: number }): ServiceWrite {
    const stored: ServiceInstance = { ...next, state: effectiveState(next) };
    const shard = this.keys.shardOf(stored.id);
    const indexKeys = (s: ServiceInstance | undefined): string[] =>
      s
        ? [
            this.keys.servicesInState(shard, s.state),
            this.keys.servicesOfSpec(shard, s.serviceSpecification.id),
            ...s.supportingResource.map((r) => this.keys.servicesOnNe(shard, r.id)),
            ...this.lookupIndexKeys(shard, s),
          ]
        : [];
    const after = indexKeys(stored);
    const before = indexKeys(expect.service).filter((k) => !after.includes(k));
    const serviceKey = this.keys.service(stored.id);
    const keys = [serviceKey, ...before, ...after];
    return {
      keys,
      stored,
      control: (indexOf) => ({
        idx: indexOf(serviceKey),
        id: stored.id,
        ...(expect.version !== undefined ? { expect: expect.version } : {}),
        doc: JSON.stringify(stored),
        state: stored.state,
        spec: stored.serviceSpecification.id,
        nes: stored.supportingResource.map((r) => r.id).join(','),
        srem: before.map(indexOf),
        sadd: after.map(indexOf),
      }),
    };
  }

  /**
   * Backfills the lookup indexes (characteristic values, and what each service relies on) of
   * services an older fleet wrote, once per fleet: the first process to find the recorded index
   * version older than SERVICE_INDEX_VERSION takes a lease, walks the inventory a page at a time
   * and adds every service to its lookup sets, then records the version. Only these indexes are
   * backfilled because their readers (holdersOf, dependentsOf) check each member against its
   * document, so a member added from a document that changed meanwhile is harmless; the state,
   * specification and NE sets are read unchecked and only the service's own writes change them.
   * Returns the services walked, or undefined when the indexes were current or another process
   * holds the lease. `keepGoing` is asked between pages (a process shutting down stops).
   */
  async ensureLookupIndexes(keepGoing: () => boolean = () => true, leaseMs = 120_000): Promise<number | undefined> {
    if (Number((await this.redis.get(this.keys.serviceIndexVersion)) ?? 0) >= SERVICE_INDEX_VERSION) return undefined;
    const owner = `${process.pid}:${randomBytes(4).toString('hex')}`;
    if ((await this.redis.set(this.keys.serviceIndexRunner, owner, 'PX', leaseMs, 'NX')) !== 'OK') return undefined;
    // Renewed and given up only while it is still ours (stores/lua/lease-keep.lua).
    const leaseKeep = scriptsOn(this.redis)['lease-keep'];
    let walked = 0;
    try {
      for await (const page of this.pages({})) {
        if (!keepGoing()) return walked;
        await Promise.all(page.flatMap((s) => this.lookupIndexKeys(this.keys.shardOf(s.id), s).map((key) => this.redis.sadd(key, s.id))));
        walked += page.length;
        await leaseKeep(1, this.keys.serviceIndexRunner, owner, leaseMs);
      }
      await this.redis.set(this.keys.serviceIndexVersion, String(SERVICE_INDEX_VERSION));
      return walked;
    } finally {
      await leaseKeep(1, this.keys.serviceIndexRunner, owner, 0);
    }
  }

  /** The lookup sets a service is in: its indexed characteristic values and what it relies on. */
  private lookupIndexKeys(shard: number, s: ServiceInstance): string[] {
    return [
      ...indexedCharacteristics(s).map(([name, value]) => this.keys.servicesWithCharacteristic(shard, s.serviceSpecification.id, name, value)),
      ...reliedOnIds(s).map((id) => this.keys.servicesRelyingOn(shard, id)),
    ];
  }

  /**
   * The services of `specId` that are on the network or recorded (not terminated) and whose
   * characteristic `name` holds `value`: who holds an identity (an MSISDN, say).
   */
  async holdersOf(specId: string, name: string, value: string): Promise<ServiceInstance[]> {
    const ids = (await Promise.all(this.keys.allShards().map((shard) => this.redis.smembers(this.keys.servicesWithCharacteristic(shard, specId, name, value))))).flat().sort();
    return [...(await this.getMany(ids)).values()].filter((s) => s.state !== 'terminated' && indexedCharacteristics(s).some(([n, v]) => n === name && v === value));
  }

  /**
   * The services that rely on `serviceId` and still record it (any state but terminated; the
   * caller decides which states matter), from the reverse index each service write keeps.
   */
  async dependentsOf(serviceId: string): Promise<ServiceInstance[]> {
    const ids = (await Promise.all(this.keys.allShards().map((shard) => this.redis.smembers(this.keys.servicesRelyingOn(shard, serviceId))))).flat().sort();
    return [...(await this.getMany(ids)).values()].filter((s) => s.state !== 'terminated' && reliedOnIds(s).includes(serviceId));
  }

  /**
   * The services matching `query`, one page at a time, for walks over the whole inventory (the
   * service audit) that must not hold every service in memory: per shard, the narrowest index set
   * (NE, then specification, then state; each state set in turn when there is no filter) is read
   * with SSCAN, the page's ids are checked against the other sets with SMISMEMBER, and only the
   * page's documents are loaded. SSCAN may return an id twice; ids already yielded are skipped,
   * so the walk holds the ids it has seen (tens of bytes each), never the documents.
   */
  async *pages(query: Omit<ServiceQuery, 'characteristic'> = {}, pageSize = 200): AsyncGenerator<ServiceInstance[]> {
    const seen = new Set<string>();
    for (const shard of this.keys.allShards()) {
      const filters = [
        ...(query.neId !== undefined ? [this.keys.servicesOnNe(shard, query.neId)] : []),
        ...(query.specification !== undefined ? [this.keys.servicesOfSpec(shard, query.specification)] : []),
        ...(query.state !== undefined ? [this.keys.servicesInState(shard, query.state)] : []),
      ];
      // Every service is in exactly one state set: with no filter, walking each covers them all once.
      const walks = filters.length > 0 ? [{ scan: filters[0] as string, also: filters.slice(1) }] : SERVICE_STATES.map((st) => ({ scan: this.keys.servicesInState(shard, st), also: [] as string[] }));
      for (const walk of walks) {
        let cursor = '0';
        do {
          const [next, found] = await this.redis.sscan(walk.scan, cursor, 'COUNT', pageSize);
          cursor = next;
          let ids = found.filter((id) => !seen.has(id));
          for (const set of walk.also) {
            if (ids.length === 0) break;
            const member = await this.redis.smismember(set, ...ids);
            ids = ids.filter((_, i) => member[i] === 1);
          }
          if (ids.length === 0) continue;
          for (const id of ids) seen.add(id);
          const services = [...(await this.getMany(ids.sort())).values()];
          if (services.length > 0) yield services;
        } while (cursor !== '0');
      }
    }
  }

  async query(query: ServiceQuery = {}): Promise<ServiceInstance[]> {
    const perShard = await Promise.all(
      this.keys.allShards().map((shard) => {
        const sets = [
          ...(query.state ? [this.keys.servicesInState(shard, query.state)] : []),
          ...(query.specification ? [this.keys.servicesOfSpec(shard, query.specification)] : []),
          ...(query.neId ? [this.keys.servicesOnNe(shard, query.neId)] : []),
        ];
        // Every service is in exactly one state set: their union is every service.
        return sets.length > 0 ? this.redis.sinter(...sets) : this.redis.sunion(...SERVICE_STATES.map((st) => this.keys.servicesInState(shard, st)));
      }),
    );
    const ids = perShard.flat().sort();
    const services = [...(await this.getMany(ids)).values()];
    const c = query.characteristic;
    return c ? services.filter((s) => s.serviceCharacteristic.some((x) => x.name === c.name && String(x.value) === c.value)) : services;
  }
}

/** Characteristic values short enough to index (strings, numbers, booleans up to 128 characters). */
export function indexedCharacteristics(service: ServiceInstance): Array<[string, string]> {
  return service.serviceCharacteristic.flatMap((c): Array<[string, string]> => {
    const v = c.value;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return [];
    const text = String(v);
    return text.length <= 128 ? [[c.name, text]] : [];
  });
}
