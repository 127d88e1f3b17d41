import { expect } from 'vitest';
import { NeError, type ErrorCode } from '../../errors/index.js';

/**
 * Room on top of an adapter's own timeouts for a busy machine. Generous on purpose: the tests
 * assert that a hostile device is bounded by the adapter's timeouts, not how fast the machine is.
 */
export const MARGIN_MS = 10_000;

export interface Classified {
  error: NeError;
  elapsedMs: number;
}

/** Runs `work`, which must fail with an NeError, and measures how long it took to fail. */
export async function failure(work: () => Promise<unknown>): Promise<Classified> {
  const started = Date.now();
  let caught: unknown;
  try {
    await work();
  } catch (error) {
    caught = error;
  }
  const elapsedMs = Date.now() - started;
  expect(caught, 'the operation against a hostile device must fail').toBeInstanceOf(NeError);
  return { error: caught as NeError, elapsedMs };
}

export interface Expected {
  code: ErrorCode;
  transient: boolean;
  neId: string;
  /** What the message must say about what happened, in words. */
  words: RegExp;
  /** The adapter's own bound for this operation, in ms (its timeouts). */
  withinMs: number;
}

export function expectClassified({ error, elapsedMs }: Classified, expected: Expected): void {
  expect({ code: error.code, transient: error.transient, neId: error.neId }).toEqual({ code: expected.code, transient: expected.transient, neId: expected.neId });
  expect(error.message.startsWith(`${expected.neId}: `)).toBe(true);
  expect(error.message).toMatch(expected.words);
  expect(elapsedMs, `failed after ${elapsedMs} ms, bound ${expected.withinMs} ms + margin`).toBeLessThanOrEqual(expected.withinMs + MARGIN_MS);
}

/** Resolves `promise`, failing if it takes longer than `withinMs` plus the margin; returns how long it took. */
export async function bounded(promise: Promise<unknown>, withinMs: number): Promise<number> {
  const started = Date.now();
  await promise;
  const elapsedMs = Date.now() - started;
  expect(elapsedMs, `took ${elapsedMs} ms, bound ${withinMs} ms + margin`).toBeLessThanOrEqual(withinMs + MARGIN_MS);
  return elapsedMs;
}

/** Polls `condition` until it holds; for effects that follow an event by a little (a peer seeing a FIN). */
export async function eventually(condition: () => boolean, timeoutMs = MARGIN_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
