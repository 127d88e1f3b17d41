/** Base paths of the three TMF Open APIs, as their specifications define them. */
export const API_PREFIX = '/tmf-api';

export const API_BASES = {
  serviceOrdering: `${API_PREFIX}/serviceOrdering/v4`,
  /** TMF641 v3 (R18.0), for the BSS that still speak it: the same orders, in v3 shape. */
  serviceOrderingV3: `${API_PREFIX}/serviceOrdering/v3`,
  serviceActivation: `${API_PREFIX}/ServiceActivationAndConfiguration/v4`,
  serviceInventory: `${API_PREFIX}/serviceInventory/v4`,
} as const;

export type ApiName = keyof typeof API_BASES;
export const API_NAMES = Object.keys(API_BASES) as ApiName[];

export const PATHS = {
  serviceOrder: (id: string) => `${API_BASES.serviceOrdering}/serviceOrder/${id}`,
  serviceOrderV3: (id: string) => `${API_BASES.serviceOrderingV3}/serviceOrder/${id}`,
  cancelServiceOrder: (id: string) => `${API_BASES.serviceOrdering}/cancelServiceOrder/${id}`,
  activationService: (id: string) => `${API_BASES.serviceActivation}/service/${id}`,
  monitor: (id: string) => `${API_BASES.serviceActivation}/monitor/${id}`,
  inventoryService: (id: string) => `${API_BASES.serviceInventory}/service/${id}`,
  hub: (api: ApiName, id: string) => `${API_BASES[api]}/hub/${id}`,
} as const;

const ref = (base: string) => (id: string) => `${base}/${encodeURIComponent(id)}`;

/**
 * Where the entities a service refers to live in the TMF API family (TMF634, TMF639, TMF632,
 * TMF673): the href given to a reference that came without one.
 */
export const REFERENCE_PATHS = {
  serviceSpecification: ref(`${API_PREFIX}/serviceCatalogManagement/v4/serviceSpecification`),
  resource: ref(`${API_PREFIX}/resourceInventoryManagement/v4/resource`),
  party: ref(`${API_PREFIX}/partyManagement/v4/party`),
  place: ref(`${API_PREFIX}/geographicAddressManagement/v4/geographicAddress`),
} as const;
