/**
 * RFC 6241 edit-config semantics on the simulator's XML tree, as pure functions. Supports the
 * operations merge, replace, create, delete, remove and none; list entries are matched by a key
 * leaf. Leaf-lists, ordered-by-user and insert attributes are not simulated.
 */
import { NETCONF_BASE_NS, childElements, textOf, type XmlElement, type XmlNode } from '../../adapters/netconf/xml-tree.js';

export type EditOperation = 'merge' | 'replace' | 'create' | 'delete' | 'remove' | 'none';
const OPERATIONS = new Set<string>(['merge', 'replace', 'create', 'delete', 'remove', 'none']);

/** An rpc-error to send back; thrown by the pure functions, answered by the session. */
export class SimRpcError extends Error {
  constructor(
    readonly tag: string,
    message: string,
    readonly type: string = 'application',
    readonly path?: string,
    readonly info?: XmlNode[],
  ) {
    super(message);
    this.name = 'SimRpcError';
  }
}

export interface SchemaHints {
  /** List element name -> key leaf name. Unlisted elements use their first child element as key when it is a leaf. */
  listKeys: Record<string, string>;
}

export function isLeaf(element: XmlElement): boolean {
  return childElements(element).length === 0;
}

/** The key leaf name for a list entry, or undefined for a container or leaf. */
function keyName(element: XmlElement, hints: SchemaHints): string | undefined {
  const configured = hints.listKeys[element.name];
  if (configured !== undefined) return configured;
  const first = childElements(element)[0];
  return first && isLeaf(first) ? first.name : undefined;
}

function keyValue(element: XmlElement, key: string): string | undefined {
  const leaf = childElements(element).find((c) => c.name === key);
  return leaf ? textOf(leaf).trim() : undefined;
}

function sameName(a: XmlElement, b: XmlElement): boolean {
  return a.name === b.name && a.ns === b.ns;
}

/** The existing sibling an edit element addresses: same name, and same key value for list entries. */
export function findMatch(siblings: XmlElement[], edit: XmlElement, hints: SchemaHints): XmlElement | undefined {
  const key = keyName(edit, hints);
  const wanted = key === undefined ? undefined : keyValue(edit, key);
  return siblings.find((s) => sameName(s, edit) && (key === undefined || wanted === undefined || keyValue(s, key) === wanted));
}

function pathOf(parentPath: string, element: XmlElement, hints: SchemaHints): string {
  const key = keyName(element, hints);
  const value = key === undefined ? undefined : keyValue(element, key);
  return `${parentPath}/${element.name}${value === undefined || key === undefined ? '' : `[${key}='${value}']`}`;
}

function operationOf(element: XmlElement, inherited: EditOperation, path: string): EditOperation {
  const attr = element.attrs.find((a) => a.name === 'operation' && a.ns === NETCONF_BASE_NS);
  if (!attr) return inherited;
  if (!OPERATIONS.has(attr.value)) throw new SimRpcError('bad-attribute', `unknown operation "${attr.value}"`, 'application', path);
  return attr.value as EditOperation;
}

/** A copy fit for storage: operation attributes dropped, whitespace between elements dropped. */
export function cleanCopy(element: XmlElement): XmlElement {
  const elements = childElements(element);
  return {
    ...element,
    attrs: element.attrs.filter((a) => a.ns !== NETCONF_BASE_NS),
    children: elements.length > 0 ? elements.map(cleanCopy) : element.children.filter((c) => typeof c === 'string'),
  };
}

export function cloneTree(element: XmlElement): XmlElement {
  return { ...element, attrs: element.attrs.map((a) => ({ ...a })), children: element.children.map((c) => (typeof c === 'string' ? c : cloneTree(c))) };
}

/** Whether any element below asks for a change (used where the parent level does not exist). */
function requestsChange(element: XmlElement, path: string): boolean {
  return childElements(element).some((c) => {
    const op = operationOf(c, 'none', path);
    return (op !== 'none' && op !== 'remove') || requestsChange(c, path);
  });
}

/** A node being created: its subtree must not ask to delete anything, which cannot exist yet. */
function createdCopy(edit: XmlElement, path: string, hints: SchemaHints): XmlElement {
  for (const child of childElements(edit)) {
    const childPath = pathOf(path, child, hints);
    const op = operationOf(child, 'merge', childPath);
    if (op === 'delete') throw new SimRpcError('data-missing', 'cannot delete data that does not exist', 'application', childPath);
    createdCopy(child, childPath, hints);
  }
  const copy = cleanCopy(edit);
  copy.children = childElements(edit)
    .filter((c) => {
      const op = operationOf(c, 'merge', path);
      return op !== 'remove' && op !== 'delete';
    })
    .map((c) => createdCopy(c, pathOf(path, c, hints), hints));
  if (copy.children.length === 0) copy.children = edit.children.filter((c) => typeof c === 'string');
  return copy;
}

function applyChildren(parent: XmlElement, edits: XmlElement[], inherited: EditOperation, parentPath: string, hints: SchemaHints): void {
  for (const edit of edits) {
    const path = pathOf(parentPath, edit, hints);
    const op = operationOf(edit, inherited, path);
    const existing = childElements(parent);
    const match = findMatch(existing, edit, hints);
    switch (op) {
      case 'create':
        if (match) throw new SimRpcError('data-exists', 'data already exists', 'application', path);
        parent.children.push(createdCopy(edit, path, hints));
        break;
      case 'delete':
      case 'remove':
        if (!match) {
          if (op === 'delete') throw new SimRpcError('data-missing', 'cannot delete data that does not exist', 'application', path);
          break;
        }
        parent.children = parent.children.filter((c) => c !== match);
        break;
      case 'replace':
        if (match) parent.children[parent.children.indexOf(match)] = createdCopy(edit, path, hints);
        else parent.children.push(createdCopy(edit, path, hints));
        break;
      case 'merge':
        if (!match) parent.children.push(createdCopy(edit, path, hints));
        else if (isLeaf(edit)) match.children = edit.children.filter((c) => typeof c === 'string');
        else applyChildren(match, childElements(edit), op, path, hints);
        break;
      case 'none':
        if (match) applyChildren(match, childElements(edit), op, path, hints);
        else if (requestsChange(edit, path)) throw new SimRpcError('data-missing', 'parent data does not exist', 'application', path);
        break;
    }
  }
}

/**
 * Applies the `<config>` element of an edit-config to a datastore root, returning the new root.
 * The input is never modified, so a failed edit leaves the datastore as it was.
 */
export function applyEditConfig(datastore: XmlElement, config: XmlElement, defaultOperation: EditOperation, hints: SchemaHints): XmlElement {
  const next = cloneTree(datastore);
  applyChildren(next, childElements(config), defaultOperation, '', hints);
  return next;
}
