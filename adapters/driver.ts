import type { Logger } from 'pino';
import type { z } from 'zod';
import type { NeBase } from './ne-base.js';
import type { NeAdapter } from './ne-adapter.js';
import type { NeCredentials } from './ne-credentials.js';
import type { NetworkElement } from './network-element.js';

/**
 * One protocol driver as the fleet sees it (Netmiko's CLASS_MAPPER entry, NAPALM's driver):
 * everything the protocol knows, in its folder `adapters/<protocol>/`, listed once in
 * adapters/registry.ts. The NE schema, the catalog's step schema, the ChangeSet and Check
 * types and the adapter factory are all derived from the registered descriptors.
 *
 * A descriptor is pure: the core (catalog/, inventory/) imports it for its schemas and its
 * renderer, so it must not import ssh2, net-snmp, node:net or node:fs, even transitively. Its
 * I/O half is reached only through `createAdapter`, which loads the adapter module with a
 * dynamic `import()`.
 */

/** The types one driver fills in; the descriptor's members are typed by them. */
export interface DriverTypes {
  /** The NE's and the catalog step's `protocol` value (`ssh-cli`). */
  protocol: string;
  /** The key of the driver's profile in an NE entry (`ssh`). */
  profileKey: string;
  /** The NE profile schema: an object schema whose every field has a default, so `{}` parses. */
  profile: z.ZodType;
  /** The catalog change field's schema (the `lines` of a step's apply and undo). */
  changeTemplate: z.ZodType;
  /** The catalog test fields this protocol reads; each optional (the test schema merges every driver's). */
  testShape: z.ZodRawShape;
  /** A change as rendered, what the adapter pushes: `{ protocol, ... }`. */
  change: { protocol: string };
  /** A post-activation check as rendered. */
  check: { protocol: string };
  /** The credential fields the driver reads (`username`, `community`). */
  secret: string;
}

/**
 * What the protocol (and its adapter) can do: the workers ask these, never the protocol name.
 * A driver that cannot do something says false, and the adapter leaves the matching optional
 * NeAdapter method out.
 */
export interface DriverCapabilities {
  /**
   * The device takes a change whole or not at all (a NETCONF commit, one SNMP SET PDU). False
   * when it is applied piece by piece (CLI lines one by one): a run that dies mid-change may
   * leave part of it, so the fleet takes that part back before sending the change again.
   */
  atomicApply: boolean;
  /** Changes are staged in a candidate datastore and committed (NETCONF :candidate). */
  candidateDatastore: boolean;
  /** A change can be committed to revert by itself unless confirmed (applyConfirmed/confirm/cancel). */
  confirmedCommit: boolean;
  /** What a change overwrites can be read first, as the undo of a step that declares none (readPrior). */
  readPrior: boolean;
  /** Several changes can be grouped into one all-or-nothing transaction on the device. */
  transactions: boolean;
}

/** One credential field: its name, the env suffix for `env:PREFIX` and the file name for `file:/dir`. */
export interface CredentialField<F extends string = string> {
  field: F;
  env: string;
  file: string;
  /** A secret (password, key, community) is redacted from every log line; a user name is not. */
  secret: boolean;
}

/**
 * Template rendering, bound by the catalog to one item's values: drivers render through it and
 * never import the template engine (the catalog imports drivers, not the other way round).
 */
export interface TemplateRender {
  /** One text template; `where` names it in errors (`spec.add.step.apply.lines[0]`). */
  text(template: string, where: string): string;
  /** A YAML tree to escaped XML, every string leaf rendered. */
  xml(tree: Record<string, unknown>, where: string): string;
}

/** How a failed check reads in the item's error: `<what> should [not ]show <expected>`. */
export interface CheckWords {
  what: string;
  expected: string;
}

/** What an adapter module is given; each adapter names its NE in its own log lines. */
export interface AdapterOptions {
  log?: Logger;
}

/** The catalog entries' part of a driver: its step change field and its test fields. */
export interface CatalogForm<T extends DriverTypes> {
  /** The field of a step's apply and undo this protocol uses (`lines`, `varbinds`, `config`). */
  changeField: string;
  changeTemplate: T['changeTemplate'];
  testShape: T['testShape'];
  /** Test fields that only this protocol may use: another protocol's test naming one is refused. */
  exclusiveTestFields?: readonly string[];
  /** What a test of this protocol needs, for the error when it lacks it (`oid and equals`). */
  testNeeds: string;
}

/** The parsed test of one catalog step, as this driver reads it (the merged schema's object). */
export type TestTemplateOf<T extends DriverTypes> = z.output<z.ZodObject<T['testShape']>>;

/** The NE as this driver's hooks see it: the shared fields and its own profile. */
export type NeWithProfile<T extends DriverTypes> = NeBase & Record<T['profileKey'], z.output<T['profile']>>;

export interface Driver<T extends DriverTypes> {
  readonly protocol: T['protocol'];
  /** How people name the protocol (`SSH CLI`), for listings. */
  readonly title: string;
  readonly profileKey: T['profileKey'];
  readonly profile: T['profile'];
  readonly capabilities: DriverCapabilities;
  readonly credentials: readonly CredentialField<T['secret']>[];
  readonly catalog: CatalogForm<T>;

  /** Template filters this protocol's catalog entries use (`oid_index`), by name; registered for every template. */
  readonly templateFilters?: Readonly<Record<string, (value: unknown) => string>>;

  /** Checks across the NE's fields that the profile schema alone cannot (only for NEs of this protocol). */
  refineNe?(ne: NeWithProfile<T>, ctx: z.RefinementCtx): void;

  /** Whether a catalog test has what this protocol needs (else: `a <protocol> test needs <testNeeds>`). */
  isCompleteTest(test: TestTemplateOf<T>): boolean;

  /** One step's apply or undo, rendered. */
  renderChange(template: z.output<T['changeTemplate']>, render: TemplateRender, where: string): T['change'];
  /** One catalog test, rendered: one check or several (one per expected line). */
  renderTest(test: TestTemplateOf<T>, render: TemplateRender, where: string): Array<T['check']>;

  /** A check in a few words, for the audit's drift report (`show bgp within "router bgp 1" shows line "x"`). */
  describeCheck(check: T['check']): string;
  /** A failed check's words for the item's error message. */
  checkWords(check: T['check']): CheckWords;
  /** Whether the check asks for absence (the message says `should not show`). */
  checkAbsent(check: T['check']): boolean;

  /**
   * Whether this NE's changes go into an order's commit window (confirmed commits): `auto` when
   * the device's hello decides. Absent: never (the driver has no confirmed commit).
   */
  commitWindowMode?(ne: NeWithProfile<T>): boolean | 'auto';

  /** Opens nothing: builds the adapter for one NE (its module is loaded on first use). */
  createAdapter(ne: NetworkElement, secrets: NeCredentials, options: AdapterOptions): Promise<NeAdapter>;
}

/** Any registered driver, its types erased: what generic code (the planner, the factory) holds. */
export type AnyDriver = Driver<DriverTypes>;
