import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { NetworkElement } from '../inventory/network-element.js';

export interface GaugeSources {
  /** Queues by name; a sharded queue is its shards, summed under one name. */
  queues: Record<string, Queue | Queue[]>;
  /** Leases and waiting jobs per NE, fleet-wide. */
  budgetUsage: () => Promise<Array<{ ne: NetworkElement; leased: number; waiting: number }>>;
  /** Open orders, and those past their expected completion. */
  openOrders: () => Promise<{ open: number; overdue: number }>;
}

const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

/**
 * Saturation gauges read from Redis when Prometheus scrapes: queue depth by state, NE sessions
 * leased against their budget and jobs waiting for a busy NE (both by NE role), open and overdue
 * orders. Fleet-wide values: every process reports the same, so dashboards take max().
 */
export function registerFleetGauges(registry: Registry, sources: GaugeSources): void {
  const registers = [registry];
  new Gauge({
    name: 'activation_queue_jobs',
    help: 'Jobs in each BullMQ queue of the fleet, by state (fleet-wide).',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [name, queues] of Object.entries(sources.queues)) {
        const shards = await Promise.all((Array.isArray(queues) ? queues : [queues]).map((q) => q.getJobCounts(...QUEUE_STATES)));
        for (const state of QUEUE_STATES) this.set({ queue: name, state }, shards.reduce((sum, counts) => sum + (counts[state] ?? 0), 0));
      }
    },
  });
  const byRole = async () => {
    const roles = new Map<string, { leased: number; budget: number; waiting: number }>();
    for (const { ne, leased, waiting } of await sources.budgetUsage()) {
      const r = roles.get(ne.role) ?? { leased: 0, budget: 0, waiting: 0 };
      r.leased += leased;
      r.budget += ne.maxSessions;
      r.waiting += waiting;
      roles.set(ne.role, r);
    }
    return roles;
  };
  new Gauge({
    name: 'activation_ne_sessions_leased',
    help: 'NE sessions open across the fleet (budget leases held), by NE role.',
    labelNames: ['role'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [role, r] of await byRole()) this.set({ role }, r.leased);
    },
  });
  new Gauge({
    name: 'activation_ne_session_budget',
    help: 'NE sessions allowed across the fleet (sum of maxSessions), by NE role.',
    labelNames: ['role'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [role, r] of await byRole()) this.set({ role }, r.budget);
    },
  });
  new Gauge({
    name: 'activation_ne_jobs_waiting',
    help: 'Jobs parked because their NE is at its session budget, by NE role.',
    labelNames: ['role'] as const,
    registers,
    async collect() {
      this.reset();
      for (const [role, r] of await byRole()) this.set({ role }, r.waiting);
    },
  });
  new Gauge({
    name: 'activation_orders_open',
    help: 'Service orders not yet in a final state (fleet-wide).',
    registers,
    async collect() {
      this.set((await sources.openOrders()).open);
    },
  });
  new Gauge({
    name: 'activation_orders_overdue',
    help: 'Open service orders past their expected completion date: in jeopardy (fleet-wide).',
    registers,
    async collect() {
      this.set((await sources.openOrders()).overdue);
    },
  });
}
