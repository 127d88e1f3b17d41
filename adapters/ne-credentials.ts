import type { CredentialFieldName } from './registry.js';

/**
 * Resolved secrets for one NE: the fields the registered drivers declare (`username`, `password`,
 * `privateKey`, `passphrase`, SNMP's `community`, `authKey`, `privKey`). Lives in memory only:
 * never in job data, events or logs.
 */
export type NeCredentials = { [F in CredentialFieldName]?: string };
