import { expect } from 'vitest';
import type { AuditEntry } from '../../adapters/audit.js';

/**
 * The exchange an audit entry times lies inside the call that made it: it starts no earlier than
 * `before` and ends no later than `after` (Date.now() read around the call; 1 ms for the rounding
 * of a duration measured with performance.now()). A duration in the wrong unit, from the wrong
 * start, or negative fails here.
 */
export function expectTimedWithin(entry: Pick<AuditEntry, 'startedAt' | 'durationMs'>, before: number, after: number): void {
  const started = Date.parse(entry.startedAt);
  expect(started).toBeGreaterThanOrEqual(before);
  expect(entry.durationMs).toBeGreaterThanOrEqual(0);
  expect(started + entry.durationMs).toBeLessThanOrEqual(after + 1);
}
