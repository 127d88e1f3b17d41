/**
 * An event-driven fault: it hits the next `count` occurrences (connections, sessions, datagrams)
 * and clears by itself once each hit one has been given up by the client (a connection closed
 * after the client's timeout) or, for faults with nothing to give up, once it was hit. Never a
 * wall-clock window: on a busy machine a window can close before the client even tried.
 */
export class HeldFault {
  private remaining: number;
  private hitCount = 0;
  private settledCount = 0;
  private resolveCleared!: () => void;
  /** Resolves once every hit occurrence has been given up (settled). */
  readonly cleared: Promise<void>;

  constructor(readonly count: number) {
    this.remaining = count;
    this.cleared = new Promise((resolve) => (this.resolveCleared = resolve));
    if (count <= 0) this.resolveCleared();
  }

  /** Whether this occurrence is hit by the fault; each call with `true` takes one of `count`. */
  take(): boolean {
    if (this.remaining <= 0) return false;
    this.remaining -= 1;
    this.hitCount += 1;
    return true;
  }

  /** One hit occurrence is over: the client gave up its connection (or the datagram was dropped). */
  settle(): void {
    this.settledCount += 1;
    if (this.settledCount >= this.count) this.resolveCleared();
  }

  get hits(): number {
    return this.hitCount;
  }

  get settled(): number {
    return this.settledCount;
  }
}
