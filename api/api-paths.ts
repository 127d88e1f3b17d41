/** Base paths of the three TMF Open APIs, as their specifications define them. */
export const API_PREFIX = '/tmf-api';

export const API_BASES = {
  serviceOrdering: `${API_PREFIX}/serviceOrdering/v4`,
  serviceActivation: `${API_PREFIX}/ServiceActivationAndConfiguration/v4`,
  serviceInventory: `${API_PREFIX}/serviceInventory/v4`,
} as const;

export type ApiName = keyof typeof API_BASES;
export const API_NAMES = Object.keys(API_BASES) as ApiName[];

export const PATHS = {
  serviceOrder: (id: string) => `${API_BASES.serviceOrdering}/serviceOrder/${id}`,
  cancelServiceOrder: (id: string) => `${API_BASES.serviceOrdering}/cancelServiceOrder/${id}`,
  activationService: (id: string) => `${API_BASES.serviceActivation}/service/${id}`,
  monitor: (id: string) => `${API_BASES.serviceActivation}/monitor/${id}`,
  inventoryService: (id: string) => `${API_BASES.serviceInventory}/service/${id}`,
  hub: (api: ApiName, id: string) => `${API_BASES[api]}/hub/${id}`,
} as const;
