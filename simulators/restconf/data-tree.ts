/**
 * The simulator's datastore: RFC 7951 JSON, addressed by RFC 8040 data-resource paths. Written
 * from the RFCs on its own, sharing no code with the driver, so a path or encoding bug on one
 * side is not mirrored on the other. List keys come from the simulator's options (it has no
 * YANG): `{ 'example-porting:ported-number': ['msisdn'] }`.
 */

export type Json = null | boolean | number | string | Json[] | { [member: string]: Json };
export type JsonObject = { [member: string]: Json };
export type ListKeys = Record<string, string[]>;

export interface Segment {
  module: string;
  name: string;
  /** Decoded key values, for a list entry. */
  keys: string[] | undefined;
}

/** A RESTCONF answer: status, error-tag and message, for the errors body. */
export class RestconfFault extends Error {
  constructor(
    readonly status: number,
    readonly tag: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

const SEGMENT = /^(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)(?:=(.*))?$/;

/** Splits `mod:a/b=k1,k2/c` into segments, inheriting the module (RFC 8040 3.5.3). */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  let module: string | undefined;
  for (const raw of path.split('/')) {
    const m = SEGMENT.exec(raw);
    if (!m) throw new RestconfFault(400, 'invalid-value', `bad path segment ${JSON.stringify(raw)}`);
    module = m[1] ?? module;
    if (module === undefined) throw new RestconfFault(400, 'invalid-value', 'the first path segment must be module-qualified');
    const name = m[2] as string;
    let keys: string[] | undefined;
    try {
      keys = m[3] === undefined ? undefined : m[3].split(',').map((k) => decodeURIComponent(k));
    } catch {
      throw new RestconfFault(400, 'invalid-value', `bad percent-encoding in ${JSON.stringify(raw)}`);
    }
    segments.push({ module, name, keys });
  }
  return segments;
}

export const qualified = (s: Segment): string => `${s.module}:${s.name}`;

/** The member name of a child in its parent: qualified at the top or when its module differs (RFC 7951 4). */
function memberName(s: Segment, parentModule: string | undefined): string {
  return parentModule === s.module ? s.name : qualified(s);
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function matchesKeys(entry: Json, keyNames: string[], keys: string[]): boolean {
  return isObject(entry) && keyNames.every((k, i) => String(entry[k]) === keys[i]);
}

/** Where a path points: the parent object, the member, and the list index for an entry. */
export interface Location {
  parent: JsonObject;
  member: string;
  segment: Segment;
  index: number | undefined;
  value: Json | undefined;
}

export class DataTree {
  constructor(
    public root: JsonObject,
    private readonly lists: ListKeys,
  ) {}

  keysOf(s: Segment): string[] {
    const names = this.lists[qualified(s)];
    if (!names) throw new RestconfFault(400, 'invalid-value', `${qualified(s)} is not a known list`);
    if (s.keys && s.keys.length !== names.length) throw new RestconfFault(400, 'invalid-value', `${qualified(s)} takes ${names.length} key value(s)`);
    return names;
  }

  /** Finds the node at `segments`; with `create`, makes missing ancestors (containers and list entries) on the way. */
  locate(segments: Segment[], create: boolean): Location | undefined {
    let parent: JsonObject = this.root;
    let parentModule: string | undefined;
    for (const [i, s] of segments.entries()) {
      const member = memberName(s, parentModule);
      const last = i === segments.length - 1;
      let value: Json | undefined = parent[member];
      let index: number | undefined;
      if (s.keys) {
        const keyNames = this.keysOf(s);
        if (value !== undefined && !Array.isArray(value)) throw new RestconfFault(400, 'invalid-value', `${qualified(s)} is not a list`);
        index = value?.findIndex((e) => matchesKeys(e, keyNames, s.keys as string[]));
        if (index === -1) index = undefined;
        const entry = index === undefined ? undefined : value?.[index];
        if (last) return { parent, member, segment: s, index, value: entry };
        if (entry === undefined) {
          if (!create) return undefined;
          const made: JsonObject = Object.fromEntries(keyNames.map((k, j) => [k, s.keys?.[j] ?? '']));
          parent[member] = [...(value ?? []), made];
          parent = made;
        } else parent = entry as JsonObject;
      } else {
        if (last) return { parent, member, segment: s, index: undefined, value };
        if (value === undefined) {
          if (!create) return undefined;
          value = {};
          parent[member] = value;
        }
        if (!isObject(value)) throw new RestconfFault(400, 'invalid-value', `${qualified(s)} is not a container`);
        parent = value;
      }
      parentModule = s.module;
    }
    return undefined;
  }

  /** The resource as GET shows it: its qualified name around its value (a list entry as a one-entry array). */
  read(path: string): JsonObject | undefined {
    const segments = parsePath(path);
    const at = this.locate(segments, false);
    if (at?.value === undefined) return undefined;
    return { [qualified(at.segment)]: at.segment.keys ? [at.value] : at.value };
  }

  /** The value inside a PUT/POST/patch body, checked against the target (name, and key values for an entry). */
  private unwrap(segment: Segment, body: Json | undefined): Json {
    if (!isObject(body) || Object.keys(body).length !== 1) throw new RestconfFault(400, 'malformed-message', 'the body must hold exactly one member, the target');
    const [name, inner] = Object.entries(body)[0] as [string, Json];
    if (name !== qualified(segment) && name !== segment.name) throw new RestconfFault(400, 'invalid-value', `the body names ${name}, the target is ${qualified(segment)}`);
    if (!segment.keys) return inner;
    if (!Array.isArray(inner) || inner.length !== 1 || !isObject(inner[0])) throw new RestconfFault(400, 'invalid-value', 'a list entry is written as a one-entry array');
    const entry = inner[0];
    if (!matchesKeys(entry, this.keysOf(segment), segment.keys)) throw new RestconfFault(400, 'invalid-value', 'the key values in the body differ from those in the path');
    return entry;
  }

  /** create | merge | replace | delete | remove of one resource (RFC 8072 2.5 semantics). */
  edit(operation: string, path: string, body?: Json): void {
    const segments = parsePath(path);
    const existing = this.locate(segments, false);
    const exists = existing?.value !== undefined;
    if (operation === 'delete' || operation === 'remove') {
      if (!exists) {
        if (operation === 'delete') throw new RestconfFault(409, 'data-missing', 'the resource does not exist', `/${path}`);
        return;
      }
      const { parent, member, index } = existing;
      if (index === undefined) delete parent[member];
      else {
        const list = parent[member] as Json[];
        list.splice(index, 1);
        if (list.length === 0) delete parent[member];
      }
      return;
    }
    if (operation === 'create' && exists) throw new RestconfFault(409, 'data-exists', 'the resource already exists', `/${path}`);
    if (!['create', 'merge', 'replace'].includes(operation)) throw new RestconfFault(400, 'invalid-value', `unknown operation ${operation}`);
    const at = this.locate(segments, true) as Location;
    const value = this.unwrap(at.segment, body);
    const next = operation === 'merge' && exists ? this.merge(at.value as Json, value, at.segment) : value;
    if (at.index !== undefined) (at.parent[at.member] as Json[])[at.index] = next;
    else if (at.segment.keys) at.parent[at.member] = [...((at.parent[at.member] as Json[] | undefined) ?? []), next];
    else at.parent[at.member] = next;
  }

  /** NETCONF merge: containers member by member, lists entry by key, anything else replaced. */
  private merge(target: Json, source: Json, segment: Segment): Json {
    if (!isObject(target) || !isObject(source)) return source;
    const out: JsonObject = { ...target };
    for (const [member, value] of Object.entries(source)) {
      const child: Segment = member.includes(':') ? { module: member.split(':')[0] as string, name: member.split(':')[1] as string, keys: undefined } : { module: segment.module, name: member, keys: undefined };
      const keyNames = this.lists[qualified(child)];
      const current = out[member];
      if (keyNames && Array.isArray(current) && Array.isArray(value)) {
        const merged = [...current];
        for (const entry of value) {
          const keys = keyNames.map((k) => String((entry as JsonObject)[k]));
          const i = merged.findIndex((e) => matchesKeys(e, keyNames, keys));
          if (i === -1) merged.push(entry);
          else merged[i] = this.merge(merged[i] as Json, entry, child);
        }
        out[member] = merged;
      } else out[member] = current === undefined ? value : this.merge(current, value, child);
    }
    return out;
  }
}
