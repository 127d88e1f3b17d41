/**
 * One NETCONF session on the simulator: the hello exchange, framing switch, and RPCs answered one
 * at a time in arrival order, with the simulator's fault injection applied.
 */
import type { ServerChannel } from 'ssh2';
import { CAP_BASE_1_1 } from '../../adapters/netconf/netconf-messages.js';
import {
  NETCONF_BASE_NS,
  XmlSyntaxError,
  attrValue,
  childElements,
  findChild,
  ncElement,
  parseXml,
  serializeDocument,
  serializeNodes,
  textOf,
  type XmlElement,
  type XmlNode,
} from '../../adapters/netconf/xml-tree.js';
import { SimRpcError } from './edit-config.js';
import type { NetconfServerState, SimRpcRecord } from './netconf-server-state.js';
import { SimFrameReader, frameMessage, type SimFraming } from './sim-framing.js';

export interface SimFaults {
  latencyMs: number;
  failNext: { rpc: string; error: SimInjectedError } | undefined;
  wrongMessageId: boolean;
  dropOnRpc: string | undefined;
}

export interface SimInjectedError {
  tag: string;
  type?: string;
  message?: string;
  path?: string;
}

export interface SimSessionContext {
  sessionId: number;
  capabilities: string[];
  state: NetconfServerState;
  faults: SimFaults;
  /** Drops the whole SSH connection, as a crashing device would. */
  dropConnection: () => void;
  /** Whether the session freezes at this RPC (a hung server): nothing is answered from then on. */
  freezes?: () => boolean;
  /** Called once the RPC ran on the datastores and before its reply goes out: the reply waits for it. */
  onRpc?: () => ((record: SimRpcRecord) => void | Promise<void>) | undefined;
}

function rpcErrorElement(error: { tag: string; type: string; message?: string; path?: string; info?: XmlNode[] }): XmlElement {
  const children: XmlNode[] = [ncElement('error-type', [error.type]), ncElement('error-tag', [error.tag]), ncElement('error-severity', ['error'])];
  if (error.path !== undefined) children.push(ncElement('error-path', [error.path]));
  if (error.message !== undefined) children.push(ncElement('error-message', [error.message], { 'xml:lang': 'en' }));
  if (error.info && error.info.length > 0) children.push(ncElement('error-info', error.info));
  return ncElement('rpc-error', children);
}

/** What the RPC log keeps of an operation: its name, commit parameters and edit-config content. */
function describeRpc(sessionId: number, operation: XmlElement, outcome: string): Omit<SimRpcRecord, 'seq' | 'at' | 'running'> {
  const text = (name: string): string | undefined => {
    const child = findChild(operation, name);
    return child ? textOf(child).trim() : undefined;
  };
  const persist = text('persist');
  const persistId = text('persist-id');
  const config = operation.name === 'edit-config' ? findChild(operation, 'config') : undefined;
  return {
    sessionId,
    rpc: operation.name,
    outcome,
    ...(operation.name === 'commit' ? { confirmed: findChild(operation, 'confirmed') !== undefined } : {}),
    ...(persist !== undefined ? { persist } : {}),
    ...(persistId !== undefined ? { persistId } : {}),
    ...(config ? { config: serializeNodes(childElements(config)) } : {}),
  };
}

export class NetconfSimSession {
  // Framing of the simulator's own (sim-framing.ts), so the client's is tested against another implementation.
  private readonly reader = new SimFrameReader(4 * 1024 * 1024);
  private framing: SimFraming = 'eom';
  private helloReceived = false;
  private queue: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly channel: ServerChannel,
    private readonly context: SimSessionContext,
  ) {
    channel.on('data', (data: Buffer) => this.onData(data));
    channel.on('close', () => this.end());
    channel.on('error', () => this.end());
    const hello = ncElement('hello', [
      ncElement(
        'capabilities',
        context.capabilities.map((c) => ncElement('capability', [c])),
      ),
      ncElement('session-id', [String(context.sessionId)]),
    ]);
    channel.write(frameMessage(serializeDocument(hello), 'eom'));
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.context.state.endSession(this.context.sessionId);
  }

  private onData(data: Buffer): void {
    if (this.ended) return;
    try {
      this.reader.feed(data);
      for (let message = this.reader.take(); message !== undefined; message = this.reader.take()) {
        if (!this.helloReceived) {
          this.onHello(message);
          continue;
        }
        const text = message;
        // A bug in a handler must show as a dropped session in the test, not an unhandled rejection.
        this.queue = this.queue.then(() => this.onRpc(text)).catch(() => this.close());
      }
    } catch {
      // A framing error loses the stream position: all a server can do is drop the session.
      this.close();
    }
  }

  private onHello(message: string): void {
    const hello = parseXml(message);
    if (hello.name !== 'hello' || hello.ns !== NETCONF_BASE_NS) throw new Error('expected hello');
    const theirs = childElements(findChild(hello, 'capabilities') ?? ncElement('capabilities')).map((c) => textOf(c).trim());
    this.helloReceived = true;
    if (theirs.includes(CAP_BASE_1_1) && this.context.capabilities.includes(CAP_BASE_1_1)) {
      this.framing = 'chunked';
      this.reader.framing = 'chunked';
    }
  }

  private async onRpc(message: string): Promise<void> {
    if (this.ended || this.context.freezes?.()) return;
    const { faults, state, sessionId } = this.context;
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    let rpc: XmlElement;
    try {
      rpc = parseXml(message);
    } catch (error) {
      const reason = error instanceof XmlSyntaxError ? error.message : 'unreadable message';
      this.send(ncElement('rpc-reply', [rpcErrorElement({ tag: 'malformed-message', type: 'rpc', message: reason })]));
      return;
    }
    const messageId = attrValue(rpc, 'message-id');
    const operation = childElements(rpc)[0];
    if (rpc.name !== 'rpc' || rpc.ns !== NETCONF_BASE_NS || messageId === undefined || !operation) {
      this.send(ncElement('rpc-reply', [rpcErrorElement({ tag: 'malformed-message', type: 'rpc', message: 'not a valid <rpc>' })]));
      return;
    }
    if (faults.dropOnRpc === operation.name) {
      faults.dropOnRpc = undefined;
      this.context.dropConnection();
      return;
    }
    let content: XmlNode[];
    const runningBefore = state.running;
    let outcome = 'ok';
    const injected = faults.failNext;
    if (injected && injected.rpc === operation.name) {
      faults.failNext = undefined;
      content = [rpcErrorElement({ type: 'application', ...injected.error })];
      outcome = injected.error.tag;
    } else {
      try {
        content = state.handle(sessionId, operation);
      } catch (error) {
        if (!(error instanceof SimRpcError)) throw error;
        outcome = error.tag;
        content = [rpcErrorElement({ tag: error.tag, type: error.type, message: error.message, ...(error.path ? { path: error.path } : {}), ...(error.info ? { info: error.info } : {}) })];
      }
    }
    const record = state.record(describeRpc(sessionId, operation, outcome), runningBefore);
    const hook = this.context.onRpc?.();
    if (hook) await hook(record);
    const replyId = faults.wrongMessageId ? `${messageId}999` : messageId;
    this.send(ncElement('rpc-reply', content, { 'message-id': replyId }));
    if (operation.name === 'close-session') this.close();
  }

  private send(reply: XmlElement): void {
    if (this.ended) return;
    this.channel.write(frameMessage(serializeDocument(reply), this.framing));
  }

  private close(): void {
    this.end();
    this.channel.end();
  }
}
