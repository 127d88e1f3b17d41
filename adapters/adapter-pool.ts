import { FleetError, NeError } from '../errors/index.js';
import type { NetworkElement } from './network-element.js';
import type { NeAdapter } from './ne-adapter.js';
import type { AuditSink } from './audit.js';
import type { SessionGate, SessionLease } from './session-gate.js';

export type AdapterFactory = (ne: NetworkElement) => Promise<NeAdapter> | NeAdapter;

/** Sessions held for one unit of work (an item); see AdapterPool.scope(). */
export interface SessionScope {
  use<T>(ne: NetworkElement, work: (adapter: NeAdapter) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface AdapterPoolOptions {
  /** How long a caller waits for a free session of a busy NE before a transient NE_SESSION_LIMIT. */
  acquireTimeoutMs?: number;
  /** Idle sessions older than this are closed by `sweepIdle`. */
  idleTimeoutMs?: number;
  /**
   * The fleet-wide budget. With a gate, a session is opened only under a lease, and a caller
   * that cannot get one fails at once with a transient NE_BUDGET_EXHAUSTED (its job waits
   * elsewhere) instead of waiting here and holding a worker.
   */
  gate?: SessionGate;
  /**
   * Where the logouts of sessions the pool closes go (idle, contended, broken, at shutdown): no
   * order item is running on them, so their adapter has no other sink. Must not throw.
   */
  sessionAudit?: AuditSink;
}

interface Session {
  adapter: NeAdapter;
  lease: SessionLease | undefined;
}

interface Idle extends Session {
  since: number;
}

interface NePool {
  ne: NetworkElement;
  idle: Idle[];
  inUse: number;
  /** Sessions being closed: the device still counts them until their close resolves, so they count here too. */
  closing: number;
  waiters: Array<() => void>;
}

/** Errors after which a session cannot be trusted: its buffered state may belong to the failed command. */
const BREAKING_CODES = new Set(['NE_CONNECTION_FAILED', 'NE_TIMEOUT', 'NE_PROTOCOL_ERROR']);

/**
 * Sessions per NE, opened on demand and reused, never more than the NE's `maxSessions` at once
 * in this process, as the device counts them: a session being closed counts until its adapter's
 * close() resolves (the device has ended it, or a bounded wait ran out), and a session that
 * failed to open counts until its adapter has closed whatever it left. A session that failed
 * with a connection-level error, or that reports itself closed, is discarded and replaced.
 */
export class AdapterPool {
  private readonly pools = new Map<string, NePool>();
  private readonly acquireTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly gate: SessionGate | undefined;
  private readonly sessionAudit: AuditSink | undefined;
  private closed = false;

  constructor(
    private readonly factory: AdapterFactory,
    options: AdapterPoolOptions = {},
  ) {
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 60_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.gate = options.gate;
    this.sessionAudit = options.sessionAudit;
  }

  /** Runs `work` with a session to `ne`, then returns the session to the pool. */
  async withAdapter<T>(ne: NetworkElement, work: (adapter: NeAdapter) => Promise<T>): Promise<T> {
    const session = await this.acquire(ne);
    let broken = false;
    try {
      await this.gate?.throttle(ne);
      return await work(session.adapter);
    } catch (error) {
      broken = error instanceof FleetError && BREAKING_CODES.has(error.code);
      throw error;
    } finally {
      await this.release(ne, session, broken);
    }
  }

  /**
   * A scope that keeps each NE's session from its first use to `close()`: an item holds its
   * sessions (and fleet budget) from its first step to its last test, instead of giving them
   * back between steps and competing for them again.
   */
  scope(): SessionScope {
    const held = new Map<string, { ne: NetworkElement; session: Session; broken: boolean }>();
    return {
      use: async <T>(ne: NetworkElement, work: (adapter: NeAdapter) => Promise<T>): Promise<T> => {
        let entry = held.get(ne.id);
        if (!entry || entry.broken || !entry.session.adapter.isOpen()) {
          if (entry) {
            held.delete(ne.id);
            await this.release(entry.ne, entry.session, true);
          }
          entry = { ne, session: await this.acquire(ne), broken: false };
          held.set(ne.id, entry);
        }
        try {
          await this.gate?.throttle(ne);
          return await work(entry.session.adapter);
        } catch (error) {
          entry.broken = error instanceof FleetError && BREAKING_CODES.has(error.code);
          throw error;
        }
      },
      close: async () => {
        const entries = [...held.values()];
        held.clear();
        await Promise.all(entries.map((e) => this.release(e.ne, e.session, e.broken)));
      },
    };
  }

  private pool(ne: NetworkElement): NePool {
    let pool = this.pools.get(ne.id);
    if (!pool) {
      pool = { ne, idle: [], inUse: 0, closing: 0, waiters: [] };
      this.pools.set(ne.id, pool);
    }
    if (JSON.stringify(pool.ne) !== JSON.stringify(ne)) {
      // The inventory changed this NE (address, credentials reference, limits): sessions opened
      // under the old definition are not reused.
      for (const idle of pool.idle.splice(0)) void this.retire(pool, idle);
      pool.ne = ne;
    }
    return pool;
  }

  private async acquire(ne: NetworkElement): Promise<Session> {
    if (this.closed) throw new NeError('NE_CONNECTION_FAILED', ne.id, 'adapter pool is closed');
    const pool = this.pool(ne);
    const deadline = Date.now() + this.acquireTimeoutMs;
    for (;;) {
      while (pool.idle.length > 0) {
        const idle = pool.idle.pop() as Idle;
        if (idle.adapter.isOpen()) {
          pool.inUse += 1;
          return idle;
        }
        void this.retire(pool, idle);
      }
      if (pool.inUse + pool.closing < ne.maxSessions) {
        pool.inUse += 1;
        let lease: SessionLease | undefined;
        let adapter: NeAdapter | undefined;
        try {
          if (this.gate) {
            lease = await this.gate.tryAcquire(ne);
            if (!lease) throw new NeError('NE_BUDGET_EXHAUSTED', ne.id, `at its fleet-wide budget of ${ne.maxSessions} sessions`);
          }
          adapter = await this.factory(ne);
          await adapter.open();
          return { adapter, lease };
        } catch (error) {
          // A half-open session may still hold a slot on the device: the slot is ours until it is closed.
          await adapter?.close();
          pool.inUse -= 1;
          if (lease) await this.gate?.release(lease).catch(() => undefined);
          this.wakeOne(pool);
          throw error;
        }
      }
      if (this.gate) throw new NeError('NE_BUDGET_EXHAUSTED', ne.id, `all ${ne.maxSessions} sessions of this process are busy`);
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

  private async release(ne: NetworkElement, session: Session, broken: boolean): Promise<void> {
    const pool = this.pool(ne);
    // A session others wait for is handed back to the fleet rather than kept idle here.
    const give = broken || this.closed || !session.adapter.isOpen() || (this.gate !== undefined && (await this.gate.contended(ne).catch(() => false)));
    pool.inUse -= 1;
    if (give) {
      await this.retire(pool, session);
      return;
    }
    pool.idle.push({ ...session, since: Date.now() });
    this.wakeOne(pool);
  }

  /** Closes a session, counting it as closing until its adapter's close resolves, then frees its slot. */
  private async retire(pool: NePool, session: Session): Promise<void> {
    pool.closing += 1;
    try {
      await this.discard(session);
    } finally {
      pool.closing -= 1;
      this.wakeOne(pool);
    }
  }

  /** The fleet-wide lease goes back only once the device has let go of the session. */
  private async discard(session: Session): Promise<void> {
    await session.adapter.close(this.sessionAudit ? { audit: this.sessionAudit } : {});
    if (session.lease) await this.gate?.release(session.lease).catch(() => undefined);
  }

  private wakeOne(pool: NePool): void {
    pool.waiters.shift()?.();
  }

  /** Sessions per NE id (idle, in use, and closing but still counted), for metrics and tests. */
  sessionCounts(): Record<string, { idle: number; inUse: number; closing: number }> {
    return Object.fromEntries([...this.pools].map(([id, p]) => [id, { idle: p.idle.length, inUse: p.inUse, closing: p.closing }]));
  }

  /** Closes the idle sessions of one NE now (their budget goes to whoever waits for it). */
  async releaseIdle(neId: string): Promise<void> {
    const pool = this.pools.get(neId);
    if (!pool) return;
    await Promise.all(pool.idle.splice(0).map((s) => this.discard(s)));
  }

  /** Closes sessions idle for longer than the idle timeout. */
  async sweepIdle(now = Date.now()): Promise<void> {
    const stale: Array<Promise<void>> = [];
    for (const pool of this.pools.values()) {
      pool.idle = pool.idle.filter((entry) => (now - entry.since > this.idleTimeoutMs ? (stale.push(this.retire(pool, entry)), false) : true));
    }
    await Promise.all(stale);
  }

  /** Closes every idle session; sessions in use close when released. Resolves once the devices let go of them. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].flatMap((pool) => pool.idle.splice(0).map((idle) => this.retire(pool, idle))));
  }
}
