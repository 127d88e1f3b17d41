import { describe, expect, it } from 'vitest';
import { blockedWaitLeftMs } from '../../workers/ne-wait.js';

const BOUND = 150_000;

describe('the bound of a wait for a blocked NE', () => {
  it('runs from the job\'s first refusal while the NE has not moved since', () => {
    expect(blockedWaitLeftMs({ firstRefusedAt: 1_000, neProgressAt: 0, now: 101_000, boundMs: BOUND })).toBe(50_000);
    expect(blockedWaitLeftMs({ firstRefusedAt: 1_000, neProgressAt: 500, now: 151_001, boundMs: BOUND })).toBeLessThan(0);
  });

  it('starts again when the NE took a change after the job was first refused: a queue of windows moving through it is waited out', () => {
    // First refused at 1 s; windows ahead closed at 140 s and 280 s; at 400 s the job has waited 399 s, over twice the bound.
    expect(blockedWaitLeftMs({ firstRefusedAt: 1_000, neProgressAt: 140_000, now: 200_000, boundMs: BOUND })).toBe(90_000);
    expect(blockedWaitLeftMs({ firstRefusedAt: 1_000, neProgressAt: 280_000, now: 400_000, boundMs: BOUND })).toBe(30_000);
    // Stuck since the last window closed for longer than the bound: a failure like any other.
    expect(blockedWaitLeftMs({ firstRefusedAt: 1_000, neProgressAt: 280_000, now: 430_001, boundMs: BOUND })).toBeLessThan(0);
  });
});
