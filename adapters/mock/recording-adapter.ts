import { isFleetError } from '../../errors/index.js';
import type { AuditEntry, OperationContext } from '../audit.js';
import type { ChangeSet, Check, CheckResult } from '../change-set.js';
import type { ConfirmedCommitOptions, NeAdapter } from '../ne-adapter.js';
import { OPTIONAL_METHODS, type RecordedCall, type RecordedError, type RecordedMethod, type SessionRecording } from './session-recording.js';

/**
 * Wraps a real driver and records every call, its outcome and its audit exchanges, so that the
 * session can be replayed by the mock driver (`MockAdapter`) without the device.
 */
export class RecordingAdapter implements NeAdapter {
  private readonly calls: RecordedCall[] = [];

  constructor(private readonly inner: NeAdapter) {}

  get ne() {
    return this.inner.ne;
  }

  recording(): SessionRecording {
    return { format: 'activation-fleet/mock-session/1', neId: this.ne.id, protocol: this.ne.protocol, offers: OPTIONAL_METHODS.filter((method) => typeof this.inner[method] === 'function'), calls: structuredClone(this.calls) };
  }

  open(): Promise<void> {
    return this.record('open', [], undefined, () => this.inner.open());
  }

  apply(change: ChangeSet, ctx?: OperationContext): Promise<void> {
    return this.record('apply', [change], ctx, (c) => this.inner.apply(change, c));
  }

  verify(check: Check, ctx?: OperationContext): Promise<CheckResult> {
    return this.record('verify', [check], ctx, (c) => this.inner.verify(check, c));
  }

  isOpen(): boolean {
    return this.inner.isOpen();
  }

  close(ctx?: OperationContext): Promise<void> {
    return this.record('close', [], ctx, (c) => this.inner.close(c));
  }

  // The optional methods exist only where the driver has them, as on the driver.
  get readPrior(): NeAdapter['readPrior'] {
    const inner = this.inner.readPrior?.bind(this.inner);
    return inner && ((change: ChangeSet, ctx?: OperationContext) => this.record('readPrior', [change], ctx, (c) => inner(change, c)));
  }

  get applyConfirmed(): NeAdapter['applyConfirmed'] {
    const inner = this.inner.applyConfirmed?.bind(this.inner);
    return (
      inner &&
      ((change: ChangeSet, persistId: string, confirmTimeoutS: number, ctx?: OperationContext, options?: ConfirmedCommitOptions) =>
        this.record('applyConfirmed', options ? [change, persistId, confirmTimeoutS, options] : [change, persistId, confirmTimeoutS], ctx, (c) => inner(change, persistId, confirmTimeoutS, c, options)))
    );
  }

  get confirm(): NeAdapter['confirm'] {
    const inner = this.inner.confirm?.bind(this.inner);
    return inner && ((persistId: string, ctx?: OperationContext) => this.record('confirm', [persistId], ctx, (c) => inner(persistId, c)));
  }

  get cancel(): NeAdapter['cancel'] {
    const inner = this.inner.cancel?.bind(this.inner);
    return inner && ((persistId: string, ctx?: OperationContext) => this.record('cancel', [persistId], ctx, (c) => inner(persistId, c)));
  }

  get extendConfirmed(): NeAdapter['extendConfirmed'] {
    const inner = this.inner.extendConfirmed?.bind(this.inner);
    return inner && ((persistId: string, confirmTimeoutS: number, ctx?: OperationContext) => this.record('extendConfirmed', [persistId, confirmTimeoutS], ctx, (c) => inner(persistId, confirmTimeoutS, c)));
  }

  private async record<T>(method: RecordedMethod, args: unknown[], ctx: OperationContext | undefined, call: (ctx: OperationContext) => Promise<T>): Promise<T> {
    const audit: AuditEntry[] = [];
    // The caller's sink and write guard still see everything; the recording gets a copy.
    const recordingCtx: OperationContext = {
      ...ctx,
      audit: (entry) => {
        audit.push({ ...entry });
        ctx?.audit?.(entry);
      },
    };
    const entry: RecordedCall = { method, args: JSON.parse(JSON.stringify(args)) as unknown[], audit, openAfter: false };
    this.calls.push(entry);
    try {
      const result = await call(recordingCtx);
      if (result !== undefined) entry.result = JSON.parse(JSON.stringify(result)) as unknown;
      return result;
    } catch (error) {
      entry.error = recordedError(error, this.ne.id);
      throw error;
    } finally {
      entry.openAfter = this.inner.isOpen();
    }
  }
}

function recordedError(error: unknown, neId: string): RecordedError {
  if (!isFleetError(error)) return { code: 'NE_PROTOCOL_ERROR', message: String(error), transient: false, details: {} };
  const prefix = `${neId}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  const { neId: _neId, ...details } = JSON.parse(JSON.stringify(error.details)) as Record<string, unknown>;
  return { code: error.code, message, transient: error.transient, details };
}
