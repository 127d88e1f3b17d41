/**
 * Reads the two kinds of message a NETCONF server sends: its `<hello>` and `<rpc-reply>`.
 * Pure functions; a message that is not what the protocol allows raises
 * `NetconfProtocolViolation`, which the client turns into NE_PROTOCOL_ERROR.
 */
import type { RpcErrorFields } from '../../errors/index.js';
import { NETCONF_BASE_NS, XmlSyntaxError, attrValue, childElements, findChild, parseXml, serializeNodes, textOf, type XmlElement } from './xml-tree.js';

export class NetconfProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetconfProtocolViolation';
  }
}

export interface ServerHello {
  capabilities: string[];
  sessionId: number;
}

export interface RpcReply {
  /** Absent only in the rare reply to a message the server could not parse at all. */
  messageId: string | undefined;
  ok: boolean;
  /** Every rpc-error, warnings included, with all fields as sent. */
  rpcErrors: RpcErrorFields[];
  /** The `<data>` element of a get/get-config reply. */
  data: XmlElement | undefined;
  /** The content of `<data>` re-serialized, every element carrying its namespace. */
  dataXml: string | undefined;
}

function parseRoot(xml: string, expected: string): XmlElement {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new NetconfProtocolViolation(`malformed XML from server: ${error.message}`);
    throw error;
  }
  if (root.name !== expected || root.ns !== NETCONF_BASE_NS) {
    throw new NetconfProtocolViolation(`expected <${expected}> in ${NETCONF_BASE_NS}, got <${root.name}> in ${root.ns ?? 'no namespace'}`);
  }
  return root;
}

export function parseServerHello(xml: string): ServerHello {
  const root = parseRoot(xml, 'hello');
  const capabilitiesElement = findChild(root, 'capabilities');
  const capabilities = capabilitiesElement
    ? childElements(capabilitiesElement)
        .filter((c) => c.name === 'capability')
        .map((c) => textOf(c).trim())
        .filter((uri) => uri.length > 0)
    : [];
  if (capabilities.length === 0) throw new NetconfProtocolViolation('server hello announces no capabilities');
  const sessionIdElement = findChild(root, 'session-id');
  const sessionIdText = sessionIdElement ? textOf(sessionIdElement).trim() : '';
  // RFC 6241 8.1: a server hello without a valid session-id is a protocol error.
  if (!/^[1-9]\d{0,9}$/.test(sessionIdText)) throw new NetconfProtocolViolation(`invalid session-id in server hello: "${sessionIdText}"`);
  return { capabilities, sessionId: Number(sessionIdText) };
}

function optionalText(parent: XmlElement, name: string): string | undefined {
  const child = findChild(parent, name);
  return child ? textOf(child).trim() : undefined;
}

export function parseRpcError(element: XmlElement): RpcErrorFields {
  const fields: RpcErrorFields = {
    errorType: optionalText(element, 'error-type') ?? '',
    errorTag: optionalText(element, 'error-tag') ?? '',
    errorSeverity: optionalText(element, 'error-severity') ?? 'error',
  };
  const appTag = optionalText(element, 'error-app-tag');
  if (appTag !== undefined) fields.errorAppTag = appTag;
  const path = optionalText(element, 'error-path');
  if (path !== undefined) fields.errorPath = path;
  const message = optionalText(element, 'error-message');
  if (message !== undefined) fields.errorMessage = message;
  const info = findChild(element, 'error-info');
  if (info) {
    const hasElements = childElements(info).length > 0;
    fields.errorInfo = hasElements ? serializeNodes(childElements(info)) : textOf(info).trim();
  }
  return fields;
}

export function parseRpcReply(xml: string): RpcReply {
  const root = parseRoot(xml, 'rpc-reply');
  const data = findChild(root, 'data');
  return {
    messageId: attrValue(root, 'message-id'),
    ok: findChild(root, 'ok') !== undefined,
    rpcErrors: childElements(root)
      .filter((c) => c.name === 'rpc-error')
      .map(parseRpcError),
    data,
    dataXml: data ? serializeNodes(data.children.filter((c) => typeof c !== 'string' || c.trim() !== '')) : undefined,
  };
}

/** rpc-errors that fail the operation; warnings do not. */
export function failingErrors(reply: RpcReply): RpcErrorFields[] {
  return reply.rpcErrors.filter((e) => e.errorSeverity !== 'warning');
}
