import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

let h: FleetHarness;

beforeAll(async () => {
  h = await startFleetHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('dry run', () => {
  it('lists exactly what the real run then sends, as the audit trail records it', async () => {
    const { order } = mobileBundle();
    const dry = await h.fleet.producer.dryRunServiceOrder(order);
    expect(dry.valid).toBe(true);
    expect(dry.items.map((i) => [i.itemId, i.action, i.steps.map((s) => `${s.neId}/${s.protocol}`)])).toEqual([
      ['number-porting', 'add', ['npdb-1/netconf']],
      ['mobile-plan', 'add', ['pcrf-1/ssh-cli']],
      ['voicemail', 'add', ['vms-1/snmp']],
    ]);
    // The dry run stores nothing and sends nothing.
    expect((await h.fleet.store.list({ limit: 10 })).ids).toEqual([]);
    expect(await h.fleet.audit.listByNe('pcrf-1')).toEqual([]);

    const { order: submitted } = await h.fleet.producer.submitServiceOrder(order);
    expect((await h.waitForFinal(submitted.id)).state).toBe('completed');
    const audit = await h.fleet.audit.listByOrder(submitted.id);
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((e) => e.outcome === 'ok')).toBe(true);

    for (const item of dry.items) {
      for (const step of item.steps) {
        const sent = audit.filter((e) => e.itemId === item.itemId && e.step === step.name && e.neId === step.neId);
        const requests = sent.map((e) => e.request);
        if (step.apply.protocol === 'ssh-cli') {
          // The configuration lines, in order and contiguous, between entering and leaving config mode.
          const start = requests.indexOf(step.apply.lines[0]!);
          expect(start).toBeGreaterThan(0);
          expect(requests.slice(start, start + step.apply.lines.length)).toEqual(step.apply.lines);
          for (const test of step.tests) if (test.protocol === 'ssh-cli') expect(requests).toContain(test.command);
        }
        if (step.apply.protocol === 'snmp') {
          const set = sent.find((e) => e.operation === 'snmp-set');
          for (const vb of step.apply.varbinds) expect(set?.request).toContain(`${vb.oid} ${vb.type}=${vb.value}`);
        }
        if (step.apply.protocol === 'netconf') {
          const edit = sent.find((e) => e.operation === 'netconf-rpc' && e.request.includes('edit-config'));
          const leaves = [...step.apply.configXml.matchAll(/>([^<]+)</g)].map((m) => m[1]);
          expect(leaves.length).toBeGreaterThan(2);
          for (const leaf of leaves) expect(edit?.request).toContain(`>${leaf}<`);
        }
      }
    }
  });

  it('reports a rejection without storing anything', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[2]!.service.serviceCharacteristic![2] = { name: 'language', value: 'klingon' };
    const dry = await h.fleet.producer.dryRunServiceOrder(order);
    expect(dry.valid).toBe(false);
    expect(dry.reasons.map((r) => r.code)).toEqual(['ORDER_INVALID_CHARACTERISTIC']);
    expect(dry.items).toEqual([]);
  });
});

describe('resource inventory at run time', () => {
  let configDir: string;
  let fleet: FleetProcess;
  const write = (nes: unknown[]) => writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements: nes }));
  const waitUntil = async (ok: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'fleet-live-'));
    await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
    await mkdir(join(configDir, 'inventory'));
    await write(h.lab.inventory.all().filter((ne) => ne.role !== 'pcrf'));
    const config = loadFleetConfig({ REDIS_URL: h.redis.url, CONFIG_DIR: configDir, QUEUE_PREFIX: 'live-inventory', HTTP_PORT: '0', ACTIVATION_BACKOFF_MS: '50' });
    fleet = await startFleetProcess({ config, roles: ROLES, log: h.log, credentials: h.lab.credentials, http: false });
  });
  afterAll(async () => {
    await fleet?.stop();
    await rm(configDir, { recursive: true, force: true });
  });

  it('takes a new NE without a restart, and keeps the last good inventory when a file is broken', async () => {
    const refused = await fleet.producer.submitServiceOrder(mobileBundle().order);
    expect(refused.order.state).toBe('rejected');
    expect(refused.order.errorMessage?.[0]?.message).toContain('no ssh-cli network element with role pcrf');

    await write(h.lab.inventory.all());
    await waitUntil(async () => (await fleet.producer.dryRunServiceOrder(mobileBundle().order)).valid);
    const { order } = await fleet.producer.submitServiceOrder(mobileBundle().order);
    expect(order.state).toBe('acknowledged');
    const done = await (async () => {
      for (let i = 0; i < 400; i++) {
        const o = await fleet.producer.getServiceOrder(order.id);
        if (['completed', 'failed'].includes(o.state)) return o;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('order did not finish');
    })();
    expect(done.state).toBe('completed');

    await writeFile(join(configDir, 'inventory', 'lab.yaml'), 'networkElements: [{ id: broken, protocol: telnet }]\n');
    await new Promise((r) => setTimeout(r, 600));
    expect(await fleet.reloadInventory()).toBe(false);
    expect((await fleet.producer.dryRunServiceOrder(mobileBundle().order)).valid).toBe(true);
  });
});
