import { describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { FleetError } from '../../errors/index.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

const base = {
  id: 'peering',
  name: 'Peering',
  characteristics: { neighborIp: { type: 'ipv4', mandatory: true }, remoteAs: { type: 'integer', min: 1 }, site: { type: 'object' } },
};
const step = (name: string, lines: string[], extra: Record<string, unknown> = {}) => ({ name, neRole: 'bgp-router', protocol: 'ssh-cli', apply: { lines }, ...extra });

function problems(actions: Record<string, unknown>): string[] {
  try {
    ServiceCatalog.fromDocuments([{ source: 'peering.yaml', content: { ...base, actions } }]);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return ((error as FleetError).details.problems as string[]) ?? [];
  }
}

describe('catalog load renders every template of every action', () => {
  it('names file, action, step and template line for a typo in the delete action', () => {
    expect(
      problems({
        add: { steps: [step('add-peer', ['neighbor {{ neighborIp }} remote-as {{ remoteAs }}'])] },
        delete: { steps: [step('remove-peer', ['router bgp 65001', 'no neighbor {{ neighbourIp }}'])] },
      }),
    ).toEqual(['peering.yaml: actions.delete.steps[0] (remove-peer) apply.lines[1]: undefined variable: neighbourIp, line:1, col:16']);
  });

  it('renders a modify with previous/changed, and refuses previous where no action has it', () => {
    expect(
      problems({
        modify: { steps: [step('update-peer', ['{% if changed.remoteAs %}neighbor {{ previous.neighborIp }} remote-as {{ remoteAs }}{% endif %}'])] },
        add: { steps: [step('add-peer', ['neighbor {{ neighborIp }}'], { undo: { lines: ['no neighbor {{ previous.neighborIp }}'] } })] },
      }),
    ).toEqual(['peering.yaml: actions.add.steps[0] (add-peer) undo.lines[0]: undefined variable: previous.neighborIp, line:1, col:16']);
    expect(problems({ modify: { steps: [step('update-peer', ['{% if changed.remoteAs %}neighbor {{ previous.neighbourIp }}{% endif %}'])] } })[0]).toContain(
      'actions.modify.steps[0] (update-peer) apply.lines[0]: undefined variable: previous.neighbourIp',
    );
  });

  it('catches filter errors, tests and SNMP values, and takes object fields and ne/order/item', () => {
    const found = problems({
      add: {
        steps: [
          step('a', ['x {{ neighborIp | no_such_filter }}']),
          step('b', ['neighbor {{ neighborIp }} description {{ site.code }}-{{ ne.id }}-{{ order.id }}-{{ item.id }}'], { tests: [{ command: 'show run', within: 'router bgp {{ localAs }}', contains: 'x' }] }),
          { name: 'c', neRole: 'agent', protocol: 'snmp', apply: { varbinds: [{ oid: '1.3.6.1.2.1.1.4.0', type: 'Integer', value: '{{ neighborIp }}' }] } },
        ],
      },
    });
    expect(found).toEqual([
      'peering.yaml: actions.add.steps[0] (a) apply.lines[0]: undefined filter: no_such_filter, line:1, col:3',
      'peering.yaml: actions.add.steps[1] (b) tests[0].within: undefined variable: localAs, line:1, col:15',
      'peering.yaml: actions.add.steps[2] (c) apply.varbinds[0]: Integer value "192.0.2.1" is not an integer',
    ]);
  });

  it('refuses a step whose protocol does not fit its fields, naming the step', () => {
    const found = problems({ add: { steps: [{ name: 'a', neRole: 'r', protocol: 'netconf', apply: { lines: ['x'] } }] } });
    expect(found).toEqual(['peering.yaml: actions.add.steps[0].apply: a netconf step\'s apply holds exactly `config`']);
  });

  it('loads the shipped catalog', async () => {
    expect((await loadServiceCatalog('config/catalog')).ids().length).toBeGreaterThanOrEqual(6);
  });
});
