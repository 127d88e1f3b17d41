import type { AuditEntry } from '../adapters/audit.js';
import { FleetError } from '../errors/index.js';
import { recordFleetSpan } from '../observability/tracing/fleet-spans.js';
import type { AuditRecord } from '../stores/audit-trail.js';
import type { ChangeSet } from '../adapters/change-set.js';
import { encodeLedgerEntry, ledgerField, type Fields, type LedgerEntry, type ProgressSnapshot } from '../stores/order-fields.js';
import type { Decision, Fence, TransitionResult } from '../stores/order-store.js';
import type { ItemProgressStore } from './worker-ports.js';

/** The execution no longer owns its item: a newer attempt does. It must stop and write nothing. */
export class StaleExecutionError extends FleetError {
  constructor(message: string) {
    super('STALE_EXECUTION', message);
    this.name = 'StaleExecutionError';
  }
}

export type ExecutionKind = 'activate' | 'compensate' | 'abort' | 'confirm' | 'extend';

/**
 * One execution's change ledger, fenced. Each step of the item is recorded `pending` (under the
 * execution's fence) before the step's first write reaches its NE, and `done` once the NE took
 * it; a run that starts again after a crash skips what is done and asks the device about what is
 * pending. Every record goes through a fenced transition of the order, so an execution that lost
 * its item (its worker paused past its lock, say) gets `stale` back instead of writing, and its
 * guard refuses every device write once the lock it last saw may have expired.
 *
 * Writes that can wait are buffered (a `done`, audit entries) and go with the next transition:
 * a one-step item costs one transition before its write and one (its completion) after.
 */
export class ItemLedger {
  private readonly entries: Record<string, LedgerEntry>;
  private readonly setBuffer: Fields = {};
  private readonly delBuffer = new Set<string>();
  private readonly audits: AuditRecord[] = [];
  /** Steps whose write this execution let through to an NE. */
  private readonly written = new Set<string>();
  private deadline: number;
  private stale: string | undefined;

  constructor(
    private readonly store: Pick<ItemProgressStore, 'transition'>,
    readonly orderId: string,
    readonly kind: ExecutionKind,
    readonly fence: Fence,
    private snapshot: ProgressSnapshot,
    validityMs: number,
    private readonly options: { marginMs: number; now: () => string; ledgerKind?: string },
  ) {
    this.entries = { ...(snapshot.ledger[`${fence.itemId}|${this.ledgerKind}`] ?? {}) };
    this.deadline = ItemLedger.deadlineOf(validityMs, options.marginMs);
  }

  /** The ledger this execution writes: an abort undoes what the activation ledger records. */
  get ledgerKind(): string {
    return this.options.ledgerKind ?? (this.kind === 'compensate' ? 'compensate' : 'activate');
  }

  private static deadlineOf(validityMs: number, marginMs: number): number {
    // The lock's time left as Redis saw it, less a margin for the reply's way here: past the
    // deadline a newer attempt may already hold the item.
    return performance.now() + Math.max(0, validityMs - marginMs);
  }

  /** The entry of a step, as this execution knows it. */
  entry(step: string): LedgerEntry | undefined {
    return this.entries[step];
  }

  /** Steps recorded (pending or done) in this ledger, by any attempt of this item. */
  recorded(): string[] {
    return Object.keys(this.entries);
  }

  /** Whether the entry was written by this execution (a pending step it has not yet sent). */
  ownsPending(step: string): boolean {
    const e = this.entries[step];
    return e !== undefined && e.state === 'pending' && e.fence === this.fence.n && !this.written.has(step);
  }

  /**
   * Records the step pending under this fence, now (a write may follow at once). A confirmed
   * commit's persist-id goes with it, so whoever runs the item next can confirm or cancel it;
   * and what the NE held before it, when that was read, so the undo that puts it back survives
   * a crash with the change.
   */
  async pending(step: string, extra: { persistId?: string; prior?: ChangeSet } = {}): Promise<void> {
    this.put(step, 'pending', extra);
    await this.flush();
  }

  /** Records that the NE took the step as a confirmed commit still pending there; stored with the next transition. */
  unconfirmed(step: string, persistId: string): void {
    this.put(step, 'unconfirmed', { persistId });
  }

  /**
   * Records that the step's failure took back, by cancel-commit, the confirmed commit `persistId`
   * of another item that it had joined; stored with the next transition. A re-run of the item
   * sends the step afresh.
   */
  cancelled(step: string, persistId: string): void {
    this.put(step, 'cancelled', { persistId });
  }

  /** Whether a step of another item of the order took the commit `persistId` back (its entry says `cancelled`). */
  cancelledByAnother(persistId: string): boolean {
    return Object.entries(this.snapshot.ledger).some(
      ([key, entries]) => !key.startsWith(`${this.fence.itemId}|`) && Object.values(entries).some((e) => e.state === 'cancelled' && e.persistId === persistId),
    );
  }

  /**
   * What the NE held before this item's change of `step`, as the change that restores it: from
   * this ledger, or (for the rollback of a completed item) from its activation's ledger.
   */
  priorOf(step: string): ChangeSet | undefined {
    return this.entries[step]?.prior ?? this.snapshot.ledger[`${this.fence.itemId}|activate`]?.[step]?.prior;
  }

  /** Records that the step's undo is about to be sent: a run that dies now finishes the undo. */
  async undoing(step: string): Promise<void> {
    this.put(step, 'undoing');
    await this.flush();
  }

  /** Takes out the steps this execution recorded pending but never let through to a device (it parks). */
  releaseUnsent(): void {
    for (const step of Object.keys(this.entries)) if (this.ownsPending(step)) this.clear(step);
  }

  /** Records the step done; stored with the next transition. */
  done(step: string): void {
    this.put(step, 'done');
  }

  /** Takes the step out of the ledger (its change was undone): stored with the next transition. */
  clear(step: string): void {
    delete this.entries[step];
    // Taken back: nothing of this execution's writes of the step is on the device any more.
    this.written.delete(step);
    const field = ledgerField(this.fence.itemId, this.ledgerKind, step);
    delete this.setBuffer[field];
    this.delBuffer.add(field);
  }

  private put(step: string, state: LedgerEntry['state'], extra: { persistId?: string; prior?: ChangeSet } = {}): void {
    // A step's prior stays with it through its later states (done, undoing); a persist-id is
    // recorded only with the states that carry one (pending before the commit, unconfirmed).
    const prior = extra.prior ?? this.entries[step]?.prior;
    const persistId = extra.persistId;
    const entry: LedgerEntry = { fence: this.fence.n, state, ...(persistId ? { persistId } : {}), ...(prior ? { prior } : {}) };
    this.entries[step] = entry;
    const field = ledgerField(this.fence.itemId, this.ledgerKind, step);
    this.delBuffer.delete(field);
    this.setBuffer[field] = encodeLedgerEntry(entry);
  }

  audit(entry: AuditEntry, step: string): void {
    this.audits.push({ ...entry, orderId: this.orderId, itemId: this.fence.itemId, kind: this.kind, step });
    const outcome = entry.outcome === 'ok' ? 'ok' : (entry.errorCode ?? 'error');
    recordFleetSpan('ne.exchange', { orderId: this.orderId, itemId: this.fence.itemId, neId: entry.neId, protocol: entry.protocol, step, operation: entry.operation, outcome }, new Date(entry.startedAt), entry.durationMs, { kind: 'client' });
  }

  /**
   * Called by adapters before each write to a device (OperationContext.beforeWrite): lets the
   * write through only while this execution surely owns the item. Near the deadline it asks
   * Redis again (one fenced transition), so a long item keeps going while its lock is renewed.
   */
  async beforeWrite(step: string): Promise<void> {
    if (this.stale) throw new StaleExecutionError(this.stale);
    if (performance.now() >= this.deadline - this.options.marginMs) await this.flush();
    if (performance.now() >= this.deadline) {
      throw new StaleExecutionError(`item ${this.fence.itemId} of order ${this.orderId}: the job's lock may have expired (the worker was paused or starved); not writing to the device`);
    }
    this.written.add(step);
  }

  /** Whether this execution let a write of `step` through. */
  wrote(step: string): boolean {
    return this.written.has(step);
  }

  /** Stores what is buffered (and refreshes the deadline) in one fenced transition; `jobLives`: see Decision. */
  async flush(options: { jobLives?: true } = {}): Promise<void> {
    if (this.stale) throw new StaleExecutionError(this.stale);
    const part = this.take();
    const result = await this.store.transition(this.orderId, (snap) => ({ progress: snap.progress, ...part, ...options }), { from: this.snapshot, fence: this.fence, now: this.options.now });
    this.settleResult(result);
  }

  /** What is buffered, for the caller's own transition (the item's settlement); the buffer empties. */
  take(): Pick<Decision, 'set' | 'del' | 'audit'> {
    const part: Pick<Decision, 'set' | 'del' | 'audit'> = {
      set: { ...this.setBuffer },
      del: [...this.delBuffer],
      audit: this.audits.splice(0),
    };
    for (const k of Object.keys(this.setBuffer)) delete this.setBuffer[k];
    this.delBuffer.clear();
    return part;
  }

  /** Takes note of a transition this execution made: refreshes the deadline, or turns stale. */
  settleResult(result: TransitionResult): void {
    if (result.status === 'stale' || result.status === 'missing') {
      this.stale = `item ${this.fence.itemId} of order ${this.orderId} is no longer this execution's (${result.status === 'stale' ? result.why : 'order gone'}): a newer attempt holds it`;
      throw new StaleExecutionError(this.stale);
    }
    if (result.status === 'applied') {
      this.snapshot = result.snapshot;
      if (result.validityMs >= 0) this.deadline = ItemLedger.deadlineOf(result.validityMs, this.options.marginMs);
    }
  }

  get isStale(): boolean {
    return this.stale !== undefined;
  }
}
