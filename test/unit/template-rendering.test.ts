import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { planActivation, type PlannedStep } from '../../catalog/activation-plan.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import type { ServiceSpecification } from '../../catalog/service-specification.js';
import { renderText, renderXml } from '../../catalog/template-renderer.js';
import { FleetError, type ErrorCode } from '../../errors/index.js';
import type { NetworkElementInput } from '../../inventory/network-element.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

const CATALOG_DIR = fileURLToPath(new URL('../../config/catalog', import.meta.url));
const MSISDN = '33612345678';
/** oid_index of the MSISDN: its length then one sub-identifier per byte. */
const IDX = '11.51.51.54.49.50.51.52.53.54.55.56';
const VMS = '1.3.6.1.4.1.99999.2.1.1';

function ne(id: string, role: string, protocol: NetworkElementInput['protocol']): NetworkElementInput {
  return { id, role, protocol, host: '127.0.0.1', port: 1000, credentialsRef: `env:${id.toUpperCase().replace(/-/g, '_')}` };
}

const LAB = [ne('npdb-1', 'npdb', 'netconf'), ne('pcrf-1', 'pcrf', 'ssh-cli'), ne('vms-1', 'vms', 'snmp')];

/** Runs `fn` and returns the FleetError it throws (fails the test if it throws anything else). */
function fleetError(fn: () => unknown): FleetError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected a FleetError');
}

function expectFleetError(fn: () => unknown, code: ErrorCode, message?: string | RegExp): void {
  const error = fleetError(fn);
  expect(error.code).toBe(code);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else if (message) expect(error.message).toMatch(message);
}

function catalogOf(...specs: unknown[]): ServiceCatalog {
  return ServiceCatalog.fromDocuments(specs.map((content, i) => ({ source: `spec-${i}.yaml`, content })));
}

function catalogError(...specs: unknown[]): FleetError {
  return fleetError(() => catalogOf(...specs));
}

function summary(steps: PlannedStep[]) {
  return steps.map((s) => ({ name: s.name, ne: s.ne.id, apply: s.apply, undo: s.undo, tests: s.tests }));
}

describe('renderText', () => {
  it('renders variables', () => {
    expect(renderText('subscriber {{ msisdn }} plan {{ plan }}', { msisdn: MSISDN, plan: 'gold' }, 'here')).toBe(`subscriber ${MSISDN} plan gold`);
    expect(renderText('data-cap-gb {{ cap }}', { cap: 20 }, 'here')).toBe('data-cap-gb 20');
  });

  it('refuses an unknown variable (never renders it empty)', () => {
    expectFleetError(() => renderText('apn {{ apn }}', { msisdn: MSISDN }, 'mobile-plan.add.step.apply.lines[3]'), 'TEMPLATE_RENDER_FAILED', /^mobile-plan\.add\.step\.apply\.lines\[3\]: undefined variable: apn/);
  });

  it('refuses properties that are not own properties', () => {
    expectFleetError(() => renderText('{{ v.constructor }}', { v: 'x' }, 'w'), 'TEMPLATE_RENDER_FAILED', /undefined variable: v\.constructor/);
  });

  it('refuses an unknown filter', () => {
    expectFleetError(() => renderText('{{ v | shell_exec }}', { v: 'x' }, 'w'), 'TEMPLATE_RENDER_FAILED', /^w: undefined filter: shell_exec/);
  });

  it('keeps the standard filters', () => {
    expect(renderText('{{ v | upcase }}', { v: 'gold' }, 'w')).toBe('GOLD');
  });

  it.each(['{% include "secrets" %}', '{% render "secrets" %}', '{% layout "base" %}x'])('refuses file access: %s', (template) => {
    const error = fleetError(() => renderText(template, {}, 'w'));
    expect(error.code).toBe('TEMPLATE_RENDER_FAILED');
    expect(error.message.startsWith('w: ')).toBe(true);
  });

  it('refuses a template that does not parse', () => {
    expectFleetError(() => renderText('{{ msisdn ', { msisdn: MSISDN }, 'w'), 'TEMPLATE_RENDER_FAILED', /^w: /);
  });

  it('has an oid_index filter encoding an OCTET STRING index', () => {
    expect(renderText('1.3.6.{{ msisdn | oid_index }}', { msisdn: MSISDN }, 'w')).toBe(`1.3.6.${IDX}`);
    expect(renderText('{{ n | oid_index }}', { n: 12 }, 'w')).toBe('2.49.50');
    expect(renderText('x{{ v | oid_index }}', { v: '' }, 'w')).toBe('x0');
    expect(renderText('{{ v | oid_index }}', { v: 'é' }, 'w')).toBe('2.195.169');
  });

  it.each([
    ['newline', 'x\nreload'],
    ['carriage return', 'x\rreload'],
    ['line separator', 'x\u2028reload'],
  ])('refuses a rendered %s with UNSAFE_DEVICE_INPUT', (_label, value) => {
    expectFleetError(() => renderText('apn {{ v }}', { v: value }, 'step.lines[0]'), 'UNSAFE_DEVICE_INPUT', 'step.lines[0]: rendered text holds control or line-break characters');
  });

  it('refuses a newline written in the template itself', () => {
    expectFleetError(() => renderText('a\nb', {}, 'w'), 'UNSAFE_DEVICE_INPUT');
  });
});

describe('renderXml', () => {
  it('escapes markup in values: a characteristic cannot inject XML', () => {
    const xml = renderXml({ porting: { '@xmlns': 'urn:x', note: '{{ v }}' } }, { v: 'a<b&c' }, 'w');
    expect(xml).toBe('<porting xmlns="urn:x"><note>a&lt;b&amp;c</note></porting>');
  });

  it('escapes an element-closing attempt', () => {
    const xml = renderXml({ a: { b: '{{ v }}' } }, { v: '</b><evil/>' }, 'w');
    expect(xml).toBe('<a><b>&lt;/b&gt;&lt;evil/&gt;</b></a>');
  });

  it('escapes quotes in attribute values', () => {
    const xml = renderXml({ a: { '@name': '{{ v }}' } }, { v: 'x" evil="1' }, 'w');
    expect(xml).toBe('<a name="x&quot; evil=&quot;1"/>');
  });

  it('keeps numbers and nested lists', () => {
    expect(renderXml({ a: { n: 5, item: ['{{ x }}', 'two'] } }, { x: 'one' }, 'w')).toBe('<a><n>5</n><item>one</item><item>two</item></a>');
  });

  it('builds several top-level elements as a fragment', () => {
    expect(renderXml({ a: '1', b: { c: '{{ v }}' } }, { v: 'x' }, 'w')).toBe('<a>1</a><b><c>x</c></b>');
  });

  it('names the failing leaf when a variable is unknown', () => {
    expectFleetError(() => renderXml({ porting: { 'ported-number': { msisdn: '{{ msisdn }}' } } }, {}, 'spec.apply.config'), 'TEMPLATE_RENDER_FAILED', /^spec\.apply\.config\.porting\.ported-number\.msisdn: undefined variable: msisdn/);
  });

  it('refuses a rendered newline in a leaf', () => {
    expectFleetError(() => renderXml({ a: { b: '{{ v }}' } }, { v: 'x\ny' }, 'w'), 'UNSAFE_DEVICE_INPUT', 'w.a.b: rendered text holds control or line-break characters');
  });
});

describe('planActivation with the real catalog', () => {
  let catalog: ServiceCatalog;
  const inventory = ResourceInventory.fromInputs(LAB);
  const spec = (id: string): ServiceSpecification => {
    const found = catalog.get(id);
    if (!found) throw new Error(`no spec ${id}`);
    return found;
  };
  beforeAll(async () => {
    catalog = await loadServiceCatalog(CATALOG_DIR);
  });

  it('loads the example specifications, the mobile bundle among them', () => {
    expect(catalog.ids()).toEqual(expect.arrayContaining(['mobile-plan', 'number-porting', 'voicemail']));
  });

  it('mobile-plan add: CLI lines on the PCRF', () => {
    const steps = planActivation({ spec: spec('mobile-plan'), action: 'add', values: { msisdn: MSISDN, plan: 'gold', dataCapGb: 20, apn: 'internet' }, directory: inventory });
    expect(summary(steps)).toEqual([
      {
        name: 'provision-subscriber-policy',
        ne: 'pcrf-1',
        apply: { protocol: 'ssh-cli', lines: [`subscriber ${MSISDN}`, 'plan gold', 'data-cap-gb 20', 'apn internet', 'exit'] },
        undo: { protocol: 'ssh-cli', lines: [`no subscriber ${MSISDN}`] },
        tests: [
          { protocol: 'ssh-cli', command: 'show running-config', within: `subscriber ${MSISDN}`, line: 'plan gold' },
          { protocol: 'ssh-cli', command: 'show running-config', within: `subscriber ${MSISDN}`, line: 'data-cap-gb 20' },
          { protocol: 'ssh-cli', command: 'show running-config', within: `subscriber ${MSISDN}`, line: 'apn internet' },
        ],
      },
    ]);
  });

  it('mobile-plan modify sends only what changed and undoes it with the previous values; delete checks absence', () => {
    const values = { msisdn: MSISDN, plan: 'silver', dataCapGb: 5, apn: 'internet' };
    const previousValues = { msisdn: MSISDN, plan: 'gold', dataCapGb: 5, apn: 'internet' };
    const [modify] = planActivation({ spec: spec('mobile-plan'), action: 'modify', values, previousValues, directory: inventory });
    expect(modify?.apply).toEqual({ protocol: 'ssh-cli', lines: [`subscriber ${MSISDN}`, 'plan silver', 'exit'] });
    expect(modify?.undo).toEqual({ protocol: 'ssh-cli', lines: [`subscriber ${MSISDN}`, 'plan gold', 'exit'] });
    // Nothing changed: the step does not run at all.
    expect(planActivation({ spec: spec('mobile-plan'), action: 'modify', values, previousValues: values, directory: inventory })).toEqual([]);
    const [del] = planActivation({ spec: spec('mobile-plan'), action: 'delete', values, directory: inventory });
    expect(del?.apply).toEqual({ protocol: 'ssh-cli', lines: [`no subscriber ${MSISDN}`] });
    expect(del?.tests).toEqual([{ protocol: 'ssh-cli', command: 'show running-config', line: `subscriber ${MSISDN}`, absent: true }]);
  });

  it('number-porting add: NETCONF XML on the NPDB', () => {
    const steps = planActivation({ spec: spec('number-porting'), action: 'add', values: { msisdn: MSISDN, donorOperator: 'Other Mobile', routingNumber: 'D042' }, directory: inventory });
    expect(summary(steps)).toEqual([
      {
        name: 'register-ported-number',
        ne: 'npdb-1',
        apply: {
          protocol: 'netconf',
          configXml: `<porting xmlns="urn:activation-fleet:sim:npdb"><ported-number><msisdn>${MSISDN}</msisdn><donor-operator>Other Mobile</donor-operator><routing-number>D042</routing-number></ported-number></porting>`,
        },
        undo: {
          protocol: 'netconf',
          configXml: `<porting xmlns="urn:activation-fleet:sim:npdb" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><ported-number nc:operation="delete"><msisdn>${MSISDN}</msisdn></ported-number></porting>`,
        },
        tests: [
          {
            protocol: 'netconf',
            filterXml: `<porting xmlns="urn:activation-fleet:sim:npdb"><ported-number><msisdn>${MSISDN}</msisdn></ported-number></porting>`,
            contains: [MSISDN, 'D042'],
          },
        ],
      },
    ]);
  });

  it('number-porting delete: the absent test is kept', () => {
    const [step] = planActivation({ spec: spec('number-porting'), action: 'delete', values: { msisdn: MSISDN, donorOperator: 'Other Mobile', routingNumber: 'D042' }, directory: inventory });
    expect(step?.tests).toEqual([
      { protocol: 'netconf', filterXml: `<porting xmlns="urn:activation-fleet:sim:npdb"><ported-number><msisdn>${MSISDN}</msisdn></ported-number></porting>`, contains: [MSISDN], absent: true },
    ]);
  });

  it('voicemail add: typed SNMP varbinds with read-back expectations on the VMS', () => {
    const steps = planActivation({ spec: spec('voicemail'), action: 'add', values: { msisdn: MSISDN, quotaMinutes: 30, language: 'en' }, directory: inventory });
    expect(summary(steps)).toEqual([
      {
        name: 'create-mailbox',
        ne: 'vms-1',
        apply: {
          protocol: 'snmp',
          varbinds: [
            { oid: `${VMS}.2.${IDX}`, type: 'Integer', value: 4, expect: 1 },
            { oid: `${VMS}.3.${IDX}`, type: 'Integer', value: 30 },
            { oid: `${VMS}.4.${IDX}`, type: 'OctetString', value: 'en' },
          ],
        },
        undo: { protocol: 'snmp', varbinds: [{ oid: `${VMS}.2.${IDX}`, type: 'Integer', value: 6, expect: null }] },
        tests: [{ protocol: 'snmp', oid: `${VMS}.2.${IDX}`, equals: '1' }],
      },
    ]);
    // A varbind without `expect` has no such key at all (the adapter then reads back the set value).
    const second = steps[0]?.apply.protocol === 'snmp' ? steps[0].apply.varbinds[1] : undefined;
    expect(second && 'expect' in second).toBe(false);
  });

  it('voicemail modify: the quota test compares the rendered value', () => {
    const [step] = planActivation({ spec: spec('voicemail'), action: 'modify', values: { msisdn: MSISDN, quotaMinutes: 90, language: 'fr' }, directory: inventory });
    expect(step?.tests).toEqual([{ protocol: 'snmp', oid: `${VMS}.3.${IDX}`, equals: '90' }]);
    expect(step?.apply).toEqual({
      protocol: 'snmp',
      varbinds: [
        { oid: `${VMS}.3.${IDX}`, type: 'Integer', value: 90 },
        { oid: `${VMS}.4.${IDX}`, type: 'OctetString', value: 'fr' },
      ],
    });
  });

  it('refuses an Integer varbind whose value renders to something that is not an integer', () => {
    expectFleetError(
      () => planActivation({ spec: spec('voicemail'), action: 'add', values: { msisdn: MSISDN, quotaMinutes: 'lots', language: 'en' }, directory: inventory }),
      'TEMPLATE_RENDER_FAILED',
      'voicemail.add.create-mailbox.apply.varbinds[1]: Integer value "lots" is not an integer',
    );
  });

  it('fails with TEMPLATE_RENDER_FAILED when a characteristic is missing', () => {
    expectFleetError(
      () => planActivation({ spec: spec('mobile-plan'), action: 'add', values: { msisdn: MSISDN, plan: 'gold', dataCapGb: 20 }, directory: inventory }),
      'TEMPLATE_RENDER_FAILED',
      /^mobile-plan\.add\.provision-subscriber-policy\.apply\.lines\[3\]: undefined variable: apn/,
    );
  });

  it('refuses an action the specification lacks', () => {
    expectFleetError(
      () => planActivation({ spec: spec('number-porting'), action: 'modify', values: { msisdn: MSISDN }, directory: inventory }),
      'ORDER_UNSUPPORTED_ACTION',
      'number-porting has no modify action in the catalog',
    );
  });

  it('refuses when no NE has the role', () => {
    const noVms = ResourceInventory.fromInputs(LAB.filter((n) => n.role !== 'vms'));
    expectFleetError(
      () => planActivation({ spec: spec('voicemail'), action: 'add', values: { msisdn: MSISDN, quotaMinutes: 30, language: 'en' }, directory: noVms }),
      'INVENTORY_NO_NETWORK_ELEMENT',
      'step create-mailbox: no snmp network element with role vms',
    );
  });

  it('ignores an NE with the role but another protocol', () => {
    const wrongProtocol = ResourceInventory.fromInputs([ne('vms-cli', 'vms', 'ssh-cli')]);
    expectFleetError(
      () => planActivation({ spec: spec('voicemail'), action: 'add', values: { msisdn: MSISDN, quotaMinutes: 30, language: 'en' }, directory: wrongProtocol }),
      'INVENTORY_NO_NETWORK_ELEMENT',
    );
  });

  it('picks the NE with the lowest id among several with the role', () => {
    const two = ResourceInventory.fromInputs([ne('pcrf-b', 'pcrf', 'ssh-cli'), ne('pcrf-a', 'pcrf', 'ssh-cli')]);
    const [step] = planActivation({ spec: spec('mobile-plan'), action: 'add', values: { msisdn: MSISDN, plan: 'gold', dataCapGb: 20, apn: 'internet' }, directory: two });
    expect(step?.ne.id).toBe('pcrf-a');
  });

  it('uses the pinned NE of an earlier run, even when another would be picked', () => {
    const two = ResourceInventory.fromInputs([ne('pcrf-a', 'pcrf', 'ssh-cli'), ne('pcrf-b', 'pcrf', 'ssh-cli')]);
    const [step] = planActivation({
      spec: spec('mobile-plan'),
      action: 'add',
      values: { msisdn: MSISDN, plan: 'gold', dataCapGb: 20, apn: 'internet' },
      directory: two,
      pinnedNeIds: { 'provision-subscriber-policy': 'pcrf-b', 'another-step': 'pcrf-a' },
    });
    expect(step?.ne.id).toBe('pcrf-b');
  });

  it('refuses a pinned NE that left the inventory', () => {
    expectFleetError(
      () =>
        planActivation({
          spec: spec('mobile-plan'),
          action: 'add',
          values: { msisdn: MSISDN, plan: 'gold', dataCapGb: 20, apn: 'internet' },
          directory: inventory,
          pinnedNeIds: { 'provision-subscriber-policy': 'pcrf-9' },
        }),
      'INVENTORY_NO_NETWORK_ELEMENT',
      'step provision-subscriber-policy: network element pcrf-9 is no longer in the inventory',
    );
  });
});

describe('planActivation with catalog trees (custom specifications)', () => {
  const selectorSpec = {
    id: 'apn-config',
    name: 'APN',
    characteristics: {
      gateway: { type: 'string', mandatory: true },
      note: { type: 'string' },
    },
    actions: {
      add: {
        steps: [
          {
            name: 'set-apn',
            neRole: 'gw',
            neSelector: 'gateway',
            protocol: 'netconf',
            apply: { config: { apn: { '@xmlns': 'urn:gw', '@label': '{{ note }}', name: '{{ note }}', on: '{{ ne.id }}' } } },
          },
        ],
      },
    },
  };
  const gateways = ResourceInventory.fromInputs([ne('gw-1', 'gw', 'netconf'), ne('gw-2', 'gw', 'netconf')]);

  it('escapes values from the catalog tree', () => {
    const spec = catalogOf(selectorSpec).get('apn-config')!;
    const [step] = planActivation({ spec, action: 'add', values: { gateway: 'gw-2', note: 'a<b&c"d' }, directory: gateways });
    expect(step?.apply).toEqual({ protocol: 'netconf', configXml: '<apn xmlns="urn:gw" label="a&lt;b&amp;c&quot;d"><name>a&lt;b&amp;c"d</name><on>gw-2</on></apn>' });
    expect(step?.tests).toEqual([]);
  });

  it('selects the NE named by neSelector', () => {
    const spec = catalogOf(selectorSpec).get('apn-config')!;
    const [step] = planActivation({ spec, action: 'add', values: { gateway: 'gw-2', note: 'x' }, directory: gateways });
    expect(step?.ne.id).toBe('gw-2');
  });

  it('refuses a neSelector value that names no NE with the role', () => {
    const spec = catalogOf(selectorSpec).get('apn-config')!;
    expectFleetError(
      () => planActivation({ spec, action: 'add', values: { gateway: 'pcrf-1', note: 'x' }, directory: gateways }),
      'INVENTORY_NO_NETWORK_ELEMENT',
      'step set-apn: no netconf network element with role gw and id pcrf-1 (from gateway)',
    );
  });

  it('refuses a rendered newline with UNSAFE_DEVICE_INPUT', () => {
    const spec = catalogOf(selectorSpec).get('apn-config')!;
    expectFleetError(() => planActivation({ spec, action: 'add', values: { gateway: 'gw-1', note: 'x\ny' }, directory: gateways }), 'UNSAFE_DEVICE_INPUT', /^apn-config\.add\.set-apn\.apply\.config\.apn\.@label: /);
  });

  it('gives the template extra context, but the NE always comes from the plan', () => {
    const spec = catalogOf({
      id: 'cli',
      name: 'CLI',
      actions: { add: { steps: [{ name: 'one', neRole: 'pcrf', protocol: 'ssh-cli', apply: { lines: ['hostname {{ ne.id }} order {{ order.id }}'] } }] } },
    }).get('cli')!;
    // The context an item gives (order and item), as catalog load renders it too.
    const [step] = planActivation({ spec, action: 'add', values: {}, directory: ResourceInventory.fromInputs(LAB), context: { order: { id: 'o-1' }, ne: { id: 'spoofed' } } });
    expect(step?.apply).toEqual({ protocol: 'ssh-cli', lines: ['hostname pcrf-1 order o-1'] });
  });

  it('splits a CLI test with several expected strings into one check each', () => {
    const spec = catalogOf({
      id: 'cli',
      name: 'CLI',
      actions: {
        add: {
          steps: [
            {
              name: 'one',
              neRole: 'pcrf',
              protocol: 'ssh-cli',
              apply: { lines: ['x'] },
              tests: [
                { command: 'show a', contains: ['one', 'two'] },
                { command: 'show b', matches: 'b+', absent: true },
              ],
            },
          ],
        },
      },
    }).get('cli')!;
    const [step] = planActivation({ spec, action: 'add', values: {}, directory: ResourceInventory.fromInputs(LAB) });
    expect(step?.tests).toEqual([
      { protocol: 'ssh-cli', command: 'show a', line: 'one' },
      { protocol: 'ssh-cli', command: 'show a', line: 'two' },
      { protocol: 'ssh-cli', command: 'show b', matches: '^[ \t]*(?:b+)[ \t]*$', absent: true },
    ]);
  });

  // Regression test (was a bug): activation-plan.ts renderChange() converts numeric SNMP values with Number(text), and
  // Number('') is 0: a template that renders empty (an empty string characteristic) sets 0 on
  // the device instead of failing with TEMPLATE_RENDER_FAILED ("is not an integer").
  it('refuses an Integer varbind whose template renders empty', () => {
    const spec = catalogOf({
      id: 'snmp-set',
      name: 'SNMP',
      characteristics: { level: { type: 'string' } },
      actions: { add: { steps: [{ name: 'set', neRole: 'vms', protocol: 'snmp', apply: { varbinds: [{ oid: '1.3.6.1.4.1.1.0', type: 'Integer', value: '{{ level }}' }] } }] } },
    }).get('snmp-set')!;
    expectFleetError(() => planActivation({ spec, action: 'add', values: { level: '' }, directory: ResourceInventory.fromInputs(LAB) }), 'TEMPLATE_RENDER_FAILED');
  });
});

describe('catalog schema (service-specification through ServiceCatalog.fromDocuments)', () => {
  const cliStep = { name: 'one', neRole: 'pcrf', protocol: 'ssh-cli', apply: { lines: ['x'] } };
  const specWith = (step: Record<string, unknown>, characteristics: Record<string, unknown> = {}) => ({
    id: 'bad',
    name: 'Bad',
    characteristics,
    actions: { add: { steps: [step] } },
  });

  it('fills defaults for a minimal valid specification', () => {
    const spec = catalogOf(specWith(cliStep, { a: { type: 'string' } })).get('bad')!;
    expect(spec.version).toBe('1.0');
    expect(spec.onFailure).toBe('atomic');
    expect(spec.characteristics.a).toMatchObject({ type: 'string', mandatory: false, maxLength: 256 });
    expect(spec.actions.add?.steps[0]?.tests).toEqual([]);
  });

  it('refuses varbinds in an ssh-cli step', () => {
    const error = catalogError(specWith({ ...cliStep, apply: { varbinds: [{ oid: '1.3.6', type: 'Integer', value: 1 }] } }));
    expect(error.code).toBe('CATALOG_INVALID');
    expect(error.message).toBe("invalid catalog:\n  spec-0.yaml: actions.add.steps[0].apply: a ssh-cli step's apply holds exactly `lines`");
    expect(error.details.problems).toEqual(["spec-0.yaml: actions.add.steps[0].apply: a ssh-cli step's apply holds exactly `lines`"]);
  });

  it('refuses an undo holding two protocol forms', () => {
    const error = catalogError(specWith({ ...cliStep, undo: { lines: ['y'], config: { a: 'b' } } }));
    expect(error.message).toContain("actions.add.steps[0].undo: a ssh-cli step's undo holds exactly `lines`");
  });

  it('refuses an ssh-cli test without a command', () => {
    const error = catalogError(specWith({ ...cliStep, tests: [{ contains: 'x' }] }));
    expect(error.message).toContain('spec-0.yaml: actions.add.steps[0].tests[0]: a ssh-cli test needs command and contains/matches');
  });

  it('refuses an snmp test without equals and a netconf test without a filter', () => {
    const snmp = catalogError(specWith({ name: 's', neRole: 'vms', protocol: 'snmp', apply: { varbinds: [{ oid: '1', type: 'Integer', value: 1 }] }, tests: [{ oid: '1' }] }));
    expect(snmp.message).toContain('a snmp test needs oid and equals');
    const netconf = catalogError(specWith({ name: 's', neRole: 'npdb', protocol: 'netconf', apply: { config: { a: 'b' } }, tests: [{ contains: ['x'] }] }));
    expect(netconf.message).toContain('a netconf test needs filter and contains');
  });

  it('refuses an invalid regular expression pattern', () => {
    const error = catalogError(specWith(cliStep, { msisdn: { type: 'string', pattern: '([0-9' } }));
    expect(error.message).toMatch(/spec-0\.yaml: characteristics\.msisdn: pattern is not a valid regular expression: /);
  });

  it('refuses an enum without values and a step name that is not kebab-case', () => {
    const error = catalogError(specWith({ ...cliStep, name: 'Step_One' }, { lang: { type: 'enum' } }));
    expect(error.details.problems).toEqual([
      'spec-0.yaml: characteristics.lang: an enum parameter needs values',
      'spec-0.yaml: actions.add.steps[0].name: step names are kebab-case',
    ]);
  });

  it('refuses an unknown action and an unknown field', () => {
    const error = catalogError({ id: 'x', name: 'X', actions: { hibernate: { steps: [cliStep] } }, owner: 'me' });
    expect(error.details.problems).toHaveLength(2);
    expect(error.message).toContain('Unrecognized key');
  });

  it('reports the problems of every file, named by source', () => {
    const error = catalogError({ id: 'a', actions: {} }, specWith({ ...cliStep, protocol: 'telnet' }));
    const problems = error.details.problems as string[];
    expect(problems.some((p) => p.startsWith('spec-0.yaml: name: '))).toBe(true);
    expect(problems.some((p) => p.startsWith('spec-1.yaml: actions.add.steps[0].protocol: '))).toBe(true);
  });

  it('refuses two specifications with the same id', () => {
    const error = catalogError(specWith(cliStep), specWith(cliStep));
    expect(error.code).toBe('CATALOG_INVALID');
    expect(error.message).toBe('service specification bad is defined twice');
  });

  it('refuses a missing catalog directory with CATALOG_INVALID', async () => {
    await expect(loadServiceCatalog('/nonexistent/catalog-dir')).rejects.toMatchObject({ code: 'CATALOG_INVALID' });
  });
});

describe('catalog consistency checks', () => {
  const base = {
    id: 'svc',
    name: 'Service',
    characteristics: { msisdn: { type: 'string', pattern: '[0-9]+' } },
  };
  const step = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    neRole: 'pcrf',
    protocol: 'ssh-cli',
    apply: { lines: ['subscriber {{ msisdn }}'] },
    ...extra,
  });

  it('refuses two steps with the same name in one action', () => {
    expect(() => ServiceCatalog.fromDocuments([{ source: 'svc.yaml', content: { ...base, actions: { add: { steps: [step('a'), step('a')] } } } }])).toThrow(
      'svc.yaml: actions.add.steps[1].name: step name a is used twice in add',
    );
  });

  it('refuses an neSelector that is not a declared characteristic', () => {
    expect(() => ServiceCatalog.fromDocuments([{ source: 'svc.yaml', content: { ...base, actions: { add: { steps: [step('a', { neSelector: 'site' })] } } } }])).toThrow(
      'svc.yaml: actions.add.steps[0].neSelector: neSelector site is not a declared characteristic',
    );
  });
});
