import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { QualificationRule } from '../../orders/qualification-rules.js';
import type { ServiceOrderInput } from '../../orders/service-order.js';
import { ServiceOrderProducer } from '../../queues/service-order-producer.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

let h: FleetHarness;
let catalog: ServiceCatalog;

beforeAll(async () => {
  h = await startFleetHarness();
  catalog = await loadServiceCatalog('config/catalog');
});
afterAll(async () => {
  await h?.stop();
});

/** A producer on the running fleet with the given rules (the fleet's own uses config/policies.yaml). */
function producerWith(rules: QualificationRule[]): ServiceOrderProducer {
  return new ServiceOrderProducer({ store: h.fleet.store, keys: h.fleet.keys, dispatcher: h.fleet.dispatcher, catalog, inventory: h.lab.inventory, services: h.fleet.services, rules, orchestration: h.fleet.queues.orchestration });
}

function networkSnapshot() {
  return { pcrf: h.lab.pcrf.runningConfig(), npdb: h.lab.npdb.runningXml(), vms: JSON.stringify(h.lab.vms.mailboxes()) };
}

async function expectRejected(producer: ServiceOrderProducer, order: ServiceOrderInput, message: string) {
  const before = networkSnapshot();
  const jobsBefore = await h.fleet.queues.activation.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
  const { order: stored } = await producer.submitServiceOrder(order);
  expect(stored.state).toBe('rejected');
  expect(stored.errorMessage?.map((e) => [e.code, e.message])).toContainEqual(['ORDER_QUALIFICATION_FAILED', message]);
  await new Promise((r) => setTimeout(r, 100));
  expect(await h.fleet.queues.activation.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized')).toBe(jobsBefore);
  expect(networkSnapshot()).toEqual(before);
}

const withCustomer = (order: ServiceOrderInput, customer: string): ServiceOrderInput => ({ ...order, relatedParty: [{ id: customer, role: 'Customer', '@referredType': 'Individual' }] });

describe('qualification rules', () => {
  it('allowedNeRoles: a specification only on NEs of the given roles', async () => {
    const producer = producerWith([{ id: 'plans-on-hss', kind: 'allowedNeRoles', specification: 'mobile-plan', roles: ['hss'], message: 'mobile plans live on the HSS' }]);
    await expectRejected(producer, mobileBundle().order, 'serviceOrderItem mobile-plan: mobile plans live on the HSS (rule plans-on-hss)');
  });

  it('characteristicLimit: a value the catalog allows but the offer does not', async () => {
    const producer = producerWith([{ id: 'cap-500', kind: 'characteristicLimit', specification: 'mobile-plan', characteristic: 'dataCapGb', max: 500, message: 'data caps above 500 GB are not sold' }]);
    const { order } = mobileBundle();
    order.serviceOrderItem[1]!.service.serviceCharacteristic![2] = { name: 'dataCapGb', value: 800 };
    await expectRejected(producer, order, 'serviceOrderItem mobile-plan: data caps above 500 GB are not sold (rule cap-500)');
  });

  it('maxServicesPerCustomer: counts the live services of the customer in the inventory', async () => {
    const producer = producerWith([{ id: 'one-plan', kind: 'maxServicesPerCustomer', specification: 'mobile-plan', max: 1, message: 'one mobile plan per customer' }]);
    const customer = `cust-${Date.now()}`;
    const { order: first } = await producer.submitServiceOrder(withCustomer(mobileBundle().order, customer));
    expect((await h.waitForFinal(first.id)).state).toBe('completed');
    const plan = (await h.fleet.services.query({ specification: 'mobile-plan' })).filter((s) => s.relatedParty.some((p) => p.id === customer));
    expect(plan).toHaveLength(1);
    await expectRejected(producer, withCustomer(mobileBundle().order, customer), 'serviceOrderItem mobile-plan: one mobile plan per customer (rule one-plan)');
    // Another customer is not affected.
    const { order: other } = await producer.submitServiceOrder(withCustomer(mobileBundle().order, `${customer}-b`));
    expect(other.state).toBe('acknowledged');
    await h.waitForFinal(other.id);
  });

  it('forbidAction: no delete of a suspended service', async () => {
    const producer = producerWith([{ id: 'no-delete-suspended', kind: 'forbidAction', specification: 'mobile-plan', action: 'delete', serviceState: 'suspended', message: 'resume before deleting' }]);
    // Without voicemail: a plan that voicemail relies on cannot be deleted at all (ORDER_SERVICE_RELIED_ON), whatever the rule says.
    const { order: bundle } = mobileBundle();
    const { order: add } = await producer.submitServiceOrder({ ...bundle, serviceOrderItem: bundle.serviceOrderItem.filter((i) => i.id !== 'voicemail') });
    await h.waitForFinal(add.id);
    const serviceId = (await h.fleet.store.require(add.id)).items['mobile-plan']!.serviceId;
    const { order: suspend } = await producer.submitServiceOrder({
      serviceOrderItem: [{ id: 's', action: 'modify', service: { id: serviceId, state: 'suspended', serviceCharacteristic: [{ name: 'suspensionReason', value: 'nonPayment' }] } }],
    });
    expect((await h.waitForFinal(suspend.id)).state).toBe('completed');
    await expectRejected(producer, { serviceOrderItem: [{ id: 'd', action: 'delete', service: { id: serviceId } }] }, 'serviceOrderItem d: resume before deleting (rule no-delete-suspended)');
  });

  it('the example policies.yaml is loaded and enforced by the fleet itself', async () => {
    const { order } = mobileBundle();
    order.serviceOrderItem[1]!.service.serviceCharacteristic![2] = { name: 'dataCapGb', value: 900 };
    await expectRejected(h.fleet.producer, order, 'serviceOrderItem mobile-plan: data caps above 500 GB are not sold (rule data-cap-within-offer)');
  });
});
