import { isDeepStrictEqual } from 'node:util';
import { NeError } from '../../errors/index.js';
import type { NetworkElement } from '../network-element.js';
import type { OperationContext } from '../audit.js';
import type { ChangeSet, Check, CheckResult } from '../change-set.js';
import type { ConfirmedCommitOptions, NeAdapter } from '../ne-adapter.js';
import type { OptionalMethod, RecordedCall, RecordedMethod, SessionRecording } from './session-recording.js';

/** Calls that write to the device: the execution's write guard is asked before each, as real drivers do. */
const WRITES = new Set<RecordedMethod>(['apply', 'applyConfirmed', 'confirm', 'cancel', 'extendConfirmed']);

/**
 * A driver with no device: it replays a recorded session (NAPALM's mock driver is the model).
 * Each call must be the next one the recording holds, with the same arguments; it then gets
 * the recorded answer, or the recorded NeError, and its audit entries go to the sink as the
 * real driver sent them. A call the recording does not expect fails with NE_UNSUPPORTED naming
 * the call the recording expected, so a test that drifted from its recording says how.
 */
export class MockAdapter implements NeAdapter {
  private next = 0;
  private opened = false;

  constructor(
    readonly ne: NetworkElement,
    private readonly session: SessionRecording,
  ) {}

  /** Recorded calls not yet replayed; a test that expects the whole session asserts zero. */
  pending(): number {
    return this.session.calls.length - this.next;
  }

  async open(): Promise<void> {
    await this.replay('open', [], undefined);
  }

  async apply(change: ChangeSet, ctx?: OperationContext): Promise<void> {
    await this.replay('apply', [change], ctx);
  }

  async verify(check: Check, ctx?: OperationContext): Promise<CheckResult> {
    return (await this.replay('verify', [check], ctx)) as CheckResult;
  }

  // The optional methods exist only where the recorded driver had them, so a caller that asks
  // what the driver can do (readPrior, confirmed commits) gets the recorded driver's answer.
  get readPrior(): NeAdapter['readPrior'] {
    return this.offered('readPrior', async (change: ChangeSet, ctx?: OperationContext) => (await this.replay('readPrior', [change], ctx)) as ChangeSet | undefined);
  }

  get applyConfirmed(): NeAdapter['applyConfirmed'] {
    return this.offered('applyConfirmed', async (change: ChangeSet, persistId: string, confirmTimeoutS: number, ctx?: OperationContext, options?: ConfirmedCommitOptions) => {
      await this.replay('applyConfirmed', options ? [change, persistId, confirmTimeoutS, options] : [change, persistId, confirmTimeoutS], ctx);
    });
  }

  get confirm(): NeAdapter['confirm'] {
    return this.offered('confirm', async (persistId: string, ctx?: OperationContext) => void (await this.replay('confirm', [persistId], ctx)));
  }

  get cancel(): NeAdapter['cancel'] {
    return this.offered('cancel', async (persistId: string, ctx?: OperationContext) => void (await this.replay('cancel', [persistId], ctx)));
  }

  get extendConfirmed(): NeAdapter['extendConfirmed'] {
    return this.offered('extendConfirmed', async (persistId: string, confirmTimeoutS: number, ctx?: OperationContext) => void (await this.replay('extendConfirmed', [persistId, confirmTimeoutS], ctx)));
  }

  isOpen(): boolean {
    return this.opened;
  }

  /** Never throws, as the interface says: a close the recording does not expect is taken as a no-op. */
  async close(ctx?: OperationContext): Promise<void> {
    if (this.session.calls[this.next]?.method === 'close') await this.replay('close', [], ctx).catch(() => undefined);
    this.opened = false;
  }

  private offered<T>(method: OptionalMethod, call: T): T | undefined {
    return this.session.offers.includes(method) ? call : undefined;
  }

  private async replay(method: RecordedMethod, args: unknown[], ctx: OperationContext | undefined): Promise<unknown> {
    const expected = this.session.calls[this.next];
    // Compared as the recorder stored them: JSON drops undefined fields.
    const given = JSON.parse(JSON.stringify(args)) as unknown[];
    if (!expected || expected.method !== method || !isDeepStrictEqual(expected.args, given)) throw this.unexpected(method, given, expected);
    this.next += 1;
    if (WRITES.has(method)) await ctx?.beforeWrite?.();
    for (const entry of expected.audit) {
      try {
        ctx?.audit?.({ ...entry, startedAt: new Date().toISOString() });
      } catch {
        // A sink must not throw; if it does, the operation still goes on, as in the real drivers.
      }
    }
    this.opened = expected.openAfter;
    if (expected.error) {
      const { code, message, transient, details } = expected.error;
      throw new NeError(code, this.ne.id, message, { transient, details: { ...details, replayedFrom: 'mock' } });
    }
    return structuredClone(expected.result);
  }

  private unexpected(method: RecordedMethod, args: unknown[], expected: RecordedCall | undefined): NeError {
    const call = `${method}(${summary(args)})`;
    const wanted = expected ? `${expected.method}(${summary(expected.args)})` : `nothing more (it holds ${this.session.calls.length} calls)`;
    return new NeError('NE_UNSUPPORTED', this.ne.id, `mock driver: call ${this.next + 1} is ${call}, but the recorded session expects ${wanted}`, {
      details: { call: method, expected: expected?.method ?? null, callIndex: this.next },
    });
  }
}

function summary(args: unknown[]): string {
  const text = args.map((arg) => JSON.stringify(arg)).join(', ');
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
