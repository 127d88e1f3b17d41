import type { DriverTypesOf, RegisteredDriver } from './registry.js';

/**
 * What an adapter pushes and checks, already rendered from the catalog: the union of what the
 * registered drivers declare (adapters/<protocol>/*-catalog-form.ts), told apart by `protocol`.
 * Every value here has passed characteristic validation; adapters still refuse control
 * characters as a last guard.
 */
export type ChangeSet = DriverTypesOf<RegisteredDriver>['change'];
export type Check = DriverTypesOf<RegisteredDriver>['check'];

export interface CheckResult {
  passed: boolean;
  /** What the device showed, trimmed, for the item's error message when the check fails. */
  observed: string;
}
