import type { ServiceInstance } from './service-instance.js';

/**
 * What an order item asked of its service, kept with the item so that the service record can
 * carry it once the item completes: the TMF Service attributes the client set (returned as
 * posted), the state it asked for, and what the order and the catalog add to it.
 */

/** TMF640 states a service can be created in without touching a device: it is recorded, not configured. */
export const RECORDED_ONLY_STATES = ['feasibilityChecked', 'designed', 'reserved', 'inactive'] as const;
export type RecordedOnlyState = (typeof RECORDED_ONLY_STATES)[number];

export function isRecordedOnlyState(state: unknown): state is RecordedOnlyState {
  return typeof state === 'string' && (RECORDED_ONLY_STATES as readonly string[]).includes(state);
}

/** The catalog's view of the item's specification, as validation found it. */
export interface CatalogView {
  name: string;
  version: string;
  category: string;
  description?: string;
}

/**
 * The catalog entry an item was validated against, by reference: its version and a hash of the
 * whole entry (`catalogEntryHash`). The item's spec id names the entry; its text is read from the
 * catalog when the item runs, and only if the hash still matches.
 */
export interface CatalogRef {
  version: string;
  hash: string;
}

export const isCatalogRef = (catalog: CatalogRef | CatalogView | undefined): catalog is CatalogRef => catalog !== undefined && 'hash' in catalog;

export interface ServiceRequest {
  /**
   * The Service attributes the item set (TMF ServiceRefOrValue without id, state and
   * serviceCharacteristic, which the fleet records itself), exactly as posted.
   */
  attributes?: Record<string, unknown>;
  /** The state asked for, when it is one the service is recorded in without a device. */
  recordedState?: RecordedOnlyState;
  /** The state of a service recorded without a device before this item changed it (for a rollback). */
  previousState?: string;
  /**
   * The record of the service an add activates (one recorded without a device), as validation
   * read it: the worker reads no service for an add, so this is what the activated record grows from.
   */
  recordedService?: ServiceInstance;
  /**
   * What the client gave each characteristic besides its name and value (valueType, id,
   * characteristicRelationship, @type...), by characteristic name, returned as posted.
   */
  characteristicAttributes?: Record<string, Record<string, unknown>>;
  /** The order's relatedParty: the service is theirs as well. */
  orderRelatedParty?: Array<Record<string, unknown>>;
  /** Services of the order's other items that support this one (item relationships and the catalog's composition). */
  supportingServiceIds?: string[];
  /** A reference to the catalog entry; orders stored before references kept a copy of its text (CatalogView). */
  catalog?: CatalogRef | CatalogView;
}

/** Attributes the fleet sets itself on a service record; everything else an item gives is kept as posted. */
const FLEET_OWNED = new Set(['id', 'href', 'state', 'serviceCharacteristic', 'serviceOrderItem', 'operatingStatus', 'suspension']);

/** The item's service attributes to keep (the fleet-owned ones left out). */
export function requestedAttributes(service: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(service).filter(([key, value]) => !FLEET_OWNED.has(key) && value !== undefined));
}

/** Each characteristic's attributes besides name and value, by name (the fleet records the value itself). */
export function requestedCharacteristicAttributes(characteristics: ReadonlyArray<{ name: string; value?: unknown }> = []): Record<string, Record<string, unknown>> {
  // Only characteristics that carry something besides name and value: the rest say nothing new.
  return Object.fromEntries(
    characteristics
      .map(({ name, value: _value, ...rest }) => [name, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined))] as const)
      .filter(([, attributes]) => Object.keys(attributes).length > 0),
  );
}
