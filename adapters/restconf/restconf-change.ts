import { NeError } from '../../errors/index.js';

/**
 * What the RESTCONF driver pushes and checks, rendered from the catalog. Paths are RFC 8040
 * data-resource identifiers relative to `{+restconf}/data`, e.g.
 * `example-porting:ported-numbers/ported-number=447700900123` (key values percent-encoded,
 * RFC 8040 3.5.3); values are RFC 7951 JSON, wrapped in the target's qualified name as a
 * RESTCONF PUT body is (`{ "example-porting:ported-number": [{ ... }] }`).
 */

/** RFC 8072 edit operations (`move` and `insert` aside: the driver orders nothing). */
export const RESTCONF_OPERATIONS = ['create', 'merge', 'replace', 'delete', 'remove'] as const;
export type RestconfOperation = (typeof RESTCONF_OPERATIONS)[number];

export interface RestconfEdit {
  operation: RestconfOperation;
  path: string;
  /** The new value for create, merge and replace; none for delete and remove. */
  value?: Record<string, unknown>;
}

export interface RestconfChange {
  protocol: 'restconf';
  /** Applied together: one YANG Patch, all or nothing on the device. */
  edits: RestconfEdit[];
}

/**
 * A GET of `path` (configuration only). `absent`: the resource must not exist. Otherwise it must
 * exist and, given `field` (member names below the resource, `/`-separated, list entries by
 * their first match), that member must equal `equals` (compared as strings); every `contains`
 * text must appear in the reply.
 */
export interface RestconfCheck {
  protocol: 'restconf';
  path: string;
  field?: string;
  equals?: string | number | boolean;
  contains?: string[];
  absent?: boolean;
}

/**
 * Characters an RFC 8040 path may hold here: identifiers, `:` `/` `=` `,` and percent escapes.
 * Everything else (spaces, `?`, `#`, `..`, a scheme) would let a rendered value leave the data tree.
 */
const PATH = /^[A-Za-z_][A-Za-z0-9_.-]*:[A-Za-z_][A-Za-z0-9_.-]*(=[A-Za-z0-9_.~%,-]*)?(\/([A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z_][A-Za-z0-9_.-]*(=[A-Za-z0-9_.~%,-]*)?)*$/;

/** Throws UNSAFE_DEVICE_INPUT unless `path` is a data-resource identifier starting with a module-qualified name. */
export function assertDataPath(neId: string, path: string): string {
  if (path.length > 1024 || !PATH.test(path) || /%(?![0-9A-Fa-f]{2})/.test(path)) {
    throw new NeError('UNSAFE_DEVICE_INPUT', neId, `not an RFC 8040 data resource path: ${JSON.stringify(path.slice(0, 200))}`);
  }
  return path;
}

/** Percent-encodes a list key value for a path (RFC 8040 3.5.3): what a template's `restconf_key` filter does. */
export function encodeKey(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Whether `ancestor` is `path` or one of its ancestors (segment-wise). */
export function coversPath(ancestor: string, path: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}
