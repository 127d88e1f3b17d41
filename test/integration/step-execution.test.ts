import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterPool } from '../../adapters/adapter-pool.js';
import type { OperationContext } from '../../adapters/audit.js';
import type { ChangeSet, Check, CheckResult } from '../../adapters/change-set.js';
import type { NeAdapter } from '../../adapters/ne-adapter.js';
import { NeError } from '../../errors/index.js';
import { networkElementSchema, type NetworkElement } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { FleetMetrics } from '../../observability/fleet-metrics.js';
import { createLogger } from '../../observability/logger.js';
import { QUEUE_NAMES } from '../../queues/queue-names.js';
import { loadFleetConfig } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';
import { ItemLedger, StaleExecutionError } from '../../workers/item-ledger.js';
import { compensateSteps, executeSteps, undoAttempt, type ResolvedStep, type StepExecutionDeps } from '../../workers/step-execution.js';

/**
 * Step execution on its own: a real, fenced ledger (a private Redis, an order taken in by the
 * fleet's intake, no workers), and an in-memory device behind the NeAdapter interface. Each test
 * plays an earlier run that died (its ledger records, what it left on the device), then runs the
 * item again and looks at what reached the device.
 */

/** An NE's configuration as a set of lines, and every change that reached it, in order. */
class FakeDevice {
  readonly config = new Set<string>();
  /** The lines of each change set that started to reach the device, in order. */
  readonly changes: string[] = [];
  /** Lines the device refuses, as a CLI prints an error for them. */
  readonly refuse = new Set<string>();
}

function lineOf(change: ChangeSet): string[] {
  if (change.protocol === 'ssh-cli') return change.lines;
  if (change.protocol === 'netconf') return [change.configXml];
  if (change.protocol === 'snmp') return change.varbinds.map((v) => `${v.oid}=${v.value}`);
  return [JSON.stringify(change)];
}

/** Writes line by line, asking the caller's guard before each, as the real drivers do. */
class FakeAdapter implements NeAdapter {
  private live = false;
  constructor(
    readonly ne: NetworkElement,
    private readonly device: FakeDevice,
  ) {}
  async open(): Promise<void> {
    this.live = true;
  }
  async apply(change: ChangeSet, ctx: OperationContext = {}): Promise<void> {
    const lines = lineOf(change);
    let started = false;
    for (const [index, line] of lines.entries()) {
      await ctx.beforeWrite?.();
      if (this.device.refuse.has(line)) throw new NeError('NE_COMMAND_REJECTED', this.ne.id, `"${line}" rejected`, { details: { appliedLines: index, totalLines: lines.length } });
      if (!started) this.device.changes.push(lines.join(' / '));
      started = true;
      if (line.startsWith('no ')) this.device.config.delete(line.slice(3));
      else this.device.config.add(line);
    }
    ctx.audit?.({ neId: this.ne.id, protocol: this.ne.protocol, operation: 'apply', request: lines.join('\n'), reply: '', outcome: 'ok', startedAt: new Date().toISOString(), durationMs: 0 });
  }
  async verify(check: Check): Promise<CheckResult> {
    const wanted = check.protocol === 'ssh-cli' ? [check.line ?? ''] : check.protocol === 'netconf' ? check.contains : [String(check.equals)];
    const present = wanted.every((w) => [...this.device.config].some((line) => line.includes(w)));
    return { passed: present, observed: [...this.device.config].join('\n') };
  }
  isOpen(): boolean {
    return this.live;
  }
  async close(): Promise<void> {
    this.live = false;
  }
}

const CLI_NE = networkElementSchema.parse({ id: 'pcrf-1', role: 'pcrf', protocol: 'ssh-cli', host: '127.0.0.1', port: 1, credentialsRef: 'env:X', ssh: { hostKeys: [] } });
const NETCONF_NE = networkElementSchema.parse({ id: 'npdb-1', role: 'npdb', protocol: 'netconf', host: '127.0.0.1', port: 1, credentialsRef: 'env:X', ssh: { hostKeys: [] } });
const VMS_NE = networkElementSchema.parse({ id: 'vms-1', role: 'vms', protocol: 'snmp', host: '127.0.0.1', port: 1, credentialsRef: 'env:X', snmp: { version: '3' } });

const cliStep = (name = 'subscriber'): ResolvedStep => ({
  name,
  neId: CLI_NE.id,
  ne: CLI_NE,
  apply: { protocol: 'ssh-cli', lines: ['subscriber 4477', 'plan gold'] },
  undo: { protocol: 'ssh-cli', lines: ['no plan gold', 'no subscriber 4477'] },
  tests: [{ protocol: 'ssh-cli', command: 'show running-config', line: 'plan gold' }],
});

const netconfStep = (name = 'port-number'): ResolvedStep => ({
  name,
  neId: NETCONF_NE.id,
  ne: NETCONF_NE,
  apply: { protocol: 'netconf', configXml: '<ported-number>4477</ported-number>' },
  undo: { protocol: 'netconf', configXml: '<ported-number operation="delete">4477</ported-number>' },
  tests: [{ protocol: 'netconf', filterXml: '<porting/>', contains: ['<ported-number>4477</ported-number>'] }],
});

let redis: PrivateRedis;
let fleet: FleetProcess;
let lockRedis: Redis;
const log = createLogger({ level: 'silent' });
const metrics = new FleetMetrics({ defaultMetrics: false });
const now = (): string => new Date().toISOString();
let orders = 0;

beforeAll(async () => {
  redis = await startPrivateRedis();
  lockRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
  const config = loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: `steps-${randomBytes(4).toString('hex')}`, HTTP_PORT: '0' });
  // Intake and orchestration only: the items are started and wait for a worker that never comes; the tests are the worker.
  fleet = await startFleetProcess({
    config,
    roles: ['intake', 'orchestrator'],
    log,
    catalog: await loadServiceCatalog('config/catalog'),
    inventory: ResourceInventory.fromInputs([VMS_NE]),
    credentials: () => ({}),
    http: false,
  });
});

afterAll(async () => {
  await fleet?.stop();
  await lockRedis?.quit();
  await redis?.stop();
});

/** A new order with one item the orchestrator has started: its id, for executions to begin on. */
async function startedItem(): Promise<{ orderId: string; itemId: string }> {
  orders += 1;
  const msisdn = `4477003${String(orders).padStart(5, '0')}`;
  const { order } = await fleet.producer.submitServiceOrder({
    serviceOrderItem: [{ id: 'only', action: 'add', service: { serviceSpecification: { id: 'voicemail' }, serviceCharacteristic: [{ name: 'msisdn', value: msisdn }] } }],
  });
  return { orderId: order.id ?? '', itemId: 'only' };
}

/** One execution of the item, as a worker begins it: its job's lock, a new fence, a fenced ledger. */
async function execution(item: { orderId: string; itemId: string }, device: FakeDevice, options: { marginMs?: number } = {}) {
  const { keys } = fleet;
  const token = randomBytes(8).toString('hex');
  const lockKey = keys.jobLock(keys.shardOf(item.orderId), QUEUE_NAMES.activation, `test-${token}`);
  await lockRedis.set(lockKey, token, 'PX', 600_000);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const start = await fleet.store.startItem(item.orderId, item.itemId, { expectPhase: 'activating', lockKey, token, countAttempt: true, now: now() });
    if (!('stale' in start)) {
      const ledger = new ItemLedger(fleet.store, item.orderId, 'activate', start.fence, start.snapshot, start.validityMs, { marginMs: options.marginMs ?? 100, now });
      const pool = new AdapterPool((ne) => new FakeAdapter(ne, device));
      const deps: StepExecutionDeps = { ledger, sessions: pool.scope(), metrics, log };
      return { ledger, deps, pool };
    }
    if (Date.now() > deadline) throw new Error(`item ${item.itemId} of ${item.orderId} never reached activating (${start.phase}, ${start.state})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The ledger entries stored for the item, by step: what the next run will read. */
async function storedLedger(item: { orderId: string; itemId: string }): Promise<Record<string, string | undefined>> {
  const snapshot = await fleet.store.snapshot(item.orderId);
  return Object.fromEntries(Object.entries(snapshot?.ledger[`${item.itemId}|activate`] ?? {}).map(([step, entry]) => [step, entry.state]));
}

describe('executeSteps with the ledger of an earlier run', () => {
  it('does not send a step an earlier run recorded done', async () => {
    const item = await startedItem();
    const device = new FakeDevice();
    const step = cliStep();
    const earlier = await execution(item, device);
    await earlier.ledger.pending(step.name);
    for (const line of lineOf(step.apply)) device.config.add(line);
    earlier.ledger.done(step.name);
    await earlier.ledger.flush();
    device.changes.length = 0;

    const run = await execution(item, device);
    const result = await executeSteps(run.deps, [step], now);
    expect(device.changes).toEqual([]);
    expect(result.tested).toBe(true);
    expect(run.ledger.entry(step.name)?.state).toBe('done');
  });

  it('keeps a step an earlier run committed unconfirmed in the window, without sending it again', async () => {
    const item = await startedItem();
    const device = new FakeDevice();
    const step = netconfStep();
    const earlier = await execution(item, device);
    await earlier.ledger.pending(step.name, { persistId: 'p-1' });
    device.config.add('<ported-number>4477</ported-number>');
    earlier.ledger.unconfirmed(step.name, 'p-1');
    await earlier.ledger.flush();
    expect(await storedLedger(item)).toEqual({ [step.name]: 'unconfirmed' });

    const run = await execution(item, device);
    const result = await executeSteps(run.deps, [step], now);
    expect(device.changes).toEqual([]);
    expect(result.unconfirmed).toBe(true);
  });

  it('settles an atomic step an earlier run left pending by its tests: in place, it is not sent again; absent, it is sent once', async () => {
    const device = new FakeDevice();
    const inPlace = await startedItem();
    const earlier = await execution(inPlace, device);
    await earlier.ledger.pending(netconfStep().name);
    device.config.add('<ported-number>4477</ported-number>');
    const run = await execution(inPlace, device);
    await executeSteps(run.deps, [netconfStep()], now);
    expect(device.changes).toEqual([]);
    expect(run.ledger.entry(netconfStep().name)?.state).toBe('done');

    const absent = new FakeDevice();
    const lost = await startedItem();
    await (await execution(lost, absent)).ledger.pending(netconfStep().name);
    const again = await execution(lost, absent);
    await executeSteps(again.deps, [netconfStep()], now);
    expect(absent.changes).toEqual(['<ported-number>4477</ported-number>']);
  });

  it('takes back what a dead run may have left of a CLI step before sending it whole', async () => {
    const item = await startedItem();
    const device = new FakeDevice();
    const step = cliStep();
    const earlier = await execution(item, device);
    await earlier.ledger.pending(step.name);
    // The earlier run died after the first of the two lines: the tests cannot tell (they check the second).
    device.config.add('subscriber 4477');

    const run = await execution(item, device);
    await executeSteps(run.deps, [step], now);
    expect(device.changes).toEqual(['no plan gold / no subscriber 4477', 'subscriber 4477 / plan gold']);
    expect([...device.config]).toEqual(['subscriber 4477', 'plan gold']);
    expect(await storedLedger(item)).toEqual({ [step.name]: 'pending' });
    await run.ledger.flush();
    expect(await storedLedger(item)).toEqual({ [step.name]: 'done' });
  });

  it('finishes the undo an earlier run died in, then sends the step afresh', async () => {
    const item = await startedItem();
    const device = new FakeDevice();
    const step = netconfStep();
    const earlier = await execution(item, device);
    await earlier.ledger.pending(step.name);
    device.config.add('<ported-number>4477</ported-number>');
    earlier.ledger.done(step.name);
    await earlier.ledger.undoing(step.name);

    const run = await execution(item, device);
    await executeSteps(run.deps, [step], now);
    expect(device.changes).toEqual(['<ported-number operation="delete">4477</ported-number>', '<ported-number>4477</ported-number>']);
    expect(run.ledger.entry(step.name)?.state).toBe('done');
  });
});

describe('executeSteps of an execution that lost its item', () => {
  it('stops with StaleExecutionError before touching the device once a newer run took the item', async () => {
    const item = await startedItem();
    const device = new FakeDevice();
    const old = await execution(item, device);
    await execution(item, device); // a newer attempt: its fence supersedes the old one
    const error = await executeSteps(old.deps, [cliStep()], now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleExecutionError);
    expect(device.changes).toEqual([]);
    expect(device.config.size).toBe(0);
    // Nothing of the stale run reached the ledger either.
    expect(await storedLedger(item)).toEqual({});
  });

  it('refuses the first write once its lock may have expired, and undoes nothing', async () => {
    const item = await startedItem();
    const device = new FakeDevice();
    const first = cliStep('first');
    const second = cliStep('second');
    // A margin larger than the lock's time left: every write finds the lock possibly expired.
    const run = await execution(item, device, { marginMs: 10_000_000 });
    const error = await executeSteps(run.deps, [first, second], now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleExecutionError);
    expect(device.changes).toEqual([]);
  });

  it('a device refusing a step is no lost item: the steps this attempt applied are undone (the control for the two above)', async () => {
    const item = await startedItem();
    const device = new FakeDevice();
    device.refuse.add('plan bogus');
    const run = await execution(item, device);
    const refused: ResolvedStep = { ...cliStep('second'), apply: { protocol: 'ssh-cli', lines: ['plan bogus'] } };
    const error = await executeSteps(run.deps, [cliStep('first'), refused], now).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NE_COMMAND_REJECTED', details: { undone: ['first'], failedStepTookNothing: true } });
    expect(device.changes).toEqual(['subscriber 4477 / plan gold', 'no plan gold / no subscriber 4477']);
    expect(device.config.size).toBe(0);
  });
});

/** An item whose earlier run recorded `steps` pending and died, with the device holding `lines`; and the run after it. */
async function afterDeadRun(steps: ResolvedStep[], lines: string[]) {
  const item = await startedItem();
  const device = new FakeDevice();
  const dead = await execution(item, device);
  for (const step of steps) await dead.ledger.pending(step.name);
  for (const line of lines) device.config.add(line);
  return { item, device, rerun: await execution(item, device) };
}

// A run that died around a NETCONF change leaves its step `pending`: it may or may not have
// landed. The abort of the item (undoAttempt) and a rollback run again (compensateSteps) used to
// send the undo, a delete, anyway; the NPDB refused it with data-missing when the number was not
// there (never got in, or an earlier undo had landed), and the item failed with "undo failed".
describe.each([
  { fn: 'undoAttempt (the abort of an item)', run: undoAttempt, settled: undefined },
  { fn: 'compensateSteps (a rollback run again)', run: compensateSteps, settled: 'done' },
])('$fn after a run that died with steps recorded as possibly sent', ({ run, settled }) => {
  it('sends no undo for an atomic change the device does not hold, and settles the step', async () => {
    const step = netconfStep();
    const { device, rerun } = await afterDeadRun([step], []);
    expect(await run(rerun.deps, [step])).toEqual([]);
    expect(device.changes).toEqual([]);
    expect(rerun.ledger.entry(step.name)?.state).toBe(settled);
  });

  it('undoes an atomic change the device holds, and a CLI block whatever its tests say (it may be half there)', async () => {
    const [netconf, cli] = [netconfStep(), cliStep()];
    const { device, rerun } = await afterDeadRun([netconf, cli], ['<ported-number>4477</ported-number>']);
    expect(await run(rerun.deps, [netconf, cli])).toEqual([]);
    expect(device.changes).toEqual(['no plan gold / no subscriber 4477', '<ported-number operation="delete">4477</ported-number>']);
  });
});

describe("an execution that gives its job back alive (parked or retried)", () => {
  // BullMQ counts a job's stalls (field `stc` of its hash) over the job's whole life and fails it
  // past maxStalledCount. A job parked at an NE's budget goes back to active again and again, so
  // a worker paused on three of those visits failed it, and the item was aborted, though the
  // fence had made every takeover safe (chaos paused-worker, CI run of 2026-12-02).
  it('starts its job\'s stall count again in the same fenced step; a stale execution cannot', async () => {
    const item = await startedItem();
    const device = new FakeDevice();
    const stale = await execution(item, device);
    const run = await execution(item, device);
    const jobOf = (ledger: ItemLedger) => fleet.keys.jobOfLock(ledger.fence.lockKey);
    for (const e of [stale, run]) await lockRedis.hset(jobOf(e.ledger), 'stc', '2');

    await run.ledger.flush();
    expect(await lockRedis.hget(jobOf(run.ledger), 'stc')).toBe('2');
    await run.ledger.flush({ jobLives: true });
    expect(await lockRedis.hget(jobOf(run.ledger), 'stc')).toBe('0');

    await expect(stale.ledger.flush({ jobLives: true })).rejects.toBeInstanceOf(StaleExecutionError);
    expect(await lockRedis.hget(jobOf(stale.ledger), 'stc')).toBe('2');
  });

  it('creates no job hash when the job is gone', async () => {
    const item = await startedItem();
    const run = await execution(item, new FakeDevice());
    await run.ledger.flush({ jobLives: true });
    expect(await lockRedis.exists(fleet.keys.jobOfLock(run.ledger.fence.lockKey))).toBe(0);
  });
});
