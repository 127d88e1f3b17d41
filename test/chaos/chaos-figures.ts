import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the chaos suite did, summed over its files (each runs in its own process). */
export interface ChaosFigures {
  ordersRun: number;
  faultsInjected: number;
  ordersLost: number;
  duplicateApplies: number;
  /** Services a device holds only in part after the fault (counted from the device's own config). */
  halfConfigured: number;
  /** Undo lines a device took for a change another, still running, attempt had applied (from the device's own log). */
  destructiveUndos: number;
  /** Device writes for an item by an execution that had lost it to a newer attempt (from the device's own log). */
  staleWrites: number;
  /** Services where a device's own state and the service inventory disagree after the fault. */
  deviceDisagreements: number;
  /** Orders whose device state, inventory and order state disagree after a crash and its repair. */
  orderDisagreements: number;
  /** Changes of one service that overlapped (device lines interleaved, or two orders' runs at once). */
  interleavedChanges: number;
  /** Poison orders (data that cannot be processed) that ran more than once, or held up other orders. */
  poisonRetried: number;
  hostileInputsTried: number;
  crashes: number;
  /** Errors that escaped every handler of a fleet process (each a bug, survived): see escaped-errors.ts. */
  escapedErrors: number;
  /** Faults by kind (redis-unreachable, redis-wipe, api-kill, ...); faultsInjected counts them all. */
  faultsByKind: Record<string, number>;
  /** Configured secrets (API tokens, NE credentials) found in the outputs a test scanned. */
  secretsFound: number;
  /** Each wiped Redis: how long until every process reported it, and the readiness interval it had. */
  wipeDetections: Array<{ detectedMs: number; intervalMs: number }>;
}

// In the checkout (.tmp/ is git-ignored), so two checkouts running the suite never mix figures.
export const FIGURES_FILE = join(process.cwd(), '.tmp', 'chaos-figures.json');

const EMPTY: ChaosFigures = { ordersRun: 0, faultsInjected: 0, ordersLost: 0, duplicateApplies: 0, halfConfigured: 0, destructiveUndos: 0, staleWrites: 0, deviceDisagreements: 0, orderDisagreements: 0, interleavedChanges: 0, poisonRetried: 0, hostileInputsTried: 0, crashes: 0, escapedErrors: 0, faultsByKind: {}, secretsFound: 0, wipeDetections: [] };

export function readFigures(): ChaosFigures {
  try {
    return { ...structuredClone(EMPTY), ...(JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Partial<ChaosFigures>) };
  } catch {
    return structuredClone(EMPTY);
  }
}

/** Adds to the figures: numbers are summed, faults by kind summed per kind, lists appended. */
export function addFigures(delta: Partial<ChaosFigures>): void {
  const current = readFigures() as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(delta)) {
    const before = current[key];
    if (typeof value === 'number') current[key] = ((before as number | undefined) ?? 0) + value;
    else if (Array.isArray(value)) current[key] = [...((before as unknown[] | undefined) ?? []), ...value];
    else if (value && typeof value === 'object') {
      const merged = { ...((before as Record<string, number> | undefined) ?? {}) };
      for (const [k, n] of Object.entries(value as Record<string, number>)) merged[k] = (merged[k] ?? 0) + n;
      current[key] = merged;
    }
  }
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  writeFileSync(FIGURES_FILE, JSON.stringify(current));
}

/** A wipe counts as detected in time when every process reported it within its readiness interval (plus a busy machine's timer lateness). */
export const WIPE_DETECTION_SLACK_MS = 1000;
