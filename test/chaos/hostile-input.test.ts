import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { planActivation } from '../../catalog/activation-plan.js';
import { validateCharacteristics } from '../../catalog/characteristic-validator.js';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { validateServiceOrder } from '../../orders/order-validation.js';
import { addFigures } from './chaos-figures.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';
import { loadResourceInventory } from '../../runtime/loading/inventory-files.js';

let catalog: ServiceCatalog;
let inventory: ResourceInventory;
let tried = 0;

beforeAll(async () => {
  catalog = await loadServiceCatalog('config/catalog');
  inventory = await loadResourceInventory('config/inventory');
});

// Nothing that could steer a device: control characters, line breaks, CLI separators and pipes.
// eslint-disable-next-line no-control-regex
const DEVICE_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
/** Every string in a RESTCONF JSON value: what reaches the device as text. */
const textLeaves = (value: unknown): string[] => (typeof value === 'string' ? [value] : value !== null && typeof value === 'object' ? Object.values(value).flatMap(textLeaves) : []);

/** Strings a hostile caller would send: unicode, null bytes, newlines, markup, CLI tricks, huge ones. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.constantFrom('x\nreload', '447700900123\r\nwrite erase', '1; rm -rf /', '</msisdn><evil/>', ']]>]]>', '\u0000', 'gold\u2028exit', '$(reboot)', '`id`', 'a|b', '%n%n%n'),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);

const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.string({ maxLength: 20 }), tie('value'), { maxKeys: 6 }),
})).value;

describe('hostile and malformed input never crashes intake and never reaches a device', () => {
  it('arbitrary JSON, deep nesting, unknown fields: always a clear rejection, never a throw', () => {
    fc.assert(
      fc.property(jsonish, (input) => {
        tried += 1;
        const result = validateServiceOrder(input, (id) => catalog.get(id));
        if (!result.ok) expect(result.reasons.every((r) => typeof r.code === 'string' && r.message.length > 0)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // Deep nesting well past what a parser should follow.
    let deep: unknown = { serviceOrderItem: [] };
    for (let i = 0; i < 5000; i++) deep = { nested: deep };
    tried += 1;
    expect(validateServiceOrder(deep, (id) => catalog.get(id)).ok).toBe(false);
  });

  it('any characteristic value either is rejected or renders to commands without control or markup characters', () => {
    const specs = catalog.ids().map((id) => catalog.get(id)!);
    fc.assert(
      fc.property(fc.constantFrom(...specs), fc.dictionary(fc.constantFrom('msisdn', 'plan', 'dataCapGb', 'apn', 'language', 'neighborIp', 'description', 'contact', 'location', 'interfaceName', 'routingNumber', 'donorOperator'), hostileString), (spec, values) => {
        tried += 1;
        const characteristics = Object.entries(values).map(([name, value]) => ({ name, value }));
        const { values: typed, problems } = validateCharacteristics(spec, characteristics);
        if (problems.length > 0) return;
        let steps;
        try {
          steps = planActivation({ spec, action: 'add', values: typed, directory: inventory });
        } catch (error) {
          // A template that cannot render is a clean FleetError, never a device command.
          expect((error as { code?: string }).code).toMatch(/^(TEMPLATE_RENDER_FAILED|UNSAFE_DEVICE_INPUT|INVENTORY_NO_NETWORK_ELEMENT)$/);
          return;
        }
        for (const step of steps) {
          const sent =
            step.apply.protocol === 'ssh-cli'
              ? step.apply.lines
              : step.apply.protocol === 'snmp'
                ? step.apply.varbinds.map((v) => `${v.oid} ${v.value}`)
                : step.apply.protocol === 'netconf'
                  ? [step.apply.configXml]
                  : step.apply.edits.flatMap((e) => [e.path, ...textLeaves(e.value)]);
          for (const text of sent) expect(DEVICE_UNSAFE.test(text)).toBe(false);
          if (step.apply.protocol === 'netconf') {
            // Values are escaped: no element the catalog did not write can appear.
            expect(step.apply.configXml).not.toMatch(/<evil|<!\[CDATA|<!DOCTYPE/);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reports its figures', () => {
    addFigures({ hostileInputsTried: tried });
    expect(tried).toBeGreaterThan(5000);
  });
});
