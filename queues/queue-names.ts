import type { Queue } from 'bullmq';

/** Every BullMQ queue of the fleet; all live under one prefix, so a test or a tenant can isolate them. */
export const QUEUE_NAMES = {
  /** Raw TMF641 orders from upstream systems that talk to BullMQ directly. */
  intake: 'service-order-intake',
  /** Order-level work off the common path: future-dated starts, repairs. */
  orchestration: 'order-orchestration',
  /** One job per item activation, rollback or abort: the NE-bound work. One queue per shard. */
  activation: 'item-activation',
} as const;

export const DEFAULT_PREFIX = 'activation-fleet';

/** The names of the jobs on the orchestration queue. */
export const ORCHESTRATION_JOBS = {
  /** The order's requested start has come: take its services' locks and dispatch its first items. */
  start: 'start',
  /** Look at the order again and dispatch what it needs (repair after a lost job). */
  advance: 'advance',
} as const;
export type OrchestrationJobName = (typeof ORCHESTRATION_JOBS)[keyof typeof ORCHESTRATION_JOBS];

/** A future-dated order has one start job, whoever schedules it (intake or the reconciler). */
export function startJobId(orderId: string): string {
  return `${orderId}~${ORCHESTRATION_JOBS.start}`;
}

export interface OrchestrationJob {
  orderId: string;
}

/**
 * What an item job does, and the name of its job on the activation queue: activate the item, roll
 * it back, undo what a lost execution sent, confirm its window's commits, or `extend` them (a
 * further confirmed commit of an item's pending window, so a long order's window does not revert).
 */
export const ACTIVATION_JOBS = {
  activate: 'activate',
  compensate: 'compensate',
  abort: 'abort',
  confirm: 'confirm',
  extend: 'extend',
} as const;
export type ActivationKind = (typeof ACTIVATION_JOBS)[keyof typeof ACTIVATION_JOBS];

/** The queues with their job names typed: `add` refuses a name the workers do not know. */
export type OrchestrationQueue = Queue<OrchestrationJob, unknown, OrchestrationJobName>;
export type ActivationQueue = Queue<ActivationJob, unknown, ActivationKind>;

export interface ActivationJob {
  orderId: string;
  itemId: string;
  kind: ActivationKind;
  /** The existing service the item changes, read in the same round trip as the item's start. */
  serviceId?: string;
  /** Since when (epoch ms) the job has waited for an NE that refuses changes (NE_COMMIT_PENDING, NE_LOCKED). */
  blockedSince?: number;
  /** The NE it waits for; woken with the others once the NE takes a change again. */
  blockedOn?: string;
}

export interface IntakeJob {
  order: unknown;
}

/** Job ids are derived from the work so that adding the same work twice yields one job. */
export function activationJobId(job: Pick<ActivationJob, 'orderId' | 'itemId' | 'kind'>): string {
  return `${job.orderId}~${job.itemId}~${job.kind}`;
}

/** The order a job id of the fleet's belongs to (every id above starts with it). */
export function orderIdOfJob(jobId: string): string {
  return jobId.split('~')[0] ?? '';
}

/**
 * An item's next window extension (kind `extend`, delayed): one per execution that schedules it
 * (`after`, the item's fence then), so a finished one never hides the next, and whoever knows
 * the item's fence (the reconciler) can tell whether the chain is still alive.
 */
export function extensionJobId(orderId: string, itemId: string, after: number): string {
  return `${activationJobId({ orderId, itemId, kind: 'extend' })}~${after}`;
}

/** TMF priority "0" (highest) to "4" (lowest) onto BullMQ's 1 (highest) and up. */
export function jobPriority(tmfPriority: string | undefined): number {
  return tmfPriority === undefined ? 3 : Number(tmfPriority) + 1;
}
