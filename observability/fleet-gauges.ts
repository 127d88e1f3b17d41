import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { NetworkElement } from '../inventory/network-element.js';
import { LastGoodRead } from './last-good-read.js';

export interface GaugeSources {
  /** Queues by name; a sharded queue is its shards, summed under one name. */
  queues: Record<string, Queue | Queue[]>;
  /** Leases and waiting jobs per NE, fleet-wide. */
  budgetUsage: () => Promise<Array<{ ne: NetworkElement; leased: number; waiting: number }>>;
  /** Open orders, and those past their expected completion. */
  openOrders: () => Promise<{ open: number; overdue: number }>;
}

export interface FleetGaugeOptions {
  /**
   * How long a scrape waits for a fresh read from Redis before it is answered from the last
   * good one (the read goes on, and the next scrape gets it).
   * @defaultValue 500
   */
  freshWithinMs?: number;
}

// Why not BullMQ's Queue.exportPrometheusMetrics (6.x): it answers one queue per call, awaiting
// Redis, as text. Here a sharded queue is summed under one name, and a scrape never waits on a
// slow or absent Redis (it gets the last good read, with its age), which a fleet that must report
// a Redis outage needs from its own /metrics.
const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

interface FleetSnapshot {
  queues: Array<{ queue: string; state: string; jobs: number }>;
  roles: Map<string, { leased: number; budget: number; waiting: number }>;
  orders: { open: number; overdue: number };
}

async function readSnapshot(sources: GaugeSources): Promise<FleetSnapshot> {
  const [queues, usage, orders] = await Promise.all([
    Promise.all(
      Object.entries(sources.queues).map(async ([name, queues]) => {
        const shards = await Promise.all((Array.isArray(queues) ? queues : [queues]).map((q) => q.getJobCounts(...QUEUE_STATES)));
        return QUEUE_STATES.map((state) => ({ queue: name, state, jobs: shards.reduce((sum, counts) => sum + (counts[state] ?? 0), 0) }));
      }),
    ),
    sources.budgetUsage(),
    sources.openOrders(),
  ]);
  const roles = new Map<string, { leased: number; budget: number; waiting: number }>();
  for (const { ne, leased, waiting } of usage) {
    const r = roles.get(ne.role) ?? { leased: 0, budget: 0, waiting: 0 };
    r.leased += leased;
    r.budget += ne.maxSessions;
    r.waiting += waiting;
    roles.set(ne.role, r);
  }
  return { queues: queues.flat(), roles, orders };
}

/**
 * Saturation gauges read from Redis when Prometheus scrapes: queue depth by state, NE sessions
 * leased against their budget and jobs waiting for a busy NE (both by NE role), open and overdue
 * orders. Fleet-wide values: every process reports the same, so dashboards take max().
 *
 * A scrape never waits on Redis for long: all of them come from one read, shared by the
 * gauges of a scrape; when Redis is slow or away they are the last good read, and
 * `activation_fleet_gauges_age_seconds` says how old it is.
 */
export function registerFleetGauges(registry: Registry, sources: GaugeSources, options: FleetGaugeOptions = {}): void {
  const registers = [registry];
  const reads = new LastGoodRead(() => readSnapshot(sources), options.freshWithinMs ?? 500);
  new Gauge({
    name: 'activation_fleet_gauges_age_seconds',
    help: 'Age of the Redis read behind the fleet-wide gauges (queue depth, NE sessions, open orders): grows while Redis does not answer; -1 before the first read.',
    registers,
    async collect() {
      await reads.current();
      this.set(reads.ageSeconds());
    },
  });
  new Gauge({
    name: 'activation_queue_jobs',
    help: 'Jobs in each BullMQ queue of the fleet, by state (fleet-wide).',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const q of (await reads.current())?.queues ?? []) this.set({ queue: q.queue, state: q.state }, q.jobs);
    },
  });
  const byRole = (name: string, help: string, pick: (r: { leased: number; budget: number; waiting: number }) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['role'] as const,
      registers,
      async collect() {
        this.reset();
        for (const [role, r] of (await reads.current())?.roles ?? []) this.set({ role }, pick(r));
      },
    });
  };
  byRole('activation_ne_sessions_leased', 'NE sessions open across the fleet (budget leases held), by NE role.', (r) => r.leased);
  byRole('activation_ne_session_budget', 'NE sessions allowed across the fleet (sum of maxSessions), by NE role.', (r) => r.budget);
  byRole('activation_ne_jobs_waiting', 'Jobs parked because their NE is at its session budget, by NE role.', (r) => r.waiting);
  new Gauge({
    name: 'activation_orders_open',
    help: 'Service orders not yet in a final state (fleet-wide).',
    registers,
    async collect() {
      const orders = (await reads.current())?.orders;
      if (orders) this.set(orders.open);
    },
  });
  new Gauge({
    name: 'activation_orders_overdue',
    help: 'Open service orders past their expected completion date: in jeopardy (fleet-wide).',
    registers,
    async collect() {
      const orders = (await reads.current())?.orders;
      if (orders) this.set(orders.overdue);
    },
  });
}
