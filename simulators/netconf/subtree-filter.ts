/**
 * RFC 6241 section 6 subtree filtering on the simulator's XML tree: containment nodes,
 * content-match nodes and selection nodes. Attribute-match expressions are not simulated.
 * Filter elements without a namespace (or in the NETCONF base namespace, which they inherit from
 * `<filter>`) match data by local name alone.
 */
import { NETCONF_BASE_NS, childElements, textOf, type XmlElement } from '../../adapters/netconf/xml-tree.js';
import { cloneTree } from './edit-config.js';

function nameMatches(filter: XmlElement, data: XmlElement): boolean {
  if (filter.name !== data.name) return false;
  return filter.ns === null || filter.ns === NETCONF_BASE_NS || filter.ns === data.ns;
}

type FilterKind = 'containment' | 'content-match' | 'selection';

function kindOf(filter: XmlElement): FilterKind {
  if (childElements(filter).length > 0) return 'containment';
  return textOf(filter).trim() === '' ? 'selection' : 'content-match';
}

/** The part of `data` (already matched by name) that `filter` selects, or undefined. */
function filterElement(data: XmlElement, filter: XmlElement): XmlElement | undefined {
  const filterChildren = childElements(filter);
  if (filterChildren.length === 0) return cloneTree(data);
  const dataChildren = childElements(data);

  const contentMatches = filterChildren.filter((f) => kindOf(f) === 'content-match');
  for (const match of contentMatches) {
    const wanted = textOf(match).trim();
    if (!dataChildren.some((d) => nameMatches(match, d) && textOf(d).trim() === wanted)) return undefined;
  }
  const others = filterChildren.filter((f) => kindOf(f) !== 'content-match');
  if (others.length === 0) return cloneTree(data);

  const selected = dataChildren.filter((d) => {
    if (contentMatches.some((m) => nameMatches(m, d))) return true;
    return others.some((f) => kindOf(f) === 'selection' && nameMatches(f, d));
  });
  const result: XmlElement = { ...data, children: [] };
  for (const child of dataChildren) {
    if (selected.includes(child)) {
      result.children.push(cloneTree(child));
      continue;
    }
    for (const containment of others.filter((f) => kindOf(f) === 'containment' && nameMatches(f, child))) {
      const kept = filterElement(child, containment);
      if (kept) {
        result.children.push(kept);
        break;
      }
    }
  }
  const onlyKeys = result.children.length === 0 || result.children.every((c) => typeof c !== 'string' && contentMatches.some((m) => nameMatches(m, c)));
  // A containment that selected nothing below drops its parent, unless a content match pinned it.
  if (onlyKeys && contentMatches.length === 0) return undefined;
  return result;
}

/** Applies a `<filter type="subtree">` element to a datastore root; returns the selected top-level elements. */
export function applySubtreeFilter(root: XmlElement, filter: XmlElement | undefined): XmlElement[] {
  if (!filter) return childElements(root).map(cloneTree);
  const selected: XmlElement[] = [];
  for (const data of childElements(root)) {
    for (const f of childElements(filter)) {
      if (!nameMatches(f, data)) continue;
      const kept = filterElement(data, f);
      if (kept) {
        selected.push(kept);
        break;
      }
    }
  }
  return selected;
}
