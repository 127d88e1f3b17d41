import { describe, expect, it } from 'vitest';
import { advance, dispatchOf, initialProgress, itemCompensated, itemCompleted, itemConfirmed, itemFailed, startOrder, type OrderProgress } from '../../orders/order-progress.js';
import { milestonesOf } from '../../orders/order-tracking.js';
import { itemStatesOf } from '../../orders/order-view.js';

const T = '2026-12-02T06:00:00.000Z';

function started(): OrderProgress {
  const p = initialProgress(
    [
      { id: 'a', dependsOn: [], noChange: false },
      { id: 'b', dependsOn: ['a'], noChange: false },
    ],
    'atomic',
  );
  return advance(startOrder(p, T), T).progress;
}

describe("the order's window in the order's progress", () => {
  it('holds items committed-unconfirmed (inProgress, with the milestone) until all passed, then confirms them all last', () => {
    let p = itemCompleted(started(), 'a', T, true, true);
    let d = advance(p, T);
    expect(d.activate).toEqual(['b']);
    p = d.progress;
    expect(itemStatesOf(p, () => undefined).a).toBe('inProgress');
    expect(milestonesOf(p).map((m) => m.name)).toContain('committed-unconfirmed');
    p = itemCompleted(p, 'b', T, true, true);
    d = advance(p, T);
    expect(d.progress.state).toBe('inProgress');
    expect(dispatchOf(d, d.progress)).toEqual([
      { itemId: 'a', kind: 'confirm' },
      { itemId: 'b', kind: 'confirm' },
    ]);
    p = itemConfirmed(d.progress, 'a');
    d = advance(p, T);
    expect(d.progress.state).toBe('inProgress');
    expect(dispatchOf(d, d.progress)).toEqual([{ itemId: 'b', kind: 'confirm' }]);
    d = advance(itemConfirmed(d.progress, 'b'), T);
    expect(d.progress.state).toBe('completed');
    expect(milestonesOf(d.progress).map((m) => m.name)).not.toContain('committed-unconfirmed');
  });

  it('a failure rolls the unconfirmed items back (their compensation cancels the commits) and the order fails', () => {
    let d = advance(itemCompleted(started(), 'a', T, true, true), T);
    d = advance(itemFailed(d.progress, 'b', T, 'NE_VERIFICATION_FAILED', 'test failed'), T);
    expect(dispatchOf(d, d.progress)).toEqual([{ itemId: 'a', kind: 'compensate' }]);
    d = advance(itemCompensated(d.progress, 'a', T), T);
    expect(d.progress.state).toBe('failed');
  });

  it('a commit found reverted at confirmation fails its item, and the order fails with that cause', () => {
    let d = advance(itemCompleted(started(), 'a', T, true, true), T);
    d = advance(itemCompleted(d.progress, 'b', T, true, true), T);
    expect(d.progress.items.b?.phase).toBe('confirming');
    d = advance(itemFailed(d.progress, 'a', T, 'NE_CONFIRMED_COMMIT_LOST', 'reverted'), T);
    expect(d.progress.state).toBe('inProgress');
    d = advance(itemFailed(d.progress, 'b', T, 'NE_CONFIRMED_COMMIT_LOST', 'reverted'), T);
    expect(d.progress.state).toBe('failed');
    expect(d.progress.items.a?.errors.at(-1)?.code).toBe('NE_CONFIRMED_COMMIT_LOST');
  });
});
