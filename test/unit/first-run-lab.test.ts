import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideSimulatedLab } from '../../cli/first-run-lab.js';
import { loadFleetConfig } from '../../runtime/fleet-config.js';
import { loadResourceInventory } from '../../runtime/loading/inventory-files.js';

const sample = async () => (await loadResourceInventory('config/inventory')).all();

describe('the simulated lab of a first run', () => {
  it('runs for the sample inventory with no credentials set, outside production, and says why', async () => {
    const decision = await decideSimulatedLab(loadFleetConfig({}), await sample(), {});
    expect(decision).toEqual({ run: true, why: expect.stringContaining('no credentials are set for the sample inventory in ./config/inventory (env:NPDB1, env:PCRF1') });
  });

  it('never for production, a CONFIG_DIR of its own, or once any credential of the inventory resolves', async () => {
    expect(await decideSimulatedLab(loadFleetConfig({}), await sample(), { NODE_ENV: 'production' })).toEqual({ run: false });
    const own = await mkdtemp(join(tmpdir(), 'own-config-'));
    try {
      expect(await decideSimulatedLab(loadFleetConfig({ CONFIG_DIR: own }), await sample(), {})).toEqual({ run: false });
    } finally {
      await rm(own, { recursive: true, force: true });
    }
    expect(await decideSimulatedLab(loadFleetConfig({}), await sample(), { PCRF1_PASSWORD: 'set' })).toEqual({ run: false });
  });

  it('SIMULATED_LAB=off never, =on always', async () => {
    expect(await decideSimulatedLab(loadFleetConfig({ SIMULATED_LAB: 'off' }), await sample(), {})).toEqual({ run: false });
    expect(await decideSimulatedLab(loadFleetConfig({ SIMULATED_LAB: 'on', CONFIG_DIR: '/etc/fleet' }), [], { NODE_ENV: 'production' })).toEqual({ run: true, why: 'SIMULATED_LAB=on' });
    expect(() => loadFleetConfig({ SIMULATED_LAB: 'maybe' })).toThrow(/SIMULATED_LAB/);
  });
});
