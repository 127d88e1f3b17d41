import type { NetworkElement } from './network-element.js';

/** A fleet-wide right to hold one session to an NE. */
export interface SessionLease {
  readonly neId: string;
  readonly id: string;
}

/**
 * The fleet-wide budget of an NE as the session pool sees it: every process's pool asks it
 * before opening a session, so an NE's session limit holds across all workers on all hosts.
 * The pool knows nothing of where the budget lives (Redis, in the fleet).
 */
export interface SessionGate {
  /** A lease, or undefined when the NE (or its group) is at its session budget. */
  tryAcquire(ne: NetworkElement): Promise<SessionLease | undefined>;
  /** Gives the lease back and wakes one job waiting for the NE. */
  release(lease: SessionLease): Promise<void>;
  /** Whether jobs are waiting for the NE: then a session is closed after use, not kept idle. */
  contended(ne: NetworkElement): Promise<boolean>;
  /** Waits as long as the NE's (and its group's) operations-per-second budget requires. */
  throttle(ne: NetworkElement): Promise<void>;
}
