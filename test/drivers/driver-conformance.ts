import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { AuditEntry, OperationContext } from '../../adapters/audit.js';
import type { ChangeSet } from '../../adapters/change-set.js';
import { RecordingAdapter } from '../../adapters/mock/recording-adapter.js';
import { saveRecording } from '../../adapters/mock/recording-file.js';
import type { NeAdapter } from '../../adapters/ne-adapter.js';
import { NeError, type ErrorCode } from '../../errors/index.js';
import { MARGIN_MS } from '../support/device-faults.js';
import { isSkip, type DriverFixture, type DriverTarget, type Scenario, type ScenarioName } from './driver-fixture.js';

/**
 * The contract every driver keeps, run against a target (simulator, real peer, mock). Faults are
 * the device's doing (a silent peer, a killed session), never a wall-clock window: the only time
 * checked is that a failure comes within the adapter's own timeouts plus a generous margin.
 *
 * With RECORD_MOCK_DIR set, each case's session is recorded (adapters/mock) into
 * `<dir>/<driver>/<case>.json`, which the mock target replays.
 */
export function describeDriverConformance(fixture: DriverFixture): void {
  describe(`driver conformance: ${fixture.driver} against ${fixture.target}`, () => {
    let target: DriverTarget;
    // Only the simulators are recorded: they are what the mock stands in for in the fast suite.
    const recordDir = fixture.target === 'simulator' ? process.env['RECORD_MOCK_DIR'] : undefined;

    beforeAll(async () => {
      target = await fixture.start();
    });
    afterAll(async () => {
      await target?.stop();
    });

    /** Runs `body` on the scenario's adapter (skipping with the target's reason), then releases it. */
    async function withScenario(ctx: TestContext, name: ScenarioName, body: (adapter: NeAdapter, scenario: Scenario) => Promise<void>): Promise<void> {
      const scenario = await target.scenario(name);
      if (isSkip(scenario)) {
        ctx.skip(`${fixture.driver} on ${fixture.target}: ${scenario.skip}`);
        return;
      }
      const recorder = recordDir ? new RecordingAdapter(scenario.adapter) : undefined;
      const adapter = recorder ?? scenario.adapter;
      try {
        await body(adapter, scenario);
      } finally {
        await adapter.close();
        await scenario.stop?.();
        if (recorder && recordDir) await saveRecording(join(recordDir, fixture.driver, `${name}.json`), recorder.recording());
      }
    }

    it('open, apply, verify, undo, verify, close: the change is seen, then gone; every exchange is audited', async (ctx) => {
      await withScenario(ctx, 'lifecycle', async (adapter, scenario) => {
        const { change } = target;
        const entries: AuditEntry[] = [];
        const audited: OperationContext = { audit: (entry) => entries.push(entry) };
        await adapter.open();
        await adapter.open(); // idempotent
        expect(adapter.isOpen()).toBe(true);

        let undo: ChangeSet | undefined;
        if (change.undo === 'readPrior') {
          expect(adapter.readPrior, 'the fixture undoes by readPrior, so the driver must offer it').toBeTypeOf('function');
          undo = await adapter.readPrior?.(change.apply, audited);
        } else undo = change.undo;
        expect(undo, 'an undo for the change').toBeDefined();

        let writes = 0;
        await adapter.apply(change.apply, { ...audited, beforeWrite: async () => void (writes += 1) });
        expect(writes, 'the write guard is asked before the device is written').toBeGreaterThan(0);
        expect(await adapter.verify(change.check, audited)).toMatchObject({ passed: true });
        await adapter.apply(undo!, audited);
        expect(await adapter.verify(change.check, audited)).toMatchObject({ passed: false });
        expect(adapter.isOpen()).toBe(true);

        await adapter.close();
        await adapter.close(); // idempotent, never throws
        expect(adapter.isOpen()).toBe(false);

        expect(entries.length).toBeGreaterThan(0);
        for (const entry of entries) {
          expect(entry).toMatchObject({ neId: adapter.ne.id, protocol: adapter.ne.protocol, outcome: 'ok' });
          expect(new Date(entry.startedAt).toISOString()).toBe(entry.startedAt);
        }
        expectNoSecrets(JSON.stringify(entries), scenario.secrets);
      });
    });

    it('a refused login is NE_AUTHENTICATION_FAILED, permanent, and names no secret', async (ctx) => {
      await withScenario(ctx, 'auth-failure', async (adapter, scenario) => {
        const error = await neError(adapter.verify(target.change.check));
        expectError(error, adapter, 'NE_AUTHENTICATION_FAILED', false);
        expectNoSecrets(JSON.stringify(error.toJSON()), scenario.secrets);
      });
    });

    it('nothing listening is a transient failure within the adapter timeouts', async (ctx) => {
      await withScenario(ctx, 'refused-connection', async (adapter, scenario) => {
        const error = await timed(adapter.verify(target.change.check), scenario.boundMs);
        expectError(error, adapter, target.refusedConnectionCode, true);
      });
    });

    it('a change the device refuses is a permanent error in its code, and the adapter goes on working', async (ctx) => {
      await withScenario(ctx, 'refused-change', async (adapter) => {
        await adapter.open();
        const error = await neError(adapter.apply(target.refusedChange.change));
        expectError(error, adapter, target.refusedChange.code, false);
        // The same adapter still serves: the session survived, or the next call opens one.
        expect(await adapter.verify(target.change.check)).toMatchObject({ passed: false });
      });
    });

    it('a device that never answers is NE_TIMEOUT, transient, within the adapter timeouts; close() is bounded too', async (ctx) => {
      await withScenario(ctx, 'silent', async (adapter, scenario) => {
        const error = await timed(adapter.apply(target.change.apply), scenario.boundMs);
        expectError(error, adapter, 'NE_TIMEOUT', true);
        await timed(adapter.close(), scenario.boundMs, false);
        expect(adapter.isOpen()).toBe(false);
      });
    });

    it('a reply too large to hold is refused in bounded memory as an NeError', async (ctx) => {
      await withScenario(ctx, 'huge-output', async (adapter, scenario) => {
        const error = await timed(adapter.verify(target.change.check), scenario.boundMs);
        expectError(error, adapter, target.hugeOutputCode ?? 'NE_PROTOCOL_ERROR');
        expect(adapter.isOpen()).toBe(false);
      });
    });

    it('a reply that never ends is cut off as an NeError; nothing crashes and close() is bounded', async (ctx) => {
      await withScenario(ctx, 'endless-output', async (adapter, scenario) => {
        const error = await timed(adapter.apply(target.change.apply), scenario.boundMs);
        expectError(error, adapter, target.endlessOutputCode);
        await timed(adapter.close(), scenario.boundMs, false);
        expect(adapter.isOpen()).toBe(false);
      });
    });

    it('after the session is killed under it, the adapter fails transiently at most once, and the next open works', async (ctx) => {
      await withScenario(ctx, 'drop', async (adapter, scenario) => {
        await adapter.open();
        expect(await adapter.verify(target.change.check)).toMatchObject({ passed: false });
        await scenario.drop?.();
        // The adapter may notice the drop only at its next exchange: that one may fail, transiently.
        const next = await adapter.verify(target.change.check).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (next !== undefined) {
          expect(next).toBeInstanceOf(NeError);
          expect((next as NeError).transient, `after a drop: ${String(next)}`).toBe(true);
          expect(adapter.isOpen()).toBe(false);
        }
        await adapter.open();
        expect(adapter.isOpen()).toBe(true);
        expect(await adapter.verify(target.change.check)).toMatchObject({ passed: false });
      });
    });

    it('a host key that is not pinned is NE_HOST_KEY_MISMATCH, permanent, before any login', async (ctx) => {
      await withScenario(ctx, 'host-key', async (adapter) => {
        const error = await neError(adapter.open());
        expectError(error, adapter, 'NE_HOST_KEY_MISMATCH', false);
        expect(adapter.isOpen()).toBe(false);
      });
    });
  });
}

async function neError(promise: Promise<unknown>): Promise<NeError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, 'the operation must fail with an NeError').toBeInstanceOf(NeError);
  return outcome as NeError;
}

/** Fails unless the operation fails (or, with `mustFail` false, ends) within the bound plus the margin. */
async function timed(promise: Promise<unknown>, boundMs: number | undefined, mustFail = true): Promise<NeError> {
  const started = Date.now();
  const error = mustFail ? await neError(promise) : (await promise, undefined);
  const elapsedMs = Date.now() - started;
  if (boundMs !== undefined) expect(elapsedMs, `took ${elapsedMs} ms, bound ${boundMs} ms + margin`).toBeLessThanOrEqual(boundMs + MARGIN_MS);
  return error as NeError;
}

function expectError(error: NeError, adapter: NeAdapter, code: ErrorCode, transient?: boolean): void {
  expect({ code: error.code, neId: error.neId }, error.message).toEqual({ code, neId: adapter.ne.id });
  if (transient !== undefined) expect(error.transient, error.message).toBe(transient);
  expect(error.message.startsWith(`${adapter.ne.id}: `)).toBe(true);
}

function expectNoSecrets(text: string, secrets: string[] = []): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}
