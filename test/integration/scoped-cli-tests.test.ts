import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../adapters/change-set.js';
import { SshCliAdapter } from '../../adapters/ssh-cli/ssh-cli-adapter.js';
import { planActivation, type PlannedStep } from '../../catalog/activation-plan.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { ServiceAction } from '../../catalog/service-specification.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { startSshCliSimulator, type SshCliSimulator } from '../../simulators/ssh-cli/ssh-cli-simulator.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * The shipped mobile-plan tests look inside the subscriber's own block, whole line by whole line:
 * subscriber 4917000001's tests are not fooled by 49170000019 (whose number starts with it, on the
 * same plan), and not blocked by it either. An empty block, as a run that died after its first
 * line leaves, does not pass for an applied service: crash recovery asks these same tests.
 */
const CREDENTIALS = { username: 'provisioner', password: 'scoped-test-password' };
const SUBSCRIBER = '4917000001';
const SIBLING = '49170000019';

let sim: SshCliSimulator;
let adapter: SshCliAdapter;
let catalog: ServiceCatalog;
let inventory: ResourceInventory;

beforeAll(async () => {
  sim = await startSshCliSimulator({ ...CREDENTIALS, hostname: 'pcrf-1' });
  inventory = ResourceInventory.fromInputs([
    { id: 'pcrf-1', role: 'pcrf', platform: 'cisco-like-cli', protocol: 'ssh-cli', host: '127.0.0.1', port: sim.port, credentialsRef: 'env:PCRF1', ssh: { hostKeys: [sim.hostKey] } },
  ]);
  const ne = inventory.get('pcrf-1');
  if (!ne) throw new Error('no pcrf-1');
  adapter = new SshCliAdapter(ne, CREDENTIALS);
  catalog = await loadServiceCatalog('config/catalog');
});

afterAll(async () => {
  await adapter?.close();
  await sim?.close();
});

function step(action: ServiceAction, msisdn: string): PlannedStep {
  const spec = catalog.get('mobile-plan');
  if (!spec) throw new Error('mobile-plan is not in the catalog');
  const [planned] = planActivation({ spec, action, values: { msisdn, plan: 'gold', dataCapGb: 20, apn: 'internet' }, directory: inventory });
  if (!planned) throw new Error(`no ${action} step`);
  return planned;
}

async function results(checks: Check[]): Promise<boolean[]> {
  const passed: boolean[] = [];
  for (const check of checks) passed.push((await adapter.verify(check)).passed);
  return passed;
}

describe("the shipped mobile-plan's CLI tests, scoped to the subscriber's block", () => {
  it("are not satisfied by a sibling subscriber's lines, nor by an empty block", async () => {
    await adapter.apply(step('add', SIBLING).apply);
    expect(sim.runningConfig()).toContain(`subscriber ${SIBLING}\n plan gold`);
    const add = step('add', SUBSCRIBER);
    expect(add.tests.length).toBe(3);
    expect(await results(add.tests)).toEqual([false, false, false]);

    // What a run that died after the block's first line leaves behind.
    await adapter.apply({ protocol: 'ssh-cli', lines: [`subscriber ${SUBSCRIBER}`, 'exit'] });
    expect(sim.runningConfig()).toMatch(new RegExp(`^subscriber ${SUBSCRIBER}$`, 'm'));
    expect(await results(add.tests)).toEqual([false, false, false]);

    await adapter.apply(add.apply);
    expect(await results(add.tests)).toEqual([true, true, true]);
  });

  it("are not satisfied by a sibling's suspension", async () => {
    await adapter.apply(step('suspend', SIBLING).apply);
    expect(await results(step('suspend', SUBSCRIBER).tests)).toEqual([false]);
    await adapter.apply(step('suspend', SUBSCRIBER).apply);
    expect(await results(step('suspend', SUBSCRIBER).tests)).toEqual([true]);
    await adapter.apply(step('resume', SUBSCRIBER).apply);
    expect(await results(step('resume', SUBSCRIBER).tests)).toEqual([true]);
    // The sibling is still throttled: its resume test says so.
    expect(await results(step('resume', SIBLING).tests)).toEqual([false]);
  });

  it("are not blocked by a sibling when the subscriber is deleted", async () => {
    const remove = step('delete', SUBSCRIBER);
    expect(await results(remove.tests)).toEqual([false]);
    await adapter.apply(remove.apply);
    expect(await results(remove.tests)).toEqual([true]);
    expect(sim.runningConfig()).toContain(`subscriber ${SIBLING}\n`);
    expect(sim.runningConfig()).not.toMatch(new RegExp(`^subscriber ${SUBSCRIBER}$`, 'm'));
  });
});
