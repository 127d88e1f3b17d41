import type { Job } from 'bullmq';
import type { SessionScope } from '../adapters/adapter-pool.js';
import type { NetworkElement } from '../inventory/network-element.js';
import type { ServiceInstance } from '../inventory/service-instance.js';
import type { Advance } from '../orders/order-progress.js';
import type { ItemSpec } from '../orders/order-record.js';
import type { ProgressSnapshot } from '../stores/order-fields.js';
import type { Decision, Fence, ItemStart, TransitionResult } from '../stores/order-store.js';
import type { ServiceWrite } from '../stores/service-inventory-store.js';

/**
 * What the activation worker needs of the stores, and nothing more: each interface names the
 * calls it makes. The Redis classes (stores/, queues/order-dispatch.ts, adapters/adapter-pool.ts)
 * implement them structurally, and runtime/fleet-process.ts hands them in; a test or a bench can
 * hand in something smaller.
 */

/** The order's progress, as the item's executions read and change it (OrderStore). */
export interface ItemProgressStore {
  /** Begins an execution: checks the phase and the job's lock, takes a new fence. */
  startItem(
    orderId: string,
    itemId: string,
    job: { expectPhase: string; lockKey: string; token: string; countAttempt: boolean; now: string; serviceId?: string; markFirst?: boolean },
  ): Promise<ItemStart | { stale: true; phase: string; state: string }>;
  /** One fenced transition of the order's progress. */
  transition(orderId: string, decide: (snapshot: ProgressSnapshot) => Decision | undefined, options?: { from?: ProgressSnapshot; fence?: Fence; now?: () => string }): Promise<TransitionResult>;
  /** Another item's stored spec (its intake plan). */
  spec(orderId: string, itemId: string): Promise<ItemSpec | undefined>;
}

/** The service inventory's write that goes with an item's last transition (ServiceInventoryStore). */
export interface ServiceWrites {
  writeOf(next: ServiceInstance, expect: { service?: ServiceInstance; version?: number }): ServiceWrite;
}

/** What comes after a transition: the next jobs, an order's end (OrderDispatcher). */
export interface ItemDispatch {
  after(orderId: string, result: Extract<TransitionResult, { status: 'applied' }>, decision: Pick<Advance, 'activate' | 'compensate'>): Promise<void>;
  failUnreadable(orderId: string, reason: string): Promise<void>;
  scheduleExtension(orderId: string, itemId: string, after: number, delayMs: number, priority: string | undefined): Promise<void>;
}

/** Where a job's BullMQ lock lives: the fence every transition of its execution checks (Keyspace). */
export interface JobLockKeys {
  shardOf(id: string): number;
  jobLock(shard: number, queueName: string, jobId: string): string;
}

/** NE sessions for one item (AdapterPool). */
export interface SessionSource {
  scope(): SessionScope;
}

/** The fleet-wide NE budget, as a parked job sees it (NeBudget). */
export interface BudgetWaiters {
  addWaiter(neId: string, job: Pick<Job, 'id'>): Promise<void>;
  usage(nes: NetworkElement[]): Promise<Array<{ ne: NetworkElement; leased: number; waiting: number }>>;
  /** When the NE's first lease expires unless renewed (ms since the epoch); undefined with none. */
  firstLeaseExpiry(neId: string): Promise<number | undefined>;
}

/** Jobs waiting for an NE that refuses changes for now (NeBlockedWaits). */
export interface BlockedWaiters {
  park(neId: string, job: Job, token: string | undefined, fallbackMs: number): Promise<{ delayMs: number; prober: boolean }>;
  /** Promotes the jobs waiting for the NE; with `order`, only that order's (its window holds the NE). */
  unblocked(neId: string, options?: { order?: string }): Promise<number>;
  /** When the NE last took a change again after refusing (ms since the epoch), 0 when not seen. */
  lastProgress(neId: string): Promise<number>;
}
