/**
 * An event-driven fault: it hits the next `count` occurrences (connections, sessions, datagrams),
 * and, given `until`, every occurrence after those too until that event has happened. It clears
 * by itself once each hit occurrence has been given up by the client (a connection closed after
 * the client's timeout) or, for faults with nothing to give up, once it was hit. Never a
 * wall-clock window: on a busy machine a window can close before the client even tried.
 */
export class HeldFault {
  private hitCount = 0;
  private settledCount = 0;
  private untilHappened: boolean;
  private resolveCleared!: () => void;
  /** Resolves once the fault hits no more and every occurrence it hit has been given up. */
  readonly cleared: Promise<void>;

  constructor(
    readonly count: number,
    options: { until?: Promise<unknown> } = {},
  ) {
    this.cleared = new Promise((resolve) => (this.resolveCleared = resolve));
    this.untilHappened = options.until === undefined;
    void options.until?.then(() => {
      this.untilHappened = true;
      this.check();
    });
    this.check();
  }

  /** Whether this occurrence is hit by the fault. */
  take(): boolean {
    if (this.hitCount >= this.count && this.untilHappened) return false;
    this.hitCount += 1;
    return true;
  }

  /** One hit occurrence is over: the client gave up its connection (or the datagram was dropped). */
  settle(): void {
    this.settledCount += 1;
    this.check();
  }

  get hits(): number {
    return this.hitCount;
  }

  get settled(): number {
    return this.settledCount;
  }

  private check(): void {
    if (this.untilHappened && this.hitCount >= this.count && this.settledCount >= this.hitCount) this.resolveCleared();
  }
}
