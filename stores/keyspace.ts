import { crc32 } from 'node:zlib';

/**
 * Every Redis key of the fleet, built here and nowhere else (BullMQ's queue-keys.ts is the
 * model). Two kinds of key:
 *
 * - base keys, under the fleet's prefix as one hash tag (`{activation-fleet}:...`): intake and
 *   orchestration queues, NE budgets, the TMF API's own resources, the fleet's identity;
 * - shard keys, under a hash tag per shard (`{activation-fleet:3}:...`): an order, its items, its
 *   change ledger and events, the services it changes, and the activation queue that runs it.
 *   Everything one item transition touches lives in one shard, so each transition is one script
 *   on one Redis Cluster slot, and N shards spread the load over the cluster's masters.
 *
 * An order's shard is a stable hash of its id, a service's a stable hash of its id; ids the
 * fleet generates are chosen so that an order and the services it changes share a shard.
 */
export class Keyspace {
  /** The prefix's name without braces: `activation-fleet`. */
  readonly name: string;
  /** The base hash tag: `{activation-fleet}`. */
  readonly base: string;

  constructor(
    prefix: string,
    readonly shards: number,
  ) {
    if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw new RangeError(`shards must be an integer from 1 to 1024, got ${shards}`);
    this.name = prefix.startsWith('{') && prefix.endsWith('}') ? prefix.slice(1, -1) : prefix;
    this.base = `{${this.name}}`;
  }

  /** A stable shard for any id (CRC-32, the same on every process and version). */
  shardOf(id: string): number {
    return this.shards === 1 ? 0 : crc32(id) % this.shards;
  }

  /** The hash tag of a shard: also the BullMQ prefix of that shard's activation queue. */
  tag(shard: number): string {
    return `{${this.name}:${shard}}`;
  }

  allShards(): number[] {
    return Array.from({ length: this.shards }, (_, i) => i);
  }

  // --- base keys -------------------------------------------------------------------------

  /** The fleet's identity record: its shard count. */
  get fleet(): string {
    return `${this.base}:fleet`;
  }

  /** The fleet epoch: the identity of its Redis state, gone when that state is lost. */
  get epoch(): string {
    return `${this.base}:fleet:epoch`;
  }

  /** The losses of Redis state seen and not yet acknowledged by an operator. */
  get epochLosses(): string {
    return `${this.base}:fleet:epoch-losses`;
  }

  /** Submissions counted by processes nobody scrapes (the CLI, embedded clients), by outcome, until a fleet process takes them. */
  get uncollectedSubmissions(): string {
    return `${this.base}:metrics:submissions`;
  }

  /** The last complete service audit (check-sync of every service): its counts, for the drift gauges. */
  get serviceAuditLast(): string {
    return `${this.base}:audit:sync:last`;
  }

  /** Who runs the scheduled service audit now: one process fleet-wide. */
  get serviceAuditRunner(): string {
    return `${this.base}:audit:sync:runner`;
  }

  /** The version of the service inventory's lookup indexes the stored services have (see ServiceInventoryStore.ensureLookupIndexes). */
  get serviceIndexVersion(): string {
    return `${this.base}:services:index-version`;
  }

  /** Who backfills the service lookup indexes now: one process fleet-wide. */
  get serviceIndexRunner(): string {
    return `${this.base}:services:index-runner`;
  }

  budgetNeLeases(neId: string): string {
    return `${this.base}:budget:ne:${neId}:leases`;
  }

  budgetGroupLeases(groupId: string): string {
    return `${this.base}:budget:group:${groupId}:leases`;
  }

  budgetNeWaiters(neId: string): string {
    return `${this.base}:budget:ne:${neId}:waiters`;
  }

  /** Who probes an NE that refuses changes (a pending confirmed commit, a held lock): one job at a time. */
  budgetNeBlockedProbe(neId: string): string {
    return `${this.base}:budget:ne:${neId}:blocked-probe`;
  }

  /** Jobs waiting for an NE that refuses changes; woken together once it takes one again. */
  budgetNeBlockedWaiters(neId: string): string {
    return `${this.base}:budget:ne:${neId}:blocked-waiters`;
  }

  /** When (ms) an NE that refused changes last took one again: a wait for it is bounded from then. */
  budgetNeBlockedProgress(neId: string): string {
    return `${this.base}:budget:ne:${neId}:blocked-progress`;
  }

  budgetNeRate(neId: string): string {
    return `${this.base}:budget:ne:${neId}:rate`;
  }

  budgetGroupRate(groupId: string): string {
    return `${this.base}:budget:group:${groupId}:rate`;
  }

  /** Published when a job parks for an NE: holders hand idle sessions of that NE back. */
  get budgetContendedChannel(): string {
    return `${this.base}:budget:contended`;
  }

  /**
   * The resources claimed on an NE (resource -> holder), in the base tag: services of every
   * shard claim from it, so one script sees every claim of the NE.
   */
  resourceClaims(neId: string): string {
    return `${this.base}:claims:ne:${neId}`;
  }

  // --- shard keys: orders ----------------------------------------------------------------

  /** The order's progress: its state and every item's phase, attempts, fence and ledger. */
  order(orderId: string): string {
    return `${this.tag(this.shardOf(orderId))}:order:${orderId}`;
  }

  /** What does not change once stored: the order as posted, each item's spec and plan. */
  orderDoc(orderId: string): string {
    return `${this.order(orderId)}:doc`;
  }

  /** Order ids by order date, per shard. */
  orders(shard: number): string {
    return `${this.tag(shard)}:orders`;
  }

  /** Order ids in one state, by order date, per shard. */
  ordersInState(shard: number, state: string): string {
    return `${this.tag(shard)}:orders:state:${state}`;
  }

  /** Orders not yet final, by expected completion: what the jeopardy tracker and reconciler watch. */
  openOrders(shard: number): string {
    return `${this.tag(shard)}:orders:open`;
  }

  /** The order an externalId belongs to (idempotent submission), in the order's shard. */
  externalId(shard: number, externalId: string): string {
    return `${this.tag(shard)}:order-key:external:${externalId}`;
  }

  /** The TMF641 events of a shard's orders. */
  events(shard: number): string {
    return `${this.tag(shard)}:events`;
  }

  // --- shard keys: services --------------------------------------------------------------

  service(serviceId: string): string {
    return `${this.tag(this.shardOf(serviceId))}:service:${serviceId}`;
  }

  /** The order changing the service now: one change at a time per service. */
  serviceLock(serviceId: string): string {
    return `${this.service(serviceId)}:lock`;
  }

  /** Orders waiting for the service's lock, first come first served. */
  serviceWaiters(serviceId: string): string {
    return `${this.service(serviceId)}:waiters`;
  }

  servicesInState(shard: number, state: string): string {
    return `${this.tag(shard)}:services:state:${state}`;
  }

  servicesOfSpec(shard: number, specId: string): string {
    return `${this.tag(shard)}:services:spec:${specId}`;
  }

  servicesOnNe(shard: number, neId: string): string {
    return `${this.tag(shard)}:services:ne:${neId}`;
  }

  /** Services of a specification whose characteristic `name` holds `value` (identity lookups). */
  servicesWithCharacteristic(shard: number, specId: string, name: string, value: string): string {
    return `${this.tag(shard)}:services:chr:${specId}:${name}=${value}`;
  }

  /** Services (on this shard) that rely on `serviceId`: who a delete or suspend of it would leave without. */
  servicesRelyingOn(shard: number, serviceId: string): string {
    return `${this.tag(shard)}:services:rel:${serviceId}`;
  }

  // --- shard keys: audit trail -----------------------------------------------------------

  auditOfOrder(orderId: string): string {
    return `${this.order(orderId)}:audit`;
  }

  /** Exchanges with one NE by the orders of one shard (a reader merges the shards). */
  auditOfNe(shard: number, neId: string): string {
    return `${this.tag(shard)}:audit:ne:${neId}`;
  }

  // --- BullMQ ----------------------------------------------------------------------------

  /** The lock BullMQ holds for a running job: the fence every transition of the job checks. */
  jobLock(shard: number, queueName: string, jobId: string): string {
    return `${this.tag(shard)}:${queueName}:${jobId}:lock`;
  }

  /** The job's own BullMQ hash, from its lock's key (the lock is the hash's key plus `:lock`). */
  jobOfLock(lockKey: string): string {
    return lockKey.replace(/:lock$/, '');
  }
}
