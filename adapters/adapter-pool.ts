import { FleetError, NeError } from '../errors/index.js';
import type { NetworkElement } from '../inventory/network-element.js';
import type { NeAdapter } from './ne-adapter.js';

export type AdapterFactory = (ne: NetworkElement) => Promise<NeAdapter> | NeAdapter;

export interface AdapterPoolOptions {
  /** How long a caller waits for a free session of a busy NE before a transient NE_SESSION_LIMIT. */
  acquireTimeoutMs?: number;
  /** Idle sessions older than this are closed by `sweepIdle`. */
  idleTimeoutMs?: number;
}

interface Idle {
  adapter: NeAdapter;
  since: number;
}

interface NePool {
  ne: NetworkElement;
  idle: Idle[];
  inUse: number;
  waiters: Array<() => void>;
}

/** Errors after which a session cannot be trusted: its buffered state may belong to the failed command. */
const BREAKING_CODES = new Set(['NE_CONNECTION_FAILED', 'NE_TIMEOUT', 'NE_PROTOCOL_ERROR']);

/**
 * Sessions per NE, opened on demand and reused, never more than the NE's `maxSessions` at once
 * in this process. A session that failed with a connection-level error, or that reports itself
 * closed, is discarded and replaced.
 */
export class AdapterPool {
  private readonly pools = new Map<string, NePool>();
  private readonly acquireTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private closed = false;

  constructor(
    private readonly factory: AdapterFactory,
    options: AdapterPoolOptions = {},
  ) {
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 60_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  }

  /** Runs `work` with a session to `ne`, then returns the session to the pool. */
  async withAdapter<T>(ne: NetworkElement, work: (adapter: NeAdapter) => Promise<T>): Promise<T> {
    const adapter = await this.acquire(ne);
    let broken = false;
    try {
      return await work(adapter);
    } catch (error) {
      broken = error instanceof FleetError && BREAKING_CODES.has(error.code);
      throw error;
    } finally {
      this.release(ne, adapter, broken);
    }
  }

  private pool(ne: NetworkElement): NePool {
    let pool = this.pools.get(ne.id);
    if (!pool) {
      pool = { ne, idle: [], inUse: 0, waiters: [] };
      this.pools.set(ne.id, pool);
    }
    if (JSON.stringify(pool.ne) !== JSON.stringify(ne)) {
      // The inventory changed this NE (address, credentials reference, limits): sessions opened
      // under the old definition are not reused.
      for (const { adapter } of pool.idle.splice(0)) void adapter.close();
      pool.ne = ne;
    }
    return pool;
  }

  private async acquire(ne: NetworkElement): Promise<NeAdapter> {
    if (this.closed) throw new NeError('NE_CONNECTION_FAILED', ne.id, 'adapter pool is closed');
    const pool = this.pool(ne);
    const deadline = Date.now() + this.acquireTimeoutMs;
    for (;;) {
      while (pool.idle.length > 0) {
        const { adapter } = pool.idle.pop() as Idle;
        if (adapter.isOpen()) {
          pool.inUse += 1;
          return adapter;
        }
        void adapter.close();
      }
      if (pool.inUse < ne.maxSessions) {
        pool.inUse += 1;
        try {
          const adapter = await this.factory(ne);
          await adapter.open();
          return adapter;
        } catch (error) {
          pool.inUse -= 1;
          this.wakeOne(pool);
          throw error;
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new NeError('NE_SESSION_LIMIT', ne.id, `all ${ne.maxSessions} sessions busy for ${this.acquireTimeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pool.waiters.splice(pool.waiters.indexOf(wake), 1);
          resolve();
        }, remaining);
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        pool.waiters.push(wake);
      });
    }
  }

  private release(ne: NetworkElement, adapter: NeAdapter, broken: boolean): void {
    const pool = this.pool(ne);
    pool.inUse -= 1;
    if (broken || this.closed || !adapter.isOpen()) void adapter.close();
    else pool.idle.push({ adapter, since: Date.now() });
    this.wakeOne(pool);
  }

  private wakeOne(pool: NePool): void {
    pool.waiters.shift()?.();
  }

  /** Sessions open per NE id (idle and in use), for metrics and tests. */
  sessionCounts(): Record<string, { idle: number; inUse: number }> {
    return Object.fromEntries([...this.pools].map(([id, p]) => [id, { idle: p.idle.length, inUse: p.inUse }]));
  }

  /** Closes sessions idle for longer than the idle timeout. */
  async sweepIdle(now = Date.now()): Promise<void> {
    const stale: NeAdapter[] = [];
    for (const pool of this.pools.values()) {
      pool.idle = pool.idle.filter((entry) => (now - entry.since > this.idleTimeoutMs ? (stale.push(entry.adapter), false) : true));
    }
    await Promise.all(stale.map((a) => a.close()));
  }

  /** Closes every idle session; sessions in use close when released. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = [...this.pools.values()].flatMap((p) => p.idle.splice(0).map((e) => e.adapter));
    await Promise.all(idle.map((a) => a.close()));
  }
}
