/**
 * A NETCONF 1.0/1.1 client over SSH (RFC 6241, RFC 6242). No maintained npm client exists, so
 * this is ours: hello and capability exchange, framing switch, message-id correlation, per-RPC
 * timeout, and every rpc-error translated into NetconfRpcError. A session that broke the protocol
 * or timed out is closed: its state can no longer be trusted, and the adapter opens a fresh one.
 */
import type { Logger } from 'pino';
import type { ClientChannel } from 'ssh2';
import { NeError, NetconfRpcError } from '../../errors/index.js';
import { FrameDecoder, FramingError, encodeMessage, type FramingMode } from './framing.js';
import {
  CAP_BASE_1_0,
  CAP_BASE_1_1,
  cancelCommitOperation,
  closeSessionOperation,
  commitOperation,
  discardChangesOperation,
  editConfigOperation,
  getConfigOperation,
  getOperation,
  helloMessage,
  lockOperation,
  rpcMessage,
  unlockOperation,
  validateOperation,
  type CommitRequest,
  type Datastore,
  type EditConfigRequest,
} from './netconf-messages.js';
import { NetconfProtocolViolation, failingErrors, parseRpcReply, parseServerHello, type RpcReply, type ServerHello } from './rpc-reply-parser.js';
import type { SshConnection } from '../ssh-connection.js';
import { openSshNetconfChannel, type SshNetconfOptions } from './ssh-netconf-channel.js';
import { XmlSyntaxError, type XmlElement } from './xml-tree.js';

export interface NetconfClientOptions extends SshNetconfOptions {
  /** Longest wait for one rpc-reply (and for the server hello). */
  rpcTimeoutMs: number;
  /** Largest message accepted from the server. @defaultValue 16 MiB */
  maxMessageBytes?: number;
  /** Capabilities we announce besides base:1.0 and base:1.1. */
  extraCapabilities?: string[];
  log?: Logger;
}

/** One RPC as it went over the wire, for an audit trail. Holds no credentials: SSH logins are not RPCs. */
export interface RpcExchange {
  /** Local name of the operation element (`edit-config`, `commit`, ...). */
  operation: string;
  messageId: string;
  /** The whole `<rpc>` document as sent (before framing). */
  requestXml: string;
  /** The whole `<rpc-reply>` as received; empty when none came (timeout, dropped session). */
  replyXml: string;
  /** The error the call rejected with, if any: an rpc-error, a timeout, a broken session. */
  error?: NeError;
  startedAt: Date;
  durationMs: number;
}

/** Called once per RPC when it settles. Must not throw; a throwing observer is ignored. */
export type RpcObserver = (exchange: RpcExchange) => void;

interface PendingRpc {
  operation: string;
  resolve: (received: { reply: RpcReply; xml: string }) => void;
  reject: (error: NeError) => void;
  timer: NodeJS.Timeout;
}

/** Strips `?module=...` parameters so `hasCapability` compares the capability itself. */
function capabilityKey(uri: string): string {
  const at = uri.indexOf('?');
  return at < 0 ? uri : uri.slice(0, at);
}

export class NetconfClient {
  private readonly pending = new Map<string, PendingRpc>();
  private readonly decoder: FrameDecoder;
  private serverCapabilities: string[] = [];
  private serverSessionId = 0;
  private nextMessageId = 1;
  private outgoingFraming: FramingMode = 'eom';
  private helloWaiter: { resolve: (hello: ServerHello) => void; reject: (error: NeError) => void } | undefined;
  private failure: NeError | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly channelClosed: Promise<void>;

  private constructor(
    private readonly options: NetconfClientOptions,
    private readonly connection: SshConnection,
    private readonly channel: ClientChannel,
  ) {
    this.decoder = new FrameDecoder({ maxMessageBytes: options.maxMessageBytes ?? 16 * 1024 * 1024 });
    channel.on('data', (data: Buffer) => this.onData(data));
    // NETCONF says nothing on stderr; whatever a device writes there is read and dropped, so it
    // can neither pile up in memory nor hold the channel's window shut.
    channel.stderr.resume();
    // A write after the channel ended surfaces as a stream 'error'; unheard, it would end the process.
    channel.on('error', (error: Error) => this.fail(new NeError('NE_CONNECTION_FAILED', options.neId, `NETCONF channel error: ${error.message}`, { cause: error })));
    this.channelClosed = new Promise((resolve) =>
      channel.once('close', () => {
        resolve();
        this.fail(new NeError('NE_CONNECTION_FAILED', options.neId, 'NETCONF session closed by the server'));
      }),
    );
    connection.onLost((reason) => this.fail(new NeError('NE_CONNECTION_FAILED', options.neId, `SSH connection lost: ${reason.message}`, { cause: reason })));
  }

  /** Connects, opens the netconf subsystem and exchanges hellos. On failure nothing is left open. */
  static async connect(options: NetconfClientOptions): Promise<NetconfClient> {
    const { connection, channel } = await openSshNetconfChannel(options);
    const client = new NetconfClient(options, connection, channel);
    try {
      await client.exchangeHello();
    } catch (error) {
      await client.destroy();
      throw error;
    }
    return client;
  }

  get neId(): string {
    return this.options.neId;
  }

  get capabilities(): readonly string[] {
    return this.serverCapabilities;
  }

  get sessionId(): number {
    return this.serverSessionId;
  }

  /** The framing in use after the hello: `chunked` when both sides announced base:1.1. */
  get framing(): FramingMode {
    return this.outgoingFraming;
  }

  hasCapability(uri: string): boolean {
    const wanted = capabilityKey(uri);
    return this.serverCapabilities.some((c) => capabilityKey(c) === wanted);
  }

  isOpen(): boolean {
    return !this.closed && this.failure === undefined;
  }

  private async exchangeHello(): Promise<void> {
    const ourCapabilities = [CAP_BASE_1_0, CAP_BASE_1_1, ...(this.options.extraCapabilities ?? [])];
    // RFC 6241 8.1: both peers send their hello at once; no need to wait for the server's first.
    this.channel.write(encodeMessage(helloMessage(ourCapabilities), 'eom'));
    const hello = await new Promise<ServerHello>((resolve, reject) => {
      const timer = setTimeout(() => reject(new NeError('NE_TIMEOUT', this.neId, 'no NETCONF hello from the server')), this.options.rpcTimeoutMs);
      this.helloWaiter = {
        resolve: (serverHello) => (clearTimeout(timer), resolve(serverHello)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      this.drainMessages();
    });
    this.serverCapabilities = hello.capabilities;
    this.serverSessionId = hello.sessionId;
    const chunked = this.hasCapability(CAP_BASE_1_1);
    if (!chunked && !this.hasCapability(CAP_BASE_1_0)) {
      throw new NeError('NE_PROTOCOL_ERROR', this.neId, 'server announces neither base:1.0 nor base:1.1');
    }
    this.outgoingFraming = chunked ? 'chunked' : 'eom';
    this.options.log?.debug({ neId: this.neId, sessionId: hello.sessionId, framing: this.outgoingFraming }, 'NETCONF session open');
  }

  private onData(data: Buffer): void {
    if (this.failure) return;
    try {
      this.decoder.push(data);
    } catch (error) {
      this.failFromDecoder(error);
      return;
    }
    this.drainMessages();
  }

  private drainMessages(): void {
    for (;;) {
      if (this.failure) return;
      let message: string | undefined;
      try {
        message = this.decoder.next();
      } catch (error) {
        this.failFromDecoder(error);
        return;
      }
      if (message === undefined) return;
      if (this.helloWaiter) {
        const waiter = this.helloWaiter;
        this.helloWaiter = undefined;
        // Switch before the next message is decoded: bytes after the hello are already in the new framing.
        try {
          const hello = parseServerHello(message);
          const chunked = hello.capabilities.some((c) => capabilityKey(c) === CAP_BASE_1_1);
          this.decoder.setMode(chunked ? 'chunked' : 'eom');
          waiter.resolve(hello);
        } catch (error) {
          this.failFromDecoder(error);
          waiter.reject(this.failure ?? new NeError('NE_PROTOCOL_ERROR', this.neId, 'invalid server hello'));
        }
        continue;
      }
      this.onReply(message);
    }
  }

  private onReply(message: string): void {
    let reply: RpcReply;
    try {
      reply = parseRpcReply(message);
    } catch (error) {
      this.failFromDecoder(error);
      return;
    }
    const pending = reply.messageId === undefined ? undefined : this.pending.get(reply.messageId);
    if (!pending) {
      this.fail(new NeError('NE_PROTOCOL_ERROR', this.neId, `rpc-reply with unknown message-id "${reply.messageId ?? ''}"`, { details: { messageId: reply.messageId } }));
      return;
    }
    this.pending.delete(reply.messageId as string);
    clearTimeout(pending.timer);
    pending.resolve({ reply, xml: message });
  }

  private failFromDecoder(error: unknown): void {
    if (error instanceof FramingError || error instanceof NetconfProtocolViolation || error instanceof XmlSyntaxError) {
      this.fail(new NeError('NE_PROTOCOL_ERROR', this.neId, error.message, { cause: error }));
    } else {
      this.fail(new NeError('NE_PROTOCOL_ERROR', this.neId, `unexpected error reading a reply: ${String(error)}`, { cause: error }));
    }
  }

  /** Marks the session broken, fails everything waiting, and drops the connection. */
  private fail(error: NeError): void {
    if (this.failure || this.closed) {
      this.rejectAll(this.failure ?? error);
      return;
    }
    this.failure = error;
    this.options.log?.warn({ neId: this.neId, err: error }, 'NETCONF session failed');
    this.rejectAll(error);
    void this.destroy();
  }

  private rejectAll(error: NeError): void {
    if (this.helloWaiter) {
      const waiter = this.helloWaiter;
      this.helloWaiter = undefined;
      waiter.reject(error);
    }
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(error);
    }
  }

  /**
   * Sends one RPC and returns its reply; rejects with NetconfRpcError when it carries errors.
   * `observe` sees the exchange once it settles, failed or not (nothing is reported for a call
   * refused before anything was sent).
   */
  async rpc(operation: XmlElement, observe?: RpcObserver): Promise<RpcReply> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new NeError('NE_CONNECTION_FAILED', this.neId, 'NETCONF session is closed');
    const messageId = String(this.nextMessageId++);
    let requestXml: string;
    let framed: Buffer;
    try {
      requestXml = rpcMessage(messageId, operation);
      framed = encodeMessage(requestXml, this.outgoingFraming);
    } catch (error) {
      throw this.unsafeInput(error);
    }
    const startedAt = new Date();
    let replyXml = '';
    const report = (error?: NeError): void => {
      if (!observe) return;
      try {
        observe({ operation: operation.name, messageId, requestXml, replyXml, ...(error ? { error } : {}), startedAt, durationMs: Date.now() - startedAt.getTime() });
      } catch (observerError) {
        this.options.log?.warn({ neId: this.neId, err: observerError }, 'NETCONF rpc observer threw');
      }
    };
    try {
      const received = await new Promise<{ reply: RpcReply; xml: string }>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(messageId);
          // A late reply would arrive with a message-id nobody waits for: the session is done.
          const error = new NeError('NE_TIMEOUT', this.neId, `no reply to <${operation.name}> within ${this.options.rpcTimeoutMs} ms`);
          reject(error);
          this.fail(error);
        }, this.options.rpcTimeoutMs);
        this.pending.set(messageId, { operation: operation.name, resolve, reject, timer });
        this.options.log?.debug({ neId: this.neId, messageId, operation: operation.name }, 'NETCONF rpc');
        this.channel.write(framed);
      });
      replyXml = received.xml;
      const errors = failingErrors(received.reply);
      if (errors.length > 0) throw new NetconfRpcError(this.neId, errors);
      report();
      return received.reply;
    } catch (error) {
      report(error instanceof NeError ? error : new NeError('NE_PROTOCOL_ERROR', this.neId, String(error), { cause: error }));
      throw error;
    }
  }

  /** Builds the operation (parsing caller XML) and sends it; bad caller XML never reaches the wire. */
  private async call(build: () => XmlElement, observe: RpcObserver | undefined): Promise<RpcReply> {
    let operation: XmlElement;
    try {
      operation = build();
    } catch (error) {
      throw this.unsafeInput(error);
    }
    return this.rpc(operation, observe);
  }

  private unsafeInput(error: unknown): NeError {
    const reason = error instanceof Error ? error.message : String(error);
    return new NeError('UNSAFE_DEVICE_INPUT', this.neId, `cannot build the NETCONF request: ${reason}`, { cause: error });
  }

  async lock(target: Datastore, observe?: RpcObserver): Promise<void> {
    await this.call(() => lockOperation(target), observe);
  }

  async unlock(target: Datastore, observe?: RpcObserver): Promise<void> {
    await this.call(() => unlockOperation(target), observe);
  }

  async editConfig(request: EditConfigRequest, observe?: RpcObserver): Promise<void> {
    await this.call(() => editConfigOperation(request), observe);
  }

  async validate(source: Datastore, observe?: RpcObserver): Promise<void> {
    await this.call(() => validateOperation(source), observe);
  }

  async commit(request: CommitRequest = {}, observe?: RpcObserver): Promise<void> {
    await this.call(() => commitOperation(request), observe);
  }

  async cancelCommit(persistId?: string, observe?: RpcObserver): Promise<void> {
    await this.call(() => cancelCommitOperation(persistId), observe);
  }

  async discardChanges(observe?: RpcObserver): Promise<void> {
    await this.call(() => discardChangesOperation(), observe);
  }

  /** The `<data>` content as XML (empty string when nothing matched the filter). */
  async getConfig(source: Datastore, filterXml?: string, observe?: RpcObserver): Promise<string> {
    return (await this.call(() => getConfigOperation(source, filterXml), observe)).dataXml ?? '';
  }

  async get(filterXml?: string, observe?: RpcObserver): Promise<string> {
    return (await this.call(() => getOperation(filterXml), observe)).dataXml ?? '';
  }

  /**
   * Asks the server to end the session politely, then ends the connection; resolves once the
   * server has hung up (or the close bound ran out). Never throws.
   */
  async closeSession(): Promise<void> {
    if (!this.closed && !this.failure) {
      // Bounded by the close bound, not the RPC timeout: a device that stopped answering is let go sooner.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs ?? 5000)));
      const goodbye = this.call(() => closeSessionOperation(), undefined).then(
        () => undefined,
        (error: unknown) => this.options.log?.debug({ neId: this.neId, err: error }, 'close-session failed; dropping the connection'),
      );
      await Promise.race([goodbye, bound]);
      clearTimeout(timer);
    }
    await this.destroy();
  }

  /**
   * Ends the session without a close-session: closes the channel, waits (bounded) for the server
   * to close it too, which it does once the session is gone on its side, then ends the connection.
   * Resolves once the socket is closed. Idempotent; every call shares one shutdown.
   */
  destroy(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.rejectAll(this.failure ?? new NeError('NE_CONNECTION_FAILED', this.neId, 'NETCONF session closed'));
      this.closing = this.shutDown();
    }
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const closeTimeoutMs = this.options.closeTimeoutMs ?? 5000;
    const deadline = Date.now() + closeTimeoutMs;
    try {
      this.channel.close();
    } catch {
      // already gone with the connection
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.channelClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, closeTimeoutMs)))]);
    clearTimeout(timer);
    await this.connection.close(deadline - Date.now());
  }
}
