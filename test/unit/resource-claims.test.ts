import { describe, expect, it } from 'vitest';
import { planActivation, type NeDirectory } from '../../catalog/activation-plan.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { FleetError } from '../../errors/index.js';
import { networkElementSchema, type NetworkElement } from '../../inventory/network-element.js';
import { claimConflictsWithinOrder, claimRejection, claimStillHeld, resourceClaims, type PlannedClaims } from '../../orders/resource-claims.js';

const spec = {
  id: 'port',
  name: 'Port',
  characteristics: { ifName: { type: 'string', mandatory: true }, note: { type: 'string' } },
};
const step = (claims: string[]) => ({ name: 'set-port', neRole: 'router', protocol: 'ssh-cli', apply: { lines: ['interface {{ ifName }}'] }, claims });

function load(claims: string[]): ServiceCatalog {
  return ServiceCatalog.fromDocuments([{ source: 'port.yaml', content: { ...spec, actions: { add: { steps: [step(claims)] } } } }]);
}

const router: NetworkElement = networkElementSchema.parse({ id: 'r1', role: 'router', protocol: 'ssh-cli', host: '192.0.2.1', port: 22, credentialsRef: 'env:X' });
const directory: NeDirectory = { get: (id) => (id === 'r1' ? router : undefined), byRole: (role) => (role === 'router' ? [router] : []) };

describe('claims in a specification', () => {
  it('are rendered with the step, on the NE the step runs on; a claim that renders empty is dropped', () => {
    const catalog = load(['interface {{ ifName }}', '{% if note != "" %}note {{ note }}{% endif %}']);
    const [planned] = planActivation({ spec: catalog.get('port')!, action: 'add', values: { ifName: 'eth3', note: '' }, directory });
    expect(planned?.ne.id).toBe('r1');
    expect(planned?.claims).toEqual(['interface eth3']);
  });

  it('with a typo is a load error naming the file, step and claim', () => {
    let problems: string[] = [];
    try {
      load(['interface {{ ifname }}']);
    } catch (error) {
      expect(error).toBeInstanceOf(FleetError);
      problems = ((error as FleetError).details.problems as string[]) ?? [];
    }
    expect(problems).toEqual(['port.yaml: actions.add.steps[0] (set-port) claims[0]: undefined variable: ifname, line:1, col:14']);
  });
});

const planned = (itemId: string, serviceId: string, claims: string[], lifecycle = 'add', neId = 'r1'): PlannedClaims => ({ itemId, specId: 'port', lifecycle, serviceId, steps: [{ neId, claims }] });

describe('resourceClaims', () => {
  it('takes the claims of add items only, once per item, NE and resource', () => {
    expect(resourceClaims([planned('a', 's-a', ['interface eth1', 'interface eth1']), planned('m', 's-m', ['interface eth2'], 'modify')])).toEqual([
      { itemId: 'a', specId: 'port', serviceId: 's-a', neId: 'r1', resource: 'interface eth1' },
    ]);
  });

  it('refuses the second of two adds of one order claiming one resource on one NE, not on another NE', () => {
    const claims = resourceClaims([planned('a', 's-a', ['interface eth1']), planned('b', 's-b', ['interface eth1']), planned('c', 's-c', ['interface eth1'], 'add', 'r2')]);
    expect(claimConflictsWithinOrder(claims)).toEqual([
      { code: 'ORDER_RESOURCE_CLAIMED', message: 'serviceOrderItem b: resource interface eth1 on network element r1 is also claimed by item a of this order', itemId: 'b' },
    ]);
  });
});

describe('claimStillHeld', () => {
  it('holds while the service is live or its add runs, or when its order cannot be found; lapses once deleted or the add ended without it', () => {
    expect(claimStillHeld({ state: 'active' }, { state: 'completed' })).toBe(true);
    expect(claimStillHeld({ state: 'suspended' }, undefined)).toBe(true);
    expect(claimStillHeld(undefined, { state: 'inProgress' })).toBe(true);
    expect(claimStillHeld(undefined, undefined)).toBe(true);
    expect(claimStillHeld({ state: 'terminated' }, { state: 'completed' })).toBe(false);
    expect(claimStillHeld(undefined, { state: 'failed' })).toBe(false);
    expect(claimStillHeld(undefined, { state: 'cancelled' })).toBe(false);
  });
});

describe('claimRejection', () => {
  it('names the item, the resource, the NE, and the holding service and its order', () => {
    const [claim] = resourceClaims([planned('b', 's-b', ['interface eth1'])]);
    expect(claimRejection(claim!, { serviceId: 's-a', orderId: 'o-1', itemId: 'a', specId: 'port' })).toEqual({
      code: 'ORDER_RESOURCE_CLAIMED',
      message: 'serviceOrderItem b: resource interface eth1 on network element r1 is already claimed by port service s-a (order o-1); delete that service first, or claim another resource',
      itemId: 'b',
    });
  });
});
