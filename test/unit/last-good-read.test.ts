import { describe, expect, it } from 'vitest';
import { LastGoodRead } from '../../observability/last-good-read.js';

describe('LastGoodRead', () => {
  it('answers fresh when the read is quick, and the last good value when it hangs or fails', async () => {
    let now = 1000;
    let next: () => Promise<number> = async () => 1;
    const reads = new LastGoodRead(() => next(), 50, () => now);
    expect(reads.ageSeconds()).toBe(-1);
    expect(await reads.current()).toBe(1);
    expect(reads.ageSeconds()).toBe(0);

    // Redis away: the read never returns; callers get the old value within the wait, and its age.
    let release: (v: number) => void = () => undefined;
    next = () => new Promise<number>((resolve) => (release = resolve));
    now += 5000;
    const started = Date.now();
    expect(await reads.current()).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(reads.ageSeconds()).toBe(5);
    // The hung read is shared: no second one starts while it runs.
    let calls = 0;
    next = async () => {
      calls += 1;
      return 3;
    };
    expect(await reads.current()).toBe(1);
    expect(calls).toBe(0);
    release(2);
    await new Promise((r) => setTimeout(r, 10));
    expect(await reads.current()).toBe(2);

    next = async () => {
      throw new Error('Connection is closed.');
    };
    now += 1000;
    expect(await reads.current()).toBe(2);
    expect(reads.ageSeconds()).toBe(1);
  });

  it('gives undefined before any good read', async () => {
    const reads = new LastGoodRead<number>(async () => Promise.reject(new Error('down')), 20);
    expect(await reads.current()).toBeUndefined();
    expect(reads.ageSeconds()).toBe(-1);
  });
});
