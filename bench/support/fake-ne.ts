import type { AdapterFactory } from '../../adapters/adapter-pool.js';
import type { AuditEntry, OperationContext } from '../../adapters/audit.js';
import type { ChangeSet, Check, CheckResult } from '../../adapters/change-set.js';
import type { NeAdapter } from '../../adapters/ne-adapter.js';
import type { NetworkElement } from '../../inventory/network-element.js';

export interface FakeNesOptions {
  /** How long every apply and verify takes; 0 answers at once (on the next microtask). */
  latencyMs: number;
  /** Called when an apply starts, with the change: a bench reads its key to time pickups. */
  onApply?: (ne: NetworkElement, change: ChangeSet) => void;
}

/**
 * In-process NEs behind the real AdapterPool: the fleet's own pool, budget and workers drive
 * them, only the device is fake. They count what a real NE would notice: sessions open at once
 * (the budget must keep them at or under maxSessions) and operations running at once.
 * Like the real adapters they ask the execution's write guard before each write and report one
 * audit entry per command sent, so the bench writes the audit trail as
 * production does.
 */
export class FakeNes {
  private readonly openSessions = new Map<string, number>();
  private readonly busy = new Map<string, number>();
  /** Highest number of sessions open at once, per NE id. */
  readonly maxOpenSessions = new Map<string, number>();
  /** Highest number of operations running at once, per NE id. */
  readonly maxBusy = new Map<string, number>();
  operations = 0;
  sessionsOpened = 0;
  /** Audit entries reported to the fleet. */
  audited = 0;

  constructor(private readonly options: FakeNesOptions) {}

  readonly factory: AdapterFactory = (ne) => new FakeAdapter(ne, this);

  /** NEs that had more sessions (or operations) at once than their maxSessions. */
  violations(inventory: { get(id: string): NetworkElement | undefined }): string[] {
    const over = new Set<string>();
    for (const [id, max] of [...this.maxOpenSessions, ...this.maxBusy]) {
      const ne = inventory.get(id);
      if (ne && max > ne.maxSessions) over.add(id);
    }
    return [...over];
  }

  sessionOpened(ne: NetworkElement): void {
    this.sessionsOpened += 1;
    bump(this.openSessions, this.maxOpenSessions, ne.id, 1);
  }

  sessionClosed(ne: NetworkElement): void {
    bump(this.openSessions, undefined, ne.id, -1);
  }

  async operate(ne: NetworkElement, change: ChangeSet | undefined, ctx: OperationContext | undefined): Promise<void> {
    this.operations += 1;
    bump(this.busy, this.maxBusy, ne.id, 1);
    try {
      if (change) {
        await ctx?.beforeWrite?.();
        this.options.onApply?.(ne, change);
      }
      const startedAt = new Date();
      if (this.options.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
      else await Promise.resolve();
      for (const request of change ? requestsOf(change) : []) this.audit(ctx, ne, 'cli-command', request, startedAt);
    } finally {
      bump(this.busy, undefined, ne.id, -1);
    }
  }

  audit(ctx: OperationContext | undefined, ne: NetworkElement, operation: string, request: string, startedAt: Date): void {
    if (!ctx?.audit) return;
    this.audited += 1;
    const entry: AuditEntry = { neId: ne.id, protocol: ne.protocol, operation, request, reply: '', outcome: 'ok', startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() };
    ctx.audit(entry);
  }
}

function bump(current: Map<string, number>, max: Map<string, number> | undefined, id: string, by: number): void {
  const now = (current.get(id) ?? 0) + by;
  current.set(id, now);
  if (max && now > (max.get(id) ?? 0)) max.set(id, now);
}

/** What a change sends, one audit entry each: CLI lines, SNMP varbinds, one NETCONF edit. */
function requestsOf(change: ChangeSet): string[] {
  if (change.protocol === 'ssh-cli') return change.lines;
  return [JSON.stringify(change)];
}

class FakeAdapter implements NeAdapter {
  private state: 'new' | 'open' | 'closed' = 'new';

  constructor(
    readonly ne: NetworkElement,
    private readonly nes: FakeNes,
  ) {}

  async open(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'open';
    this.nes.sessionOpened(this.ne);
  }

  async apply(change: ChangeSet, ctx?: OperationContext): Promise<void> {
    await this.nes.operate(this.ne, change, ctx);
  }

  async verify(_check: Check, ctx?: OperationContext): Promise<CheckResult> {
    await this.nes.operate(this.ne, undefined, ctx);
    return { passed: true, observed: '' };
  }

  isOpen(): boolean {
    return this.state === 'open';
  }

  async close(): Promise<void> {
    if (this.state === 'open') this.nes.sessionClosed(this.ne);
    this.state = 'closed';
  }
}
