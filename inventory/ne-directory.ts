import type { NetworkElement } from './network-element.js';

/** The NEs a plan may target; the resource inventory implements it. */
export interface NeDirectory {
  get(id: string): NetworkElement | undefined;
  byRole(role: string): NetworkElement[];
}
