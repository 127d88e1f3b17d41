import { describe, expect, it } from 'vitest';
import { AdapterPool } from '../../adapters/adapter-pool.js';
import type { AuditSink, OperationContext } from '../../adapters/audit.js';
import type { NeAdapter } from '../../adapters/ne-adapter.js';
import type { SessionGate, SessionLease } from '../../adapters/session-gate.js';
import { NeError } from '../../errors/index.js';
import { networkElementSchema, type NetworkElement } from '../../inventory/network-element.js';

/**
 * The session pool on its own, against in-memory adapters: what it reuses, what it replaces,
 * how it waits at an NE's limit, what it does with the fleet's budget, and what it closes.
 * Every wait is on an event (a promise the test resolves), never on a timer.
 */

const neOf = (overrides: Partial<Record<string, unknown>> = {}): NetworkElement =>
  networkElementSchema.parse({ id: 'ne-1', role: 'test', protocol: 'ssh-cli', host: '127.0.0.1', port: 22, credentialsRef: 'env:X', maxSessions: 2, ssh: { hostKeys: [] }, ...overrides });
const change = { protocol: 'ssh-cli' as const, lines: ['x'] };

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

class FakeAdapter implements NeAdapter {
  live = false;
  opens = 0;
  /** The contexts close() was called with, in order. */
  readonly closes: OperationContext[] = [];
  readonly closed = deferred();
  /** What the next apply throws, once. */
  failNext: NeError | undefined;
  constructor(
    readonly ne: NetworkElement,
    readonly serial: number,
    private readonly failOpen?: NeError,
  ) {}
  async open(): Promise<void> {
    this.opens += 1;
    if (this.failOpen) throw this.failOpen;
    this.live = true;
  }
  async apply(): Promise<void> {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }
  async verify() {
    return { passed: true, observed: '' };
  }
  isOpen(): boolean {
    return this.live;
  }
  async close(ctx: OperationContext = {}): Promise<void> {
    this.live = false;
    this.closes.push(ctx);
    this.closed.resolve();
  }
}

/** A factory that keeps every adapter it made, in order. */
function factory(options: { failOpen?: NeError } = {}) {
  const made: FakeAdapter[] = [];
  const make = (ne: NetworkElement): FakeAdapter => {
    const adapter = new FakeAdapter(ne, made.length + 1, options.failOpen);
    made.push(adapter);
    return adapter;
  };
  return { made, make };
}

/** A gate with a fixed number of leases, recording what happens in `events`. */
class FakeGate implements SessionGate {
  readonly events: string[] = [];
  leased = 0;
  isContended = false;
  private next = 0;
  constructor(private readonly leases: number) {}
  async tryAcquire(ne: NetworkElement): Promise<SessionLease | undefined> {
    if (this.leased >= this.leases) return undefined;
    this.leased += 1;
    const lease = { neId: ne.id, id: `lease-${++this.next}` };
    this.events.push(`acquire ${lease.id}`);
    return lease;
  }
  async release(lease: SessionLease): Promise<void> {
    this.leased -= 1;
    this.events.push(`release ${lease.id}`);
  }
  async contended(): Promise<boolean> {
    return this.isContended;
  }
  async throttle(): Promise<void> {}
}

describe('AdapterPool: reuse and replacement', () => {
  it('reuses one open session for calls one after another', async () => {
    const { made, make } = factory();
    const pool = new AdapterPool(make);
    const ne = neOf();
    const first = await pool.withAdapter(ne, async (adapter) => adapter);
    const second = await pool.withAdapter(ne, async (adapter) => adapter);
    expect(second).toBe(first);
    expect(made).toHaveLength(1);
    expect(made[0]?.opens).toBe(1);
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 1, inUse: 0, closing: 0 });
    await pool.close();
  });

  it('replaces an idle session the device dropped, and closes the dropped one', async () => {
    const { made, make } = factory();
    const pool = new AdapterPool(make);
    const ne = neOf();
    await pool.withAdapter(ne, (adapter) => adapter.apply(change));
    const dropped = made[0] as FakeAdapter;
    dropped.live = false; // the device hung up while the session sat idle
    const used = await pool.withAdapter(ne, async (adapter) => adapter);
    expect(used).not.toBe(dropped);
    expect(made).toHaveLength(2);
    await dropped.closed.promise;
    expect(dropped.closes).toHaveLength(1);
    await pool.close();
  });

  it('replaces a session after a connection-level failure, and keeps it after a refused command', async () => {
    const { made, make } = factory();
    const pool = new AdapterPool(make);
    const ne = neOf();
    const refuse = (adapter: NeAdapter, error: NeError) => {
      (adapter as FakeAdapter).failNext = error;
      return adapter.apply(change);
    };
    await expect(pool.withAdapter(ne, (a) => refuse(a, new NeError('NE_COMMAND_REJECTED', 'ne-1', 'no')))).rejects.toMatchObject({ code: 'NE_COMMAND_REJECTED' });
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 1, inUse: 0, closing: 0 });
    await expect(pool.withAdapter(ne, (a) => refuse(a, new NeError('NE_TIMEOUT', 'ne-1', 'no prompt')))).rejects.toMatchObject({ code: 'NE_TIMEOUT' });
    // The timed-out session was closed, not kept: the next call opens a new one.
    expect(made[0]?.closes).toHaveLength(1);
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 0, inUse: 0, closing: 0 });
    expect(await pool.withAdapter(ne, async (a) => (a as FakeAdapter).serial)).toBe(2);
    await pool.close();
  });

  it('does not reuse sessions opened under an NE definition the inventory has since changed', async () => {
    const { made, make } = factory();
    const pool = new AdapterPool(make);
    await pool.withAdapter(neOf(), (a) => a.apply(change));
    const moved = neOf({ port: 2222 });
    const used = await pool.withAdapter(moved, async (a) => a);
    expect(used).toBe(made[1]);
    expect(used.ne.port).toBe(2222);
    await made[0]?.closed.promise;
    await pool.close();
  });
});

describe('AdapterPool: the NE session limit', () => {
  it('makes a caller over maxSessions wait for a session to come back, then hands it that session', async () => {
    const { made, make } = factory();
    const pool = new AdapterPool(make);
    const ne = neOf({ maxSessions: 1 });
    const events: string[] = [];
    const firstHolds = deferred();
    const firstStarted = deferred();
    const first = pool.withAdapter(ne, async () => {
      events.push('first starts');
      firstStarted.resolve();
      await firstHolds.promise;
      events.push('first ends');
    });
    await firstStarted.promise;
    const second = pool.withAdapter(ne, async () => {
      events.push('second starts');
    });
    // Let the second caller run as far as it can: it must be waiting, not working.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['first starts']);
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 0, inUse: 1, closing: 0 });
    firstHolds.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['first starts', 'first ends', 'second starts']);
    expect(made).toHaveLength(1);
    await pool.close();
  });

  it('gives up waiting after acquireTimeoutMs with a transient NE_SESSION_LIMIT', async () => {
    const { make } = factory();
    const pool = new AdapterPool(make, { acquireTimeoutMs: 50 });
    const ne = neOf({ maxSessions: 1 });
    const holds = deferred();
    const started = deferred();
    const holder = pool.withAdapter(ne, async () => {
      started.resolve();
      await holds.promise;
    });
    await started.promise;
    const error = await pool.withAdapter(ne, async () => 'never').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NE_SESSION_LIMIT', transient: true });
    holds.resolve();
    await holder;
    await pool.close();
  });

  it('counts a failed open until its adapter closed, then frees the slot', async () => {
    const { made, make } = factory({ failOpen: new NeError('NE_AUTHENTICATION_FAILED', 'ne-1', 'login refused') });
    const pool = new AdapterPool(make);
    const ne = neOf({ maxSessions: 1 });
    await expect(pool.withAdapter(ne, async () => undefined)).rejects.toMatchObject({ code: 'NE_AUTHENTICATION_FAILED' });
    expect(made[0]?.closes).toHaveLength(1);
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 0, inUse: 0, closing: 0 });
    await expect(pool.withAdapter(ne, async () => undefined)).rejects.toMatchObject({ code: 'NE_AUTHENTICATION_FAILED' });
    expect(made).toHaveLength(2);
    await pool.close();
  });
});

describe('AdapterPool: the fleet-wide budget', () => {
  it('fails at once with NE_BUDGET_EXHAUSTED when the gate has no lease, opening nothing', async () => {
    const { made, make } = factory();
    const gate = new FakeGate(0);
    const pool = new AdapterPool(make, { gate });
    const error = await pool.withAdapter(neOf(), async () => 'never').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NE_BUDGET_EXHAUSTED', transient: true });
    expect(made).toHaveLength(0);
    await pool.close();
  });

  it('with a gate, a busy process fails fast instead of holding a worker in a wait', async () => {
    const { make } = factory();
    const pool = new AdapterPool(make, { gate: new FakeGate(5), acquireTimeoutMs: 60_000 });
    const ne = neOf({ maxSessions: 1 });
    const holds = deferred();
    const started = deferred();
    const holder = pool.withAdapter(ne, async () => {
      started.resolve();
      await holds.promise;
    });
    await started.promise;
    await expect(pool.withAdapter(ne, async () => 'never')).rejects.toMatchObject({ code: 'NE_BUDGET_EXHAUSTED' });
    holds.resolve();
    await holder;
    await pool.close();
  });

  it('gives the lease back only after the device let go of the session, and hands a contended session back instead of keeping it', async () => {
    const { made, make } = factory();
    const gate = new FakeGate(1);
    const pool = new AdapterPool(make, { gate });
    const ne = neOf();
    await pool.withAdapter(ne, (a) => a.apply(change));
    // Not contended: kept idle, lease held.
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 1, inUse: 0, closing: 0 });
    expect(gate.leased).toBe(1);
    gate.isContended = true;
    await pool.withAdapter(ne, (a) => a.apply(change));
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 0, inUse: 0, closing: 0 });
    expect(made[0]?.closes).toHaveLength(1);
    expect(gate.leased).toBe(0);
    expect(gate.events).toEqual(['acquire lease-1', 'release lease-1']);
    await pool.close();
  });

  it('gives the lease of a session whose open failed back', async () => {
    const { make } = factory({ failOpen: new NeError('NE_CONNECTION_FAILED', 'ne-1', 'refused') });
    const gate = new FakeGate(1);
    const pool = new AdapterPool(make, { gate });
    await expect(pool.withAdapter(neOf(), async () => undefined)).rejects.toMatchObject({ code: 'NE_CONNECTION_FAILED' });
    expect(gate.leased).toBe(0);
    await pool.close();
  });
});

describe('AdapterPool: scopes, idle sweeps and shutdown', () => {
  it('a scope holds one session from its first use to its close, and replaces it when it breaks', async () => {
    const { made, make } = factory();
    const pool = new AdapterPool(make);
    const ne = neOf();
    const scope = pool.scope();
    const a = await scope.use(ne, async (adapter) => adapter);
    const b = await scope.use(ne, async (adapter) => adapter);
    expect(b).toBe(a);
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 0, inUse: 1, closing: 0 });
    (a as FakeAdapter).failNext = new NeError('NE_CONNECTION_FAILED', 'ne-1', 'reset');
    await expect(scope.use(ne, (adapter) => adapter.apply(change))).rejects.toMatchObject({ code: 'NE_CONNECTION_FAILED' });
    const c = await scope.use(ne, async (adapter) => adapter);
    expect(c).toBe(made[1]);
    expect(made[0]?.closes).toHaveLength(1);
    await scope.close();
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 1, inUse: 0, closing: 0 });
    await pool.close();
  });

  it('sweeps only the sessions idle for longer than idleTimeoutMs', async () => {
    const { made, make } = factory();
    const pool = new AdapterPool(make, { idleTimeoutMs: 1000 });
    await pool.withAdapter(neOf(), async () => undefined);
    await pool.sweepIdle(Date.now() + 500);
    expect(made[0]?.closes).toHaveLength(0);
    await pool.sweepIdle(Date.now() + 1500);
    expect(made[0]?.closes).toHaveLength(1);
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 0, inUse: 0, closing: 0 });
    await pool.close();
  });

  it('on close: closes idle sessions with the fleet session sink, closes one in use when it comes back, and opens nothing more', async () => {
    const { made, make } = factory();
    const sessionAudit: AuditSink = () => undefined;
    const pool = new AdapterPool(make, { sessionAudit });
    const ne = neOf();
    const holds = deferred();
    const started = deferred();
    await pool.withAdapter(ne, async () => undefined);
    const inUse = pool.withAdapter(neOf({ id: 'ne-2' }), async () => {
      started.resolve();
      await holds.promise;
    });
    await started.promise;
    await pool.close();
    const [idle, busy] = made;
    expect(idle?.closes).toHaveLength(1);
    expect(idle?.closes[0]?.audit).toBe(sessionAudit);
    expect(busy?.closes).toHaveLength(0);
    holds.resolve();
    await inUse;
    expect(busy?.closes).toHaveLength(1);
    await expect(pool.withAdapter(ne, async () => 'never')).rejects.toMatchObject({ code: 'NE_CONNECTION_FAILED', message: expect.stringContaining('pool is closed') });
    expect(made).toHaveLength(2);
  });
});
