import { validateCharacteristics } from '../catalog/characteristic-validator.js';
import type { CharacteristicValues } from '../inventory/characteristic-value.js';
import { catalogEntryHash } from '../catalog/catalog-entry-hash.js';
import type { ServiceSpecification } from '../catalog/service-specification.js';
import type { SpecificationRef } from '../catalog/specification-ref.js';
import type { RejectionReason } from '../errors/index.js';
import { activeSuspensions, characteristicValues, type ServiceInstance } from '../inventory/service-instance.js';
import { isRecordedOnlyState, type CatalogView } from '../inventory/service-request.js';
import { DependencyGraph } from './dependency-graph.js';
import { isParsedServiceOrder, parseServiceOrder } from './posted-order.js';
import type { ServiceOrderInput } from './service-order.js';

/** By the reference as the order gives it: id (the catalog's or an alias), name, version. */
export type SpecificationLookup = (ref: SpecificationRef) => ServiceSpecification | undefined;
export type ServiceLookup = (id: string) => ServiceInstance | undefined;

/**
 * What an item does to a service: TMF's action, refined by the service state it asks for. An
 * add that asks for a state before active (feasibilityChecked, designed, reserved, inactive) is
 * noChange: the service is recorded, nothing reaches a device.
 */
export type ItemLifecycle = 'add' | 'modify' | 'delete' | 'suspend' | 'resume' | 'noChange';

/** Characteristics that describe a suspension request, not the service: never in the catalog. */
export const SUSPENSION_CHARACTERISTICS = ['suspensionReason', 'suspensionInitiator'] as const;
const SUSPENSION_VALUE = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

export interface ValidatedItem {
  itemId: string;
  specId: string;
  values: CharacteristicValues;
  lifecycle: ItemLifecycle;
  /** The existing service the item changes (modify, delete, suspend, resume), or the id asked for by an add. */
  serviceId?: string;
  /** For modify: the values before the change (as the inventory held them at intake). */
  previousValues?: CharacteristicValues;
  /** For modify: only the values the order gives. The item applies them over the inventory's when it runs. */
  changes?: CharacteristicValues;
  /** For a service recorded without a device (designed, reserved...): its state before the item, for a rollback. */
  previousState?: string;
  /** The record of a service recorded without a device that the item activates (an add on an existing service). */
  recordedService?: ServiceInstance;
  /** Who suspends (default customer); for a resume, given only to pick between suspensions. */
  suspension?: { reason: string; initiator?: string };
  /** The catalog's view of the specification (name, version, category, description) and its composition. */
  catalog?: CatalogView & { composedOf: string[]; hash: string };
}

export type OrderValidation =
  | { ok: true; order: ServiceOrderInput; items: ValidatedItem[] }
  | { ok: false; reasons: RejectionReason[]; order?: ServiceOrderInput };

/**
 * Everything that can be known about an order before anything is sent to a network element.
 * Returns every reason found, each precise enough to fix the order without guessing. Takes the
 * raw input or, from intake, the order parseServiceOrder already parsed (orders/posted-order.ts).
 */
export function validateServiceOrder(input: unknown, lookup: SpecificationLookup, services: ServiceLookup = () => undefined): OrderValidation {
  // Intake hands over the order it parsed; anything else (a test, a raw order) is parsed here, once.
  const parsed = isParsedServiceOrder(input) ? input : parseServiceOrder(input);
  if (!parsed.ok) return { ok: false, reasons: parsed.reasons };
  const { order } = parsed;
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
    const reject = (code: RejectionReason['code'], message: string): undefined => {
      reasons.push({ code, message: `${at}: ${message}`, itemId: item.id });
      return undefined;
    };
    const result = validateItem(item, lookup, services, reject);
    if (result) validated.push({ itemId: item.id, ...result });
  });

  return reasons.length > 0 ? { ok: false, reasons, order } : { ok: true, order, items: validated };
}

type Reject = (code: RejectionReason['code'], message: string) => undefined;
type ItemInput = ServiceOrderInput['serviceOrderItem'][number];

/** One item against the catalog and the service inventory; undefined when rejected. */
function validateItem(item: ItemInput, lookup: SpecificationLookup, services: ServiceLookup, reject: Reject): Omit<ValidatedItem, 'itemId'> | undefined {
  const serviceId = item.service.id;
  const existing = serviceId === undefined ? undefined : services(serviceId);
  if (item.action !== 'add' && item.action !== 'noChange') {
    if (serviceId === undefined) return reject('ORDER_INVALID', `action ${item.action} needs service.id, the service to change`);
    if (!existing) return reject('ORDER_UNKNOWN_SERVICE', `service ${serviceId} is not in the service inventory`);
    if (existing.state === 'terminated') return reject('ORDER_SERVICE_TERMINATED', `service ${serviceId} is terminated and cannot be changed`);
  }
  if (item.action === 'add' && existing && existing.state !== 'terminated') {
    return reject('ORDER_SERVICE_EXISTS', `service ${serviceId} already exists (${existing.state}); use action modify to change it`);
  }
  const requested = item.service.serviceSpecification;
  const ref: SpecificationRef | undefined = requested ?? (existing ? { id: existing.serviceSpecification.id } : undefined);
  if (ref === undefined) return reject('ORDER_INVALID', 'service.serviceSpecification.id is required');
  const spec = lookup(ref);
  if (!spec) {
    const version = ref.version !== undefined ? ` version ${ref.version}` : '';
    return reject('ORDER_UNKNOWN_SPECIFICATION', `unknown service specification ${ref.id ?? ref.name ?? ''}${version}`);
  }
  const specId = spec.id;
  if (existing && requested !== undefined && lookup({ id: existing.serviceSpecification.id })?.id !== spec.id) {
    return reject('ORDER_INVALID', `service ${serviceId} is a ${existing.serviceSpecification.id}, not a ${requested.id ?? requested.name ?? ''}`);
  }
  const recordedOnly = existing !== undefined && isRecordedOnlyState(existing.state);
  if (item.action !== 'add' && isRecordedOnlyState(item.service.state) && !recordedOnly) {
    return reject('ORDER_INVALID', `service.state ${String(item.service.state)} can only be asked for when the service is added, or of a service not yet active`);
  }
  if (recordedOnly && item.service.state === 'suspended') {
    return reject('ORDER_INVALID', `service ${existing.id} is ${existing.state}, not active: it cannot be suspended`);
  }
  const catalog = { name: spec.name, version: spec.version, category: spec.category, ...(spec.description !== undefined ? { description: spec.description } : {}), composedOf: spec.composedOf, hash: catalogEntryHash(spec) };

  const given = item.service.serviceCharacteristic ?? [];
  const suspensionInput = Object.fromEntries(given.filter((c) => (SUSPENSION_CHARACTERISTICS as readonly string[]).includes(c.name)).map((c) => [c.name, c.value]));
  const serviceCharacteristics = given.filter((c) => !(SUSPENSION_CHARACTERISTICS as readonly string[]).includes(c.name));
  const lifecycle = lifecycleOf(item, existing, suspensionInput.suspensionReason !== undefined, serviceCharacteristics.length > 0);
  const catalogAction = lifecycle === 'noChange' ? undefined : lifecycle;
  if (catalogAction && !spec.actions[catalogAction]) {
    const offered = Object.keys(spec.actions).join(', ');
    return reject('ORDER_UNSUPPORTED_ACTION', `${specId} does not support action ${catalogAction} (offers ${offered})`);
  }

  if (!existing) {
    const { values, problems } = validateCharacteristics(spec, serviceCharacteristics);
    problems.forEach((p) => reject('ORDER_INVALID_CHARACTERISTIC', p.message));
    return problems.length > 0 ? undefined : { specId, values, lifecycle, catalog, ...(serviceId ? { serviceId } : {}) };
  }
  const current = characteristicValues(existing);
  if (recordedOnly) {
    // A service recorded without a device: activating it configures it with its recorded values
    // and the ones given (all of them must satisfy the specification); anything else only
    // changes the record.
    const givenNames = new Set(serviceCharacteristics.map((c) => c.name));
    const merged = [...Object.entries(current).filter(([name]) => !givenNames.has(name)).map(([name, value]) => ({ name, value })), ...serviceCharacteristics];
    const { values, problems } = validateCharacteristics(spec, merged, { requireMandatory: lifecycle === 'add' });
    problems.forEach((p) => reject('ORDER_INVALID_CHARACTERISTIC', p.message));
    if (problems.length > 0) return undefined;
    return { specId, values, lifecycle, serviceId: existing.id, catalog, previousValues: current, previousState: existing.state, ...(lifecycle === 'add' ? { recordedService: existing } : {}) };
  }
  if (lifecycle === 'suspend' || lifecycle === 'resume') {
    const reason = suspensionInput.suspensionReason;
    const given = suspensionInput.suspensionInitiator;
    const initiator = given ?? 'customer';
    if (typeof reason !== 'string' || !SUSPENSION_VALUE.test(reason) || typeof initiator !== 'string' || !SUSPENSION_VALUE.test(initiator)) {
      return reject('ORDER_INVALID_CHARACTERISTIC', `${lifecycle} needs characteristic suspensionReason (and optionally suspensionInitiator), each a word such as nonPayment or customer`);
    }
    if (lifecycle === 'resume' && !activeSuspensions(existing).some((s) => s.reason === reason && (suspensionInput.suspensionInitiator === undefined || s.initiator === initiator))) {
      const held = activeSuspensions(existing).map((s) => `${s.reason} by ${s.initiator}`).join(', ') || 'none';
      return reject('ORDER_NO_SUCH_SUSPENSION', `service ${existing.id} has no active ${reason} suspension to lift (active: ${held})`);
    }
    const suspension = lifecycle === 'suspend' || given !== undefined ? { reason, initiator } : { reason };
    return { specId, values: current, lifecycle, serviceId: existing.id, suspension, catalog };
  }
  // modify: the given values over the current ones; the result must satisfy the specification.
  const changes = validateCharacteristics(spec, serviceCharacteristics, { requireMandatory: false });
  changes.problems.forEach((p) => reject('ORDER_INVALID_CHARACTERISTIC', p.message));
  if (changes.problems.length > 0) return undefined;
  const explicit = Object.fromEntries(serviceCharacteristics.map((c) => [c.name, changes.values[c.name]]));
  const moved = Object.entries(explicit).filter(([name, value]) => spec.characteristics[name]?.immutable && current[name] !== undefined && String(current[name]) !== String(value));
  for (const [name, value] of moved) {
    reject('ORDER_INVALID_CHARACTERISTIC', `characteristic ${name} is set by the add of ${specId} and not changed by a modify (service ${existing.id} has ${String(current[name])}); delete the service and add it again with ${name} ${String(value)}`);
  }
  if (moved.length > 0) return undefined;
  const values = { ...current, ...explicit } as CharacteristicValues;
  return { specId, values, lifecycle, serviceId: existing.id, catalog, ...(lifecycle === 'modify' ? { previousValues: current, changes: explicit as CharacteristicValues } : {}) };
}

/** A modify that gives no characteristic values changes only what the record says (name, note, place...): noChange on the network. */
function lifecycleOf(item: ItemInput, existing: ServiceInstance | undefined, namesSuspension: boolean, givesValues: boolean): ItemLifecycle {
  if (item.action === 'add' && isRecordedOnlyState(item.service.state)) return 'noChange';
  // A service recorded without a device (designed, reserved...) is configured when it is asked
  // active (the catalog's add), and otherwise only recorded: a new state, values, its end.
  if (existing && isRecordedOnlyState(existing.state) && (item.action === 'modify' || item.action === 'delete')) {
    return item.action === 'modify' && item.service.state === 'active' ? 'add' : 'noChange';
  }
  if (item.action !== 'modify' || !existing) return item.action;
  if (item.service.state === 'suspended') return 'suspend';
  if (item.service.state === 'active' && (namesSuspension || activeSuspensions(existing).length > 0)) return 'resume';
  return givesValues ? 'modify' : 'noChange';
}
