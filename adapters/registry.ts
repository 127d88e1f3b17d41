import type { AnyDriver, CredentialField, Driver, DriverCapabilities } from './driver.js';
import type { NetworkElement } from './network-element.js';
import { netconfDriver } from './netconf/driver.js';
import { restconfDriver } from './restconf/driver.js';
import { snmpDriver } from './snmp/driver.js';
import { sshCliDriver } from './ssh-cli/driver.js';

/**
 * Every protocol driver the fleet knows, one line each. The NE schema (adapters/network-element.ts),
 * the catalog's step schema (catalog/service-specification.ts), the ChangeSet and Check types
 * (adapters/change-set.ts), the credential fields, the log redaction and the adapter factory are
 * all derived from this list: a new protocol is its folder `adapters/<protocol>/` and one line
 * here. The order is the order of the NE profiles and of the catalog's fields.
 *
 * Pure: each descriptor loads its I/O adapter module only in `createAdapter` (a dynamic import),
 * so catalog/ and inventory/ may import this module without pulling ssh2 or net-snmp.
 */
export const DRIVERS = [
  sshCliDriver,
  snmpDriver,
  netconfDriver,
  restconfDriver,
] as const;

export type RegisteredDriver = (typeof DRIVERS)[number];
export type NeProtocol = RegisteredDriver['protocol'];
/** The types a registered driver was declared with. */
export type DriverTypesOf<D> = D extends Driver<infer T> ? T : never;

export const NE_PROTOCOLS = DRIVERS.map((driver) => driver.protocol) as readonly NeProtocol[] as readonly [NeProtocol, ...NeProtocol[]];

const byProtocol: ReadonlyMap<string, AnyDriver> = new Map<string, AnyDriver>(DRIVERS.map((driver): [string, AnyDriver] => [driver.protocol, driver]));

/** The driver of a protocol, or undefined for one no driver is registered for. */
export function driverOf(protocol: string): AnyDriver | undefined {
  return byProtocol.get(protocol);
}

/** The driver of a protocol a schema has already checked (an NE's, a parsed step's). */
export function driverFor(protocol: NeProtocol): AnyDriver {
  const driver = byProtocol.get(protocol);
  if (driver === undefined) throw new Error(`no driver is registered for protocol ${protocol}`);
  return driver;
}

/** What an NE of this protocol can do: workers ask this rather than branch on the protocol. */
export function capabilitiesOf(protocol: NeProtocol): DriverCapabilities {
  return driverFor(protocol).capabilities;
}

/**
 * Whether an NE's changes go into an order's commit window (confirmed commits): `auto` when the
 * device's hello decides. False for a driver without confirmed commits, whatever the NE says.
 */
export function commitWindowModeOf(ne: NetworkElement): boolean | 'auto' {
  const driver = driverFor(ne.protocol);
  return driver.capabilities.confirmedCommit ? (driver.commitWindowMode?.(ne) ?? false) : false;
}

export type CredentialFieldName = DriverTypesOf<RegisteredDriver>['secret'];

/** Every credential field of every driver, once each, in registry order (a resolver reads them all). */
export const CREDENTIAL_FIELDS: ReadonlyArray<CredentialField<CredentialFieldName>> = DRIVERS.flatMap((driver): ReadonlyArray<CredentialField<CredentialFieldName>> => driver.credentials).filter(
  (field, i, all) => all.findIndex((other) => other.field === field.field) === i,
);
