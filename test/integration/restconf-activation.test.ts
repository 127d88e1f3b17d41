import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startRestconfSimulator, type RestconfSimulator } from '../../simulators/restconf/restconf-simulator.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';

/**
 * Orders through a whole fleet (private Redis, every role in this process) onto the RESTCONF
 * simulator: the catalog example examples/restconf/number-porting-restconf.yaml activates, and a
 * bundle whose second item fails its post-test is rolled back, both items, counted from the
 * simulator's own exchange log. The credentials come through the ordinary resolver (env:).
 */

const PASSWORD = `rc-${randomBytes(9).toString('hex')}`;
const ENV_PREFIX = `RC_E2E_${randomBytes(3).toString('hex').toUpperCase()}`;
const entryPath = (msisdn: string) => `example-porting:ported-numbers/ported-number=${msisdn}`;

/** A second specification whose post-test cannot pass: the device holds the level, the test wants another. */
const barring = {
  id: 'call-barring-restconf',
  name: 'Call barring over RESTCONF',
  characteristics: { msisdn: { type: 'string', mandatory: true, pattern: '[1-9][0-9]{7,14}' }, level: { type: 'enum', values: ['none', 'international', 'all'], mandatory: true } },
  actions: {
    add: {
      steps: [
        {
          name: 'set-barring',
          neRole: 'npdb-restconf',
          protocol: 'restconf',
          apply: { edits: [{ operation: 'merge', path: 'example-porting:ported-numbers/ported-number={{ msisdn }}', value: { 'example-porting:ported-number': [{ msisdn: '{{ msisdn }}', barring: '{{ level }}' }] } }] },
          tests: [{ name: 'barring-is-none', path: 'example-porting:ported-numbers/ported-number={{ msisdn }}', field: 'barring', equals: 'none' }],
        },
      ],
    },
  },
};

let redis: PrivateRedis;
let sim: RestconfSimulator;
let fleet: FleetProcess;
const logs: string[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  sim = await startRestconfSimulator({ users: { fleet: PASSWORD }, lists: { 'example-porting:ported-number': ['msisdn'] }, data: { 'example-porting:ported-numbers': {} } });
  process.env[`${ENV_PREFIX}_USERNAME`] = 'fleet';
  process.env[`${ENV_PREFIX}_PASSWORD`] = PASSWORD;
  const inventory = ResourceInventory.fromInputs([
    { id: 'npdb-rc-1', role: 'npdb-restconf', protocol: 'restconf', host: sim.host, port: sim.port, credentialsRef: `env:${ENV_PREFIX}`, commandTimeoutMs: 5000, restconf: { scheme: 'http' } },
  ]);
  const catalog = ServiceCatalog.fromDocuments([
    { source: 'number-porting-restconf.yaml', content: parseYaml(readFileSync('examples/restconf/number-porting-restconf.yaml', 'utf8')) as unknown },
    { source: 'call-barring-restconf', content: barring },
  ]);
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const config = loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`, ACTIVATION_ATTEMPTS: '2', ACTIVATION_BACKOFF_MS: '50', HTTP_PORT: '0' });
  fleet = await startFleetProcess({ config, roles: ROLES, log: createLogger({ level: 'debug' }, sink), catalog, inventory, http: false });
});
afterAll(async () => {
  await fleet?.stop();
  await sim?.close();
  await redis?.stop();
  delete process.env[`${ENV_PREFIX}_USERNAME`];
  delete process.env[`${ENV_PREFIX}_PASSWORD`];
});

async function final(orderId: string): Promise<ServiceOrder> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const record = await fleet.store.get(orderId);
    if (record && ['completed', 'failed', 'partial', 'cancelled', 'rejected'].includes(record.order.state)) return record.order;
    if (Date.now() > deadline) throw new Error(`order ${orderId} not final: ${JSON.stringify(record?.order)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const porting = (msisdn: string) => ({
  id: 'porting',
  action: 'add' as const,
  service: {
    serviceSpecification: { id: 'number-porting-restconf' },
    serviceCharacteristic: [
      { name: 'msisdn', value: msisdn },
      { name: 'donorOperator', value: 'Other Mobile' },
      { name: 'routingNumber', value: 'D042' },
    ],
  },
});

describe('an order activated over RESTCONF', () => {
  it('configures the simulator with one YANG Patch and passes its post-test', async () => {
    const msisdn = '447700900321';
    const writesBefore = sim.writes().length;
    const { order } = await fleet.producer.submitServiceOrder({ serviceOrderItem: [porting(msisdn)] } as ServiceOrderInput);
    const done = await final(order.id);
    expect(done.state).toBe('completed');
    const writes = sim.writes().slice(writesBefore);
    expect(writes.map((w) => `${w.method} ${w.contentType}`)).toEqual(['PATCH application/yang-patch+json']);
    expect(sim.read(entryPath(msisdn))).toEqual({ 'example-porting:ported-number': [{ msisdn, 'donor-operator': 'Other Mobile', 'routing-number': 'D042' }] });
    const audit = await fleet.audit.listByOrder(order.id);
    expect(audit.map((e) => e.operation)).toContain('restconf-patch');
    expect(audit.every((e) => e.protocol === 'restconf' && e.neId === 'npdb-rc-1')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  });

  it('a failing post-test rolls the bundle back: both items undone, the datastore as it was', async () => {
    const msisdn = '447700900654';
    const before = sim.data();
    const writesBefore = sim.writes().length;
    const { order } = await fleet.producer.submitServiceOrder({
      serviceOrderItem: [
        porting(msisdn),
        {
          id: 'barring',
          action: 'add',
          service: { serviceSpecification: { id: 'call-barring-restconf' }, serviceCharacteristic: [{ name: 'msisdn', value: msisdn }, { name: 'level', value: 'all' }] },
          serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'porting' } }],
        },
      ],
    } as ServiceOrderInput);
    const done = await final(order.id);
    expect(done.state).toBe('failed');
    const items = Object.fromEntries(done.serviceOrderItem.map((i) => [i.id, { state: i.state, codes: (i.errorMessage ?? []).map((e) => e.code) }]));
    expect(items['barring']?.codes).toContain('NE_VERIFICATION_FAILED');
    expect(items['porting']?.codes).toContain('ORDER_ITEM_ROLLED_BACK');
    // From the device's own log: porting, barring, the barring's undo, the porting's undo; each one YANG Patch.
    const writes = sim.writes().slice(writesBefore);
    expect(writes.map((w) => w.method)).toEqual(['PATCH', 'PATCH', 'PATCH', 'PATCH']);
    const edits = writes.map((w) => (JSON.parse(w.body) as { 'ietf-yang-patch:yang-patch': { edit: Array<{ operation: string }> } })['ietf-yang-patch:yang-patch'].edit.map((e) => e.operation).join(','));
    expect(edits).toEqual(['replace', 'merge', 'replace', 'remove']);
    expect(sim.data()).toEqual(before);
    expect(logs.join('')).not.toContain(PASSWORD);
  });
});
