import { childElements, NETCONF_BASE_NS, parseNetconfContent, serializeNodes, textOf, type XmlElement } from './xml-tree.js';

/**
 * For a NETCONF change that replaces one subtree (`nc:operation="replace"`) and declares no
 * undo: the subtree filter that reads exactly that subtree from running, and, from what the
 * reply holds, the change that restores it (the device's own subtree, replaced back; or, when
 * there was none, its removal). Pure.
 *
 * A list entry is selected by its key, which RFC 7950 (7.8.5) encodes first among its children:
 * the first child leaf of the replaced element and of each ancestor is taken as its key.
 */
export interface PriorSubtree {
  filterXml: string;
  /** The change that puts back what `dataXml` (a get-config reply's data) held there. */
  restore(dataXml: string): string;
}

function isLeaf(element: XmlElement): boolean {
  return childElements(element).length === 0;
}

/** The element reduced to its name and key: a selection node, or a content match on the key. */
function selector(element: XmlElement): XmlElement {
  const [first] = childElements(element);
  const key = first && isLeaf(first) && textOf(first).trim() !== '' ? [{ ...first, attrs: [], children: [textOf(first).trim()] }] : [];
  return { ns: element.ns, prefix: null, name: element.name, attrs: [], children: key };
}

function operationOf(element: XmlElement): string | undefined {
  return element.attrs.find((a) => a.name === 'operation' && a.ns === NETCONF_BASE_NS)?.value;
}

/** The path to the one element the change replaces, or undefined if it replaces none or several. */
function replacedPath(root: XmlElement): XmlElement[] | undefined {
  const found: XmlElement[][] = [];
  const walk = (element: XmlElement, path: XmlElement[]): void => {
    for (const child of childElements(element)) {
      if (operationOf(child) === 'replace') found.push([...path, child]);
      else walk(child, [...path, child]);
    }
  };
  walk(root, []);
  return found.length === 1 ? found[0] : undefined;
}

/** Wraps `leaf` in the selectors of `ancestors`, outermost first. */
function nest(ancestors: XmlElement[], leaf: XmlElement): XmlElement {
  return ancestors.reduceRight<XmlElement>((inner, ancestor) => {
    const sel = selector(ancestor);
    return { ...sel, children: [...sel.children, inner] };
  }, leaf);
}

/** Same name, namespace and key as `wanted`. */
function sameEntry(candidate: XmlElement, wanted: XmlElement): boolean {
  if (candidate.name !== wanted.name || candidate.ns !== wanted.ns) return false;
  const [key] = selector(wanted).children;
  if (key === undefined || typeof key === 'string') return true;
  const found = childElements(candidate).find((c) => c.name === key.name && c.ns === key.ns);
  return found !== undefined && textOf(found).trim() === textOf(key).trim();
}

function withOperation(element: XmlElement, operation: string): XmlElement {
  return { ...element, attrs: [...element.attrs.filter((a) => !(a.name === 'operation' && a.ns === NETCONF_BASE_NS)), { ns: NETCONF_BASE_NS, prefix: 'nc', name: 'operation', value: operation }] };
}

export function priorSubtree(configXml: string): PriorSubtree | undefined {
  let root: XmlElement;
  try {
    root = parseNetconfContent(configXml, 'config');
  } catch {
    return undefined;
  }
  const path = replacedPath(root);
  if (!path) return undefined;
  const ancestors = path.slice(0, -1);
  const target = path[path.length - 1] as XmlElement;
  return {
    filterXml: serializeNodes([nest(ancestors, selector(target))]),
    restore(dataXml: string): string {
      let node: XmlElement | undefined = parseNetconfContent(dataXml, 'data');
      // Prefixes the reply declared above the subtree (an identity's `ianaift:`) go with it.
      const declared: XmlElement['attrs'] = [];
      for (const step of path) {
        declared.push(...(node?.attrs ?? []).filter((a) => a.prefix === 'xmlns' && a.name !== 'nc' && !declared.some((d) => d.name === a.name)));
        node = node ? childElements(node).find((c) => sameEntry(c, step)) : undefined;
      }
      // What running held there, replaced back; or, when it held nothing, removed.
      const restored = node ? withOperation({ ...node, attrs: [...declared.filter((d) => !node?.attrs.some((a) => a.prefix === 'xmlns' && a.name === d.name)), ...node.attrs] }, 'replace') : withOperation(selector(target), 'remove');
      return serializeNodes([nest(ancestors, restored)]);
    },
  };
}
