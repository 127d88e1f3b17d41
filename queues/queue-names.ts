/** Every BullMQ queue of the fleet; all live under one prefix, so a test or a tenant can isolate them. */
export const QUEUE_NAMES = {
  /** Raw TMF641 orders from upstream systems that talk to BullMQ directly. */
  intake: 'service-order-intake',
  /** Order-level decisions: start, advance after an item settles, cancel. */
  orchestration: 'order-orchestration',
  /** One job per item activation or rollback: the NE-bound work. */
  activation: 'item-activation',
} as const;

export const DEFAULT_PREFIX = 'activation-fleet';

export interface OrchestrationJob {
  orderId: string;
}

export interface ActivationJob {
  orderId: string;
  itemId: string;
  kind: 'activate' | 'compensate';
}

export interface IntakeJob {
  order: unknown;
}

/** Job ids are derived from the work so that adding the same work twice yields one job. */
export function activationJobId(job: ActivationJob): string {
  return `${job.orderId}~${job.itemId}~${job.kind}`;
}

/** TMF priority "0" (highest) to "4" (lowest) onto BullMQ's 1 (highest) and up. */
export function jobPriority(tmfPriority: string | undefined): number {
  return tmfPriority === undefined ? 3 : Number(tmfPriority) + 1;
}
