import { validateCharacteristics, type CharacteristicValues } from '../catalog/characteristic-validator.js';
import { formatIssues } from '../catalog/issue-format.js';
import type { ServiceSpecification } from '../catalog/service-specification.js';
import type { RejectionReason } from '../errors/index.js';
import { DependencyGraph } from './dependency-graph.js';
import { serviceOrderInputSchema, type ServiceOrderInput } from './service-order.js';

export type SpecificationLookup = (id: string) => ServiceSpecification | undefined;

export interface ValidatedItem {
  itemId: string;
  specId: string;
  values: CharacteristicValues;
}

export type OrderValidation =
  | { ok: true; order: ServiceOrderInput; items: ValidatedItem[] }
  | { ok: false; reasons: RejectionReason[]; order?: ServiceOrderInput };

/**
 * Everything that can be known about an order before anything is sent to a network element.
 * Returns every reason found, each precise enough to fix the order without guessing.
 */
export function validateServiceOrder(input: unknown, lookup: SpecificationLookup): OrderValidation {
  const parsed = serviceOrderInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, reasons: formatIssues(parsed.error).map((message) => ({ code: 'ORDER_INVALID', message, path: message.split(':')[0] })) };
  }
  const order = parsed.data;
  const reasons: RejectionReason[] = [];
  const items = order.serviceOrderItem;

  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) reasons.push({ code: 'ORDER_DUPLICATE_ITEM_ID', message: `serviceOrderItem id ${item.id} is used more than once`, itemId: item.id });
    seen.add(item.id);
  }

  const edges = items.map((item) => ({ id: item.id, relationships: item.serviceOrderItemRelationship }));
  for (const problem of DependencyGraph.problems(edges)) {
    if (problem.kind === 'unknownItem') {
      reasons.push({
        code: 'ORDER_UNKNOWN_RELATED_ITEM',
        message: `serviceOrderItem ${problem.itemId} has a relationship to item ${problem.related[0]}, which is not in the order`,
        itemId: problem.itemId,
      });
    } else {
      const path = problem.kind === 'cycle' ? problem.related.join(' -> ') : `${problem.itemId} -> ${problem.itemId}`;
      reasons.push({ code: 'ORDER_DEPENDENCY_CYCLE', message: `serviceOrderItem relationships form a cycle: ${path}`, itemId: problem.itemId });
    }
  }

  const validated: ValidatedItem[] = [];
  items.forEach((item, index) => {
    const at = `serviceOrderItem[${index}] (id ${item.id})`;
    const specId = item.service.serviceSpecification?.id;
    if (specId === undefined) {
      reasons.push({ code: 'ORDER_INVALID', message: `${at}: service.serviceSpecification.id is required`, itemId: item.id });
      return;
    }
    const spec = lookup(specId);
    if (!spec) {
      reasons.push({ code: 'ORDER_UNKNOWN_SPECIFICATION', message: `${at}: unknown service specification ${specId}`, itemId: item.id });
      return;
    }
    if (item.action !== 'noChange' && !spec.actions[item.action]) {
      const offered = Object.keys(spec.actions).join(', ');
      reasons.push({ code: 'ORDER_UNSUPPORTED_ACTION', message: `${at}: ${specId} does not support action ${item.action} (offers ${offered})`, itemId: item.id });
      return;
    }
    const { values, problems } = validateCharacteristics(spec, item.service.serviceCharacteristic ?? []);
    for (const p of problems) reasons.push({ code: 'ORDER_INVALID_CHARACTERISTIC', message: `${at}: ${p.message}`, itemId: item.id });
    validated.push({ itemId: item.id, specId, values });
  });

  return reasons.length > 0 ? { ok: false, reasons, order } : { ok: true, order, items: validated };
}
