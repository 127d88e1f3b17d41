import type { Logger } from 'pino';
import type { SessionScope } from '../adapters/adapter-pool.js';
import type { OperationContext } from '../adapters/audit.js';
import type { ChangeSet } from '../adapters/change-set.js';
import type { NeAdapter } from '../adapters/ne-adapter.js';
import { driverFor } from '../adapters/registry.js';
import { FleetError, NeError } from '../errors/index.js';
import type { NetworkElement } from '../inventory/network-element.js';
import type { FleetMetrics } from '../observability/fleet-metrics.js';
import { inFleetSpan } from '../observability/tracing/fleet-spans.js';
import type { StoredStep } from '../orders/order-record.js';
import type { ItemLedger } from './item-ledger.js';

/** The operations on one step's NE that step execution, compensation and the commit window share. */

/**
 * How long a confirmed change waits for its confirmation before the device reverts it, for callers
 * without the fleet's config (a test, a tool); the fleet passes CONFIRM_TIMEOUT_S, whose default
 * this is (test/unit/fleet-config.test.ts checks they agree).
 */
export const CONFIRM_TIMEOUT_S = 120;

/** A planned step with its NE resolved from the resource inventory. */
export interface ResolvedStep extends StoredStep {
  ne: NetworkElement;
}

export interface StepExecutionDeps {
  /** The execution's fenced ledger: what was sent, and the guard before every device write. */
  ledger: ItemLedger;
  /** Sessions held for the whole item (acquired on first use, released by the caller). */
  sessions: SessionScope;
  metrics: FleetMetrics;
  log: Logger;
  /** Seconds a confirmed commit waits for its confirmation. @defaultValue CONFIRM_TIMEOUT_S */
  confirmTimeoutS?: number;
  /**
   * The order's window: NETCONF steps on NEs with confirmed commits are committed confirmed
   * (reverting by themselves after `timeoutS`) and confirmed only once the whole order passed.
   * Absent: the order has no window and such steps are applied plainly.
   */
  window?: OrderWindow;
}

/** The order's window as one execution of an item sees it. */
export interface OrderWindow {
  /** Seconds a confirmed commit (or its extension) waits for its confirmation before the NE reverts it. */
  timeoutS: number;
  /**
   * NE id -> persist-id of this order's confirmed commit already pending there (an earlier
   * item's or an earlier step's). A device holds one pending confirmed commit (RFC 6241 8.4), so
   * a later step on that NE joins it with a follow-up confirmed commit of the same persist-id.
   */
  openOn: Map<string, string>;
}

/** A step that could not be undone: the NE may hold a remnant of it. */
export interface Remnant {
  step: string;
  neId: string;
  error: string;
}

export function context(deps: StepExecutionDeps, step: ResolvedStep): OperationContext {
  return { audit: (entry) => deps.ledger.audit(entry, step.name), beforeWrite: () => deps.ledger.beforeWrite(step.name) };
}

/**
 * The persist-id of a step's confirmed commit: the same for every attempt of the item (and its
 * compensation or abort), so a later run can confirm or cancel it even where the ledger lost it.
 */
export function persistIdOf(deps: StepExecutionDeps, step: ResolvedStep): string {
  return `${deps.ledger.orderId}.${deps.ledger.fence.itemId}.activate.${step.name}`.replace(/[^A-Za-z0-9._-]/g, '.');
}

type Operation = 'apply' | 'verify' | 'undo' | 'confirm' | 'cancel' | 'extend';

export async function timed<T>(deps: StepExecutionDeps, step: ResolvedStep, operation: Operation, work: () => Promise<T>): Promise<T> {
  const end = deps.metrics.neOperationDuration.startTimer({ protocol: step.ne.protocol, operation });
  const labels = { protocol: step.ne.protocol, role: step.ne.role, operation };
  const fields = { orderId: deps.ledger.orderId, itemId: deps.ledger.fence.itemId, neId: step.ne.id, protocol: step.ne.protocol, step: step.name, operation };
  return inFleetSpan('activation.step', fields, async () => {
    try {
      const result = await work();
      deps.metrics.neOperations.inc({ ...labels, outcome: 'success' });
      return result;
    } catch (error) {
      deps.metrics.neOperations.inc({ ...labels, outcome: error instanceof FleetError ? error.code : 'error' });
      throw error;
    } finally {
      end();
    }
  });
}

export async function runTests(deps: StepExecutionDeps, step: ResolvedStep, adapter: NeAdapter): Promise<void> {
  for (const check of step.tests) {
    const result = await timed(deps, step, 'verify', () => adapter.verify(check, context(deps, step)));
    if (!result.passed) {
      const driver = driverFor(check.protocol);
      const { what, expected } = driver.checkWords(check);
      throw new NeError(
        'NE_VERIFICATION_FAILED',
        step.ne.id,
        `post-activation test of step ${step.name} failed: ${what} should ${driver.checkAbsent(check) ? 'not ' : ''}show ${expected}; device showed: ${result.observed.slice(0, 500) || '(nothing)'}`,
      );
    }
  }
}

/**
 * Whether the device shows the step's change, by its post-activation tests. False only when the
 * tests ran and the device showed something else: a test that could not run (the NE unreachable,
 * at its budget, timing out, refusing the command) says nothing about the device, and its error
 * goes up, since taking it for "not there" would send the change a second time.
 */
export async function testsPass(deps: StepExecutionDeps, step: ResolvedStep): Promise<boolean> {
  if (step.tests.length === 0) return false;
  try {
    await deps.sessions.use(step.ne, (adapter) => runTests(deps, step, adapter));
    return true;
  } catch (error) {
    if (error instanceof NeError && error.code === 'NE_VERIFICATION_FAILED') return false;
    throw error;
  }
}

export async function sendUndo(deps: StepExecutionDeps, step: ResolvedStep, change: ChangeSet): Promise<void> {
  await deps.sessions.use(step.ne, (adapter) => timed(deps, step, 'undo', () => adapter.apply(change, context(deps, step))));
}
