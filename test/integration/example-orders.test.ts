import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';

/**
 * examples/orders/*.json, in the README's order, each submitted by the real command with
 * --wait against a fleet on the simulated NEs; what they did is read back from the NEs.
 */
const SEQUENCE: Array<[file: string, exit: number, last: RegExp]> = [
  ['mobile-bundle.json', 0, /: completed \(/],
  ['modify-plan.json', 0, /: completed \(/],
  ['suspend-plan.json', 0, /: completed \(/],
  ['resume-plan.json', 0, /: completed \(/],
  ['delete-bundle.json', 0, /: completed \(/],
  ['rejected-plan.json', 2, /^[0-9a-f-]{36}$/],
];
const MSISDN = '447700900123';

let h: FleetHarness;
let env: NodeJS.ProcessEnv;
let configDir: string;

beforeAll(async () => {
  h = await startFleetHarness();
  configDir = await mkdtemp(join(tmpdir(), 'fleet-examples-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements: h.lab.inventory.all() }));
  env = { ...process.env, REDIS_URL: h.redis.url, QUEUE_PREFIX: h.fleet.keys.base, CONFIG_DIR: configDir, LOG_LEVEL: 'silent' };
});
afterAll(async () => {
  await h?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

const pcrf = () => h.lab.pcrf.runningConfig();

describe('examples/orders', () => {
  it('every example is in the sequence the README walks through', async () => {
    expect((await readdir('examples/orders')).sort()).toEqual(SEQUENCE.map(([f]) => f).sort());
  });

  it('run one after the other: a bundle, a modify, a suspend and resume, a delete, then a rejection', async () => {
    const seen: Record<string, string> = {};
    for (const [file, exit, last] of SEQUENCE) {
      const r = await runCli(['submit', `examples/orders/${file}`, '--wait'], env);
      expect(r.code, `${file}\n${r.stdout}\n${r.stderr}`).toBe(exit);
      expect(r.stdout.trim().split('\n').at(-1), file).toMatch(last);
      seen[file] = pcrf();
      if (file === 'mobile-bundle.json') {
        expect(pcrf()).toContain(`subscriber ${MSISDN}`);
        expect(h.lab.npdb.runningXml()).toContain(MSISDN);
        expect(JSON.stringify(h.lab.vms.mailboxes())).toContain(MSISDN);
      }
      if (file === 'modify-plan.json') expect(pcrf()).toMatch(/plan silver/);
      if (file === 'rejected-plan.json') {
        expect(r.stderr).toContain('rejected: ORDER_INVALID_CHARACTERISTIC');
        expect(r.stderr).toContain('platinum');
        expect(pcrf()).not.toContain('447700900999');
      }
    }
    expect(seen['suspend-plan.json']).not.toBe(seen['modify-plan.json']);
    expect(pcrf()).not.toContain(`subscriber ${MSISDN}`);
    expect(h.lab.npdb.runningXml()).not.toContain(MSISDN);
    expect((await h.fleet.services.query({ characteristic: { name: 'msisdn', value: MSISDN } })).map((s) => s.state)).toEqual(['terminated', 'terminated', 'terminated']);
  });
});
