/**
 * Named points between two writes of an item, where the chaos suite kills a worker to prove
 * that every gap is repaired: `FLEET_CRASH_AT=<point>` makes the process SIGKILL itself the
 * `FLEET_CRASH_SKIP`+1-th time it reaches that point (once per process). Unset, a point costs one
 * comparison. The same idea as FoundationDB's BUGGIFY: faults placed where the code knows the gaps
 * are, fired by an event (reaching the point), never by a clock. In observability/, a low layer, so
 * workers/ and queues/ place their points without importing the process wiring (runtime/).
 */
export const CRASH_POINTS = [
  /** The order is stored (started), its first item jobs not yet queued. */
  'intake.after-create',
  /** The item's execution holds its fence; nothing sent yet. */
  'item.after-start',
  /** A step reached its NE; the ledger still says pending. */
  'item.after-step-sent',
  /** A step reached its NE as a confirmed commit of the order's window; the ledger still says pending. */
  'item.after-confirmed-commit',
  /** Every item of the order committed (the last one settled); nothing confirmed yet. */
  'window.before-confirm',
  /** The item's end (and its service) is stored; the next items' jobs not yet queued. */
  'item.after-settle',
  /** An undo of a failed attempt reached its NE; the ledger still says undoing. */
  'item.after-undo-sent',
  /** An undo of a rollback reached its NE; the rollback's ledger still says pending. */
  'compensate.after-undo-sent',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const armed = process.env.FLEET_CRASH_AT as CrashPoint | undefined;
let skip = Number(process.env.FLEET_CRASH_SKIP ?? 0);

export function crashPoint(point: CrashPoint): void {
  if (armed !== point) return;
  if (skip-- > 0) return;
  process.kill(process.pid, 'SIGKILL');
}
