import type { ChangeSet, Check } from '../../adapters/change-set.js';
import type { NeAdapter } from '../../adapters/ne-adapter.js';
import type { ErrorCode } from '../../errors/index.js';

/**
 * What the conformance suite needs to know about one driver on one target (its simulator, its
 * real peer, or the mock). Every case asks the target for a scenario: an adapter set up for that
 * case. A target that cannot offer a case returns `{ skip: reason }`, and the suite shows the reason.
 */
export interface DriverFixture {
  /** The driver's protocol, e.g. `ssh-cli`. */
  driver: string;
  /** What the driver runs against, e.g. `simulator`, `frr`, `mock`. */
  target: string;
  /** Starts what the scenarios share (a simulator, a real daemon); once per suite. */
  start(): Promise<DriverTarget>;
}

/** One change the target takes, the check that sees it, and how it is undone. */
export interface ConformanceChange {
  apply: ChangeSet;
  /** Passes once `apply` is in, fails once the undo is. */
  check: Check;
  /** A declared undo change, or `readPrior`: the adapter reads the prior state and returns the undo. */
  undo: ChangeSet | 'readPrior';
}

export interface Scenario {
  adapter: NeAdapter;
  /**
   * For `drop`: kills the session under the adapter (server side: the process, the SSH
   * connection, the agent). Resolves once the device has done it.
   */
  drop?: () => Promise<void>;
  /** The adapter's own bound for the failing operation (its timeouts), in ms; the suite adds a margin. */
  boundMs?: number;
  /** Secrets that must appear in no error message and no audit entry. */
  secrets?: string[];
  /** Releases what only this scenario started (a hostile peer). */
  stop?: () => Promise<void>;
}

export type Skip = { skip: string };

export type ScenarioName =
  /** Healthy target: open, apply, verify, undo, verify, close. */
  | 'lifecycle'
  /** The device refuses the credentials. */
  | 'auth-failure'
  /** Nothing listens where the NE is. */
  | 'refused-connection'
  /** The device refuses a change (`refusedChange`). */
  | 'refused-change'
  /** The device accepts the connection and never answers. */
  | 'silent'
  /** A reply too large to hold. */
  | 'huge-output'
  /** A reply that never ends. */
  | 'endless-output'
  /** The session is killed under the adapter after it was opened. */
  | 'drop'
  /** The device presents a host key that is not pinned. */
  | 'host-key';

export interface DriverTarget {
  change: ConformanceChange;
  /** A change the device refuses, and the code the driver must raise for it (permanent). */
  refusedChange: { change: ChangeSet; code: ErrorCode };
  /** The code a refused connection raises (transient): a UDP driver sees no refusal, only silence. */
  refusedConnectionCode: ErrorCode;
  /** The code endless output raises. */
  endlessOutputCode: ErrorCode;
  /** The code huge output raises. */
  hugeOutputCode?: ErrorCode;
  scenario(name: ScenarioName): Promise<Scenario | Skip>;
  stop(): Promise<void>;
}

export function isSkip(value: Scenario | Skip): value is Skip {
  return 'skip' in value;
}
