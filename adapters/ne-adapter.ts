import type { NetworkElement } from './network-element.js';
import type { OperationContext } from './audit.js';
import type { ChangeSet, Check, CheckResult } from './change-set.js';

export interface ConfirmedCommitOptions {
  /**
   * The change joins the confirmed commit `persistId` already pending on the device (a follow-up
   * confirmed commit, RFC 6241 8.4.5.1) instead of opening one: a device holds one at a time.
   */
  followUp?: boolean;
}

/**
 * One driver per protocol, one interface for all (in the spirit of NAPALM's driver).
 * Every method throws `NeError` (from errors/) and nothing else: library errors are
 * translated at this boundary, marked transient or permanent.
 */
export interface NeAdapter {
  readonly ne: NetworkElement;

  /** Opens the session (or takes one from the pool). Idempotent. */
  open(): Promise<void>;

  /**
   * Pushes the change set. Side effect: changes the device configuration. On failure the
   * adapter leaves the device as it found it where the protocol allows (NETCONF discards the
   * candidate; SNMP and CLI report which part was applied through the error details).
   * Every exchange with the device is reported to `ctx.audit`.
   */
  apply(change: ChangeSet, ctx?: OperationContext): Promise<void>;

  /**
   * Reads what the device holds now at exactly the places `change` writes, and returns the change
   * that puts it back: the default undo of a step that declares none. Reads only. Undefined when
   * the state cannot be put back by a change of the same kind (an instance that does not exist
   * yet, a value that does not survive the round trip). Protocols that cannot read offer none.
   */
  readPrior?(change: ChangeSet, ctx?: OperationContext): Promise<ChangeSet | undefined>;

  /** Runs one post-activation test. Reads only; never changes the device. */
  verify(check: Check, ctx?: OperationContext): Promise<CheckResult>;

  /**
   * Protocols that can apply a change that reverts by itself unless confirmed (NETCONF
   * confirmed-commit with persist-id) offer these three. A worker that dies between apply and
   * confirm leaves the device to revert on its own, and a retry can confirm or cancel by id.
   * `applyConfirmed` throws NE_UNSUPPORTED when the device does not offer it.
   */
  applyConfirmed?(change: ChangeSet, persistId: string, confirmTimeoutS: number, ctx?: OperationContext, options?: ConfirmedCommitOptions): Promise<void>;
  confirm?(persistId: string, ctx?: OperationContext): Promise<void>;
  cancel?(persistId: string, ctx?: OperationContext): Promise<void>;
  /**
   * A follow-up confirmed commit of the pending `persistId` with nothing new in it: the device's
   * timeout starts again at `confirmTimeoutS` (RFC 6241 8.4.5.1). An rpc-error when nothing by
   * that id is pending.
   */
  extendConfirmed?(persistId: string, confirmTimeoutS: number, ctx?: OperationContext): Promise<void>;

  /** Whether the session is still usable; a pool replaces an adapter that says no. */
  isOpen(): boolean;

  /**
   * Releases the session. Idempotent; never throws. The logout is reported to `ctx.audit` when
   * no operation is running (a pool retiring an idle session passes the fleet's session sink).
   */
  close(ctx?: OperationContext): Promise<void>;
}
