import { describe, expect, it } from 'vitest';
import { canonicalClaim, planActivation } from '../../catalog/activation-plan.js';
import type { NeDirectory } from '../../inventory/ne-directory.js';
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

  it('are compared in one spelling: whitespace runs as one space, OIDs without a leading dot or padded arcs', () => {
    expect(canonicalClaim('  router bgp 65001\n   neighbor 192.0.2.1 ')).toBe('router bgp 65001 neighbor 192.0.2.1');
    expect(canonicalClaim('.1.3.6.1.2.1.1.04.0')).toBe('1.3.6.1.2.1.1.4.0');
    expect(canonicalClaim('1.3.6.1.2.1.1.4.0')).toBe('1.3.6.1.2.1.1.4.0');
    expect(canonicalClaim("/interfaces/interface[name='eth1']")).toBe("/interfaces/interface[name='eth1']");
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
  it('takes the claims of add and modify items (a modify claims what the service names after it), once per item, NE and resource', () => {
    expect(resourceClaims([planned('a', 's-a', ['interface eth1', 'interface eth1']), planned('m', 's-m', ['interface eth2'], 'modify'), planned('d', 's-d', ['interface eth3'], 'delete')])).toEqual([
      { itemId: 'a', specId: 'port', serviceId: 's-a', neId: 'r1', resource: 'interface eth1' },
      { itemId: 'm', specId: 'port', serviceId: 's-m', neId: 'r1', resource: 'interface eth2' },
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
  const named = () => true;
  const renamed = () => false;
  it('holds while the order that took it runs, or while its service is live and still names the resource', () => {
    expect(claimStillHeld({ state: 'active' }, { state: 'completed' }, named)).toBe(true);
    expect(claimStillHeld({ state: 'suspended' }, undefined, named)).toBe(true);
    expect(claimStillHeld(undefined, { state: 'inProgress' }, renamed)).toBe(true);
    // A modify moving the service to this resource, still running: the service does not name it yet.
    expect(claimStillHeld({ state: 'active' }, { state: 'inProgress' }, renamed)).toBe(true);
    // An intake that stopped before storing its order.
    expect(claimStillHeld(undefined, undefined, renamed)).toBe(true);
  });

  it('lapses once the service is deleted, its add ended without it, or a modify moved it off the resource (or failed to move it on)', () => {
    expect(claimStillHeld({ state: 'terminated' }, { state: 'completed' }, named)).toBe(false);
    expect(claimStillHeld({ state: 'terminated' }, undefined, named)).toBe(false);
    expect(claimStillHeld(undefined, { state: 'failed' }, named)).toBe(false);
    expect(claimStillHeld(undefined, { state: 'cancelled' }, named)).toBe(false);
    expect(claimStillHeld({ state: 'active' }, { state: 'completed' }, renamed)).toBe(false);
    expect(claimStillHeld({ state: 'active' }, { state: 'failed' }, renamed)).toBe(false);
    expect(claimStillHeld({ state: 'active' }, undefined, renamed)).toBe(false);
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
