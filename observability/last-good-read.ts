/**
 * A read that answers within `freshWithinMs`: with a fresh value when the read finishes in
 * time, else with the last good one (undefined before the first). One read runs at a time;
 * a hung read (Redis away) holds no more than itself, and callers meanwhile get the old value.
 * Values younger than `freshWithinMs` are reused, so the gauges of one scrape share a read.
 */
export class LastGoodRead<T> {
  private last: { value: T; atMs: number } | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly freshWithinMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<T | undefined> {
    if (this.last && this.now() - this.last.atMs < this.freshWithinMs) return this.last.value;
    this.inFlight ??= this.read().then(
      (value) => {
        this.last = { value, atMs: this.now() };
      },
      // A failed read keeps the last good value; its age tells the scraper how old it is.
      () => undefined,
    ).finally(() => {
      this.inFlight = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.freshWithinMs);
      timer.unref();
    });
    await Promise.race([this.inFlight, late]);
    clearTimeout(timer);
    return this.last?.value;
  }

  /** Seconds since the last good read; -1 before the first. */
  ageSeconds(): number {
    return this.last ? (this.now() - this.last.atMs) / 1000 : -1;
  }
}
