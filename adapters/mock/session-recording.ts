import type { AuditEntry } from '../audit.js';
import type { ErrorCode } from '../../errors/index.js';
import type { NeProtocol } from '../registry.js';

/** The NeAdapter methods a recording holds, one entry per call. */
export type RecordedMethod = 'open' | 'apply' | 'readPrior' | 'verify' | 'applyConfirmed' | 'confirm' | 'cancel' | 'extendConfirmed' | 'close';

export const OPTIONAL_METHODS = ['readPrior', 'applyConfirmed', 'confirm', 'cancel', 'extendConfirmed'] as const;
export type OptionalMethod = (typeof OPTIONAL_METHODS)[number];

/** An NeError as it crossed the adapter boundary: enough to raise the same one again. */
export interface RecordedError {
  code: ErrorCode;
  /** Without the `<neId>: ` prefix, which NeError adds. */
  message: string;
  transient: boolean;
  details: Record<string, unknown>;
}

/** One call on the driver and what came of it. */
export interface RecordedCall {
  method: RecordedMethod;
  /** The call's arguments as JSON (the operation context aside: its audit output is `audit`). */
  args: unknown[];
  /** What the call resolved to (a CheckResult, a prior ChangeSet), absent for void or a failure. */
  result?: unknown;
  error?: RecordedError;
  /** What the adapter told the audit sink during the call, in order. */
  audit: AuditEntry[];
  /** `isOpen()` once the call had ended: a drop or a timeout closes the session. */
  openAfter: boolean;
}

/**
 * A device session as the mock driver replays it (NAPALM's mock driver keeps one file per
 * method call; one file per session keeps the order of the calls, which a session has).
 */
export interface SessionRecording {
  format: 'activation-fleet/mock-session/1';
  neId: string;
  protocol: NeProtocol;
  /** The optional NeAdapter methods the recorded driver offers; the mock offers the same. */
  offers: OptionalMethod[];
  calls: RecordedCall[];
}
