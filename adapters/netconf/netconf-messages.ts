/**
 * Builds NETCONF protocol messages (RFC 6241) as XML text. Values go in as text nodes and are
 * escaped by xmlbuilder2; caller-provided XML (config, filters) is parsed and re-serialized,
 * never pasted, so a malformed template fails here instead of on the device.
 */
import { ncElement, parseNetconfContent, serializeDocument, type XmlElement, type XmlNode } from './xml-tree.js';

export const CAP_BASE_1_0 = 'urn:ietf:params:netconf:base:1.0';
export const CAP_BASE_1_1 = 'urn:ietf:params:netconf:base:1.1';
export const CAP_CANDIDATE = 'urn:ietf:params:netconf:capability:candidate:1.0';
export const CAP_CONFIRMED_COMMIT_1_1 = 'urn:ietf:params:netconf:capability:confirmed-commit:1.1';
export const CAP_VALIDATE_1_1 = 'urn:ietf:params:netconf:capability:validate:1.1';
export const CAP_WRITABLE_RUNNING = 'urn:ietf:params:netconf:capability:writable-running:1.0';

export type Datastore = 'running' | 'candidate' | 'startup';
export type DefaultOperation = 'merge' | 'replace' | 'none';
export type TestOption = 'test-then-set' | 'set' | 'test-only';
export type ErrorOption = 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';

export interface EditConfigRequest {
  target: Datastore;
  /** The content of `<config>`, as XML. */
  configXml: string;
  defaultOperation?: DefaultOperation;
  testOption?: TestOption;
  errorOption?: ErrorOption;
}

export interface CommitRequest {
  confirmed?: boolean;
  /** Seconds before an unconfirmed confirmed-commit is rolled back (server default 600). */
  confirmTimeoutS?: number;
  /** Makes the confirmed commit survive the session; the later confirming commit names it. */
  persist?: string;
  /** Confirms (or, with cancel-commit, cancels) the confirmed commit started with `persist`. */
  persistId?: string;
}

export function helloMessage(capabilities: string[]): string {
  return serializeDocument(ncElement('hello', [ncElement('capabilities', capabilities.map((uri) => ncElement('capability', [uri])))]));
}

export function rpcMessage(messageId: string, operation: XmlElement): string {
  return serializeDocument(ncElement('rpc', [operation], { 'message-id': messageId }));
}

const datastoreElement = (name: string, datastore: Datastore): XmlElement => ncElement(name, [ncElement(datastore)]);
const leaf = (name: string, value: string): XmlElement => ncElement(name, [value]);

export function lockOperation(target: Datastore): XmlElement {
  return ncElement('lock', [datastoreElement('target', target)]);
}

export function unlockOperation(target: Datastore): XmlElement {
  return ncElement('unlock', [datastoreElement('target', target)]);
}

export function editConfigOperation(request: EditConfigRequest): XmlElement {
  const children: XmlNode[] = [datastoreElement('target', request.target)];
  if (request.defaultOperation) children.push(leaf('default-operation', request.defaultOperation));
  if (request.testOption) children.push(leaf('test-option', request.testOption));
  if (request.errorOption) children.push(leaf('error-option', request.errorOption));
  children.push(parseNetconfContent(request.configXml, 'config'));
  return ncElement('edit-config', children);
}

export function validateOperation(source: Datastore): XmlElement {
  return ncElement('validate', [datastoreElement('source', source)]);
}

export function commitOperation(request: CommitRequest = {}): XmlElement {
  const children: XmlNode[] = [];
  if (request.confirmed) {
    children.push(ncElement('confirmed'));
    if (request.confirmTimeoutS !== undefined) {
      if (!Number.isInteger(request.confirmTimeoutS) || request.confirmTimeoutS < 1) {
        throw new RangeError('confirmTimeoutS must be a positive integer');
      }
      children.push(leaf('confirm-timeout', String(request.confirmTimeoutS)));
    }
    if (request.persist !== undefined) children.push(leaf('persist', request.persist));
  }
  if (request.persistId !== undefined) children.push(leaf('persist-id', request.persistId));
  return ncElement('commit', children);
}

export function cancelCommitOperation(persistId?: string): XmlElement {
  return ncElement('cancel-commit', persistId === undefined ? [] : [leaf('persist-id', persistId)]);
}

export function discardChangesOperation(): XmlElement {
  return ncElement('discard-changes');
}

function subtreeFilter(filterXml: string | undefined): XmlElement[] {
  if (filterXml === undefined || filterXml.trim() === '') return [];
  const filter = parseNetconfContent(filterXml, 'filter');
  filter.attrs.push({ ns: null, prefix: null, name: 'type', value: 'subtree' });
  return [filter];
}

export function getConfigOperation(source: Datastore, filterXml?: string): XmlElement {
  return ncElement('get-config', [datastoreElement('source', source), ...subtreeFilter(filterXml)]);
}

export function getOperation(filterXml?: string): XmlElement {
  return ncElement('get', subtreeFilter(filterXml));
}

export function closeSessionOperation(): XmlElement {
  return ncElement('close-session');
}
