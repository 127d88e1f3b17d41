import { FleetError } from '../errors/index.js';
import { networkElementSchema, NE_PROTOCOLS, type NetworkElement } from '../inventory/network-element.js';
import { planActivation } from './activation-plan.js';
import type { NeDirectory } from '../inventory/ne-directory.js';
import type { CharacteristicValues } from '../inventory/characteristic-value.js';
import type { ParameterSpec, ServiceAction, ServiceSpecification } from './service-specification.js';

/**
 * Renders every template of every action of a specification at catalog load, through the very
 * planner an order goes through, so a typo (`{{ neighbourIp }}` in the delete action) is a load
 * error instead of a failure on the first delete. Each step is rendered with a value for every
 * declared characteristic; a modify twice, once with every value changed (`previous.*` set,
 * every `changed.*` true) and once with none; the other actions as they run, with `previous`
 * empty. Pure: no device, no Redis.
 */

/** A value of the declared type (the template is under test here, not the value). */
function sample(param: ParameterSpec, variant: 0 | 1): unknown {
  if (param.default !== undefined && variant === 0) return param.default;
  switch (param.type) {
    case 'string':
      // Digits: a string may well feed an Integer varbind (its pattern says digits), and digits
      // render wherever text does.
      return variant === 0 ? '1' : '2';
    case 'integer':
    case 'number':
      return (param.min ?? 1) + variant;
    case 'boolean':
      return variant === 0;
    case 'enum':
      return param.values?.[variant % (param.values?.length ?? 1)] ?? 'sample';
    case 'ipv4':
      return variant === 0 ? '192.0.2.1' : '192.0.2.2';
    case 'ipv6':
      return variant === 0 ? '2001:db8::1' : '2001:db8::2';
    case 'object':
      return anyObject(variant);
  }
}

/** An object value answers every field: its shape is the upstream system's, not declared. */
function anyObject(variant: 0 | 1): Record<string, unknown> {
  const leaf = variant === 0 ? 'sample' : 'sample-2';
  return new Proxy({} as Record<string, unknown>, {
    get: (_target, key) => (key === 'toString' || key === Symbol.toPrimitive ? () => leaf : typeof key === 'string' ? leaf : undefined),
    has: () => true,
    getOwnPropertyDescriptor: () => ({ configurable: true, enumerable: true, value: leaf }),
  });
}

function values(spec: ServiceSpecification, variant: 0 | 1): CharacteristicValues {
  return Object.fromEntries(Object.entries(spec.characteristics).map(([name, param]) => [name, sample(param, variant)])) as CharacteristicValues;
}

/** Any role has one NE of each protocol, whose id is whatever a step's neSelector asks for. */
function anyNe(spec: ServiceSpecification, sampled: CharacteristicValues): NeDirectory {
  const ne = (id: string, role: string, protocol: NetworkElement['protocol']): NetworkElement =>
    networkElementSchema.parse({ id: id.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64) || 'ne', role, protocol, host: '192.0.2.254', port: 22, credentialsRef: 'env:CHECK' });
  const selectors = new Set<string>();
  // A selected NE is looked up by id, then checked for the step's role and protocol.
  const selected = new Map<string, NetworkElement>();
  for (const action of Object.values(spec.actions)) {
    for (const step of action?.steps ?? []) {
      if (!step.neSelector) continue;
      const id = String(sampled[step.neSelector]);
      selectors.add(id);
      if (!selected.has(id)) selected.set(id, ne(id, step.neRole, step.protocol));
    }
  }
  return {
    // Only neSelector ids are looked up here; any other id gets an NE of no step's role.
    get: (id) => selected.get(id) ?? ne(id, 'any', NE_PROTOCOLS[0]),
    byRole: (role) => NE_PROTOCOLS.flatMap((protocol) => [ne(`check-${protocol}`, role, protocol), ...[...selectors].map((id) => ne(id, role, protocol))]),
  };
}

/** Every template problem of `spec`, as `actions.<action>.steps[<i>] (<name>) <where>: <what>` lines. */
export function templateProblems(spec: ServiceSpecification): string[] {
  const problems: string[] = [];
  const now = values(spec, 0);
  const before = values(spec, 1);
  for (const action of Object.keys(spec.actions) as ServiceAction[]) {
    spec.actions[action]?.steps.forEach((step, index) => {
      const single: ServiceSpecification = { ...spec, actions: { [action]: { steps: [step] } } };
      const runs: Array<CharacteristicValues | undefined> = action === 'modify' ? [before, now] : [undefined];
      for (const previousValues of runs) {
        try {
          planActivation({
            spec: single,
            action,
            values: now,
            directory: anyNe(spec, now),
            ...(previousValues ? { previousValues } : {}),
            context: { order: { id: 'check-order' }, item: { id: 'check-item' } },
          });
        } catch (error) {
          if (!(error instanceof FleetError)) throw error;
          const prefix = `${spec.id}.${action}.${step.name}.`;
          const what = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
          const line = `actions.${action}.steps[${index}] (${step.name}) ${what}${previousValues === before ? ' (with every characteristic changed)' : previousValues ? ' (with nothing changed)' : ''}`;
          if (!problems.includes(line)) problems.push(line);
          break;
        }
      }
    });
  }
  return problems;
}
