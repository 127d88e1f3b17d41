/**
 * A small namespace-aware XML tree shared by the NETCONF client and its simulator. Parsing goes
 * through fast-xml-parser's validator first (xmlbuilder2's own parser is lenient and would accept
 * unbalanced tags) and then xmlbuilder2's DOM, which resolves namespaces. Serializing goes
 * through xmlbuilder2 so every text and attribute value is escaped by the library.
 */
import { XMLValidator } from 'fast-xml-parser';
import { create, fragment } from 'xmlbuilder2';

export const NETCONF_BASE_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface XmlAttribute {
  ns: string | null;
  prefix: string | null;
  name: string;
  value: string;
}

export interface XmlElement {
  ns: string | null;
  prefix: string | null;
  name: string;
  attrs: XmlAttribute[];
  children: XmlNode[];
}

/** A text node is a plain string. */
export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

/** The slice of the DOM that xmlbuilder2 exposes and this module reads. */
interface DomNode {
  nodeType: number;
  childNodes: Iterable<DomNode>;
  data?: string;
  localName?: string;
  namespaceURI?: string | null;
  prefix?: string | null;
  attributes?: Iterable<{ namespaceURI: string | null; prefix: string | null; localName: string; value: string }>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_NODE = 4;

/**
 * Parses one XML document (optional declaration, one root element). DTDs are refused outright:
 * NETCONF never needs them, and entity expansion is a classic memory attack.
 */
export function parseXml(xml: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlSyntaxError('DTDs are not allowed');
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw new XmlSyntaxError(`${validation.err.msg} (line ${validation.err.line}, column ${validation.err.col})`);
  }
  let root: DomNode;
  try {
    root = create(xml).root().node as unknown as DomNode;
  } catch (error) {
    throw new XmlSyntaxError(error instanceof Error ? error.message : String(error));
  }
  return fromDom(root);
}

function fromDom(node: DomNode): XmlElement {
  const element: XmlElement = {
    ns: node.namespaceURI ?? null,
    prefix: node.prefix ?? null,
    name: node.localName ?? '',
    attrs: [],
    children: [],
  };
  for (const attr of node.attributes ?? []) {
    // Default declarations are regenerated from element namespaces on output. Prefixed ones are
    // kept: a YANG identityref value (`ianaift:ethernetCsmacd`) names its prefix in text, which
    // no serializer can see, and the server resolves it against the declarations in scope.
    if (attr.namespaceURI === XMLNS_NS && attr.prefix !== 'xmlns') continue;
    element.attrs.push({ ns: attr.namespaceURI, prefix: attr.prefix, name: attr.localName, value: attr.value });
  }
  for (const child of node.childNodes) {
    if (child.nodeType === ELEMENT_NODE) element.children.push(fromDom(child));
    else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_NODE) element.children.push(child.data ?? '');
  }
  return element;
}

/** An element in the NETCONF base namespace, for building protocol messages. */
export function ncElement(name: string, children: XmlNode[] = [], attrs: Record<string, string> = {}): XmlElement {
  return {
    ns: NETCONF_BASE_NS,
    prefix: null,
    name,
    attrs: Object.entries(attrs).map(([attrName, value]) =>
      attrName.startsWith('xml:') ? { ns: XML_NS, prefix: 'xml', name: attrName.slice(4), value } : { ns: null, prefix: null, name: attrName, value },
    ),
    children,
  };
}

interface BuilderLike {
  ele(namespace: string | null, name: string): BuilderLike;
  att(namespace: string | null, name: string, value: string): BuilderLike;
  txt(text: string): BuilderLike;
}

function appendTo(parent: BuilderLike, node: XmlNode): void {
  if (typeof node === 'string') {
    if (node.length > 0) parent.txt(node);
    return;
  }
  const child = parent.ele(node.ns, node.prefix ? `${node.prefix}:${node.name}` : node.name);
  for (const attr of node.attrs) child.att(attr.ns, attr.prefix ? `${attr.prefix}:${attr.name}` : attr.name, attr.value);
  for (const grandChild of node.children) appendTo(child, grandChild);
}

/** A whole document with the XML declaration, as NETCONF messages are sent. */
export function serializeDocument(root: XmlElement): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  appendTo(doc as unknown as BuilderLike, root);
  return doc.end({ headless: false });
}

/** A sequence of nodes (e.g. the content of `<data>`), each element carrying its own namespace. */
export function serializeNodes(nodes: XmlNode[]): string {
  const frag = fragment();
  for (const node of nodes) appendTo(frag as unknown as BuilderLike, node);
  return frag.end();
}

export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string');
}

/** First child with that local name (namespace-agnostic, as servers vary in prefixes). */
export function findChild(element: XmlElement, name: string): XmlElement | undefined {
  return childElements(element).find((c) => c.name === name);
}

export function textOf(element: XmlElement): string {
  return element.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** An attribute by local name (in any namespace unless `ns` is given); namespace declarations never match. */
export function attrValue(element: XmlElement, name: string, ns: string | null = null): string | undefined {
  return element.attrs.find((a) => a.name === name && a.ns !== XMLNS_NS && (ns === null ? true : a.ns === ns))?.value;
}

/**
 * Parses an XML fragment (any number of root elements) as the content of a wrapper element that
 * declares the NETCONF base namespace both as default and as `nc:`, so templates may use
 * `nc:operation` without declaring the prefix themselves.
 */
export function parseNetconfContent(content: string, wrapperName: string): XmlElement {
  return parseXml(`<${wrapperName} xmlns="${NETCONF_BASE_NS}" xmlns:nc="${NETCONF_BASE_NS}">${content}</${wrapperName}>`);
}
