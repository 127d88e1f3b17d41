/**
 * One SSH connection to a network element, owned from the TCP connect to the socket's close. The
 * SSH drivers (CLI and NETCONF) share it, so each connection has exactly one lifecycle:
 *
 * - ssh2 emits 'error' at any point of a connection's life: the handshake timeout, "Connection
 *   lost before handshake" right after it, a keepalive timeout, a reset, a packet it cannot
 *   parse. An 'error' nobody listens to kills the process, so the listener here is attached
 *   before the connect and never removed; the first error (or close) is the reason the
 *   connection is lost, and every later one is only logged by the owner if it wants.
 * - Every wait is bounded by ssh2's own facilities where it has one (readyTimeout covers the TCP
 *   connect, the handshake and the login; keepalives catch a peer that went silent) and by a
 *   timer of ours where it has none (opening a channel, closing the connection).
 * - `close()` resolves only once the socket is closed: the device has hung up, or the bound ran
 *   out and the socket was destroyed. A session pool can count the session until then.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import ssh2, { type ClientCallback, type ClientChannel, type ConnectConfig, type Prompt } from 'ssh2';

const { Client } = ssh2;
export type SshClient = InstanceType<typeof Client>;

export interface SshConnectionOptions {
  host: string;
  port: number;
  /** TCP connect, SSH handshake and login together: ssh2's `readyTimeout`. */
  connectTimeoutMs: number;
  /** How long `close()` waits for the device to hang up before the socket is destroyed. */
  closeTimeoutMs: number;
  /** ssh2 keepalive: a device that stops answering is noticed even between commands. @defaultValue 15000 */
  keepaliveIntervalMs?: number;
  /** @defaultValue 3 */
  keepaliveCountMax?: number;
  /** Who logs in and how the host key is checked, as ssh2 takes it (everything but the transport). */
  login: Omit<ConnectConfig, 'sock' | 'host' | 'port' | 'readyTimeout' | 'keepaliveInterval' | 'keepaliveCountMax'>;
  /** Answers keyboard-interactive prompts: many devices ask for the password that way. */
  keyboardInteractive?: (prompts: Prompt[]) => string[];
}

/** Why a connection was lost, when ssh2 gave no error of its own (the device hung up). */
export class SshConnectionClosed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshConnectionClosed';
  }
}

/**
 * The peer answered, but not with SSH: the handshake ran out of time with bytes received and no
 * SSH identification among them (a wrong port, a web server, a device printing noise). Retrying
 * will not help, unlike a handshake that simply got no answer.
 */
export class NotSshError extends Error {
  constructor(
    readonly bytesReceived: number,
    readonly start: string,
    cause: Error,
  ) {
    super(`the device does not speak SSH: it sent ${bytesReceived} bytes and no SSH identification, starting ${start}`, { cause });
    this.name = 'NotSshError';
  }
}

/** The first bytes a peer sent, kept to quote them when it turns out not to speak SSH. */
const PREAMBLE_BYTES = 256;
/** An identification line, after another line; the very first line is checked on its own. */
const SSH_IDENTIFICATION_LINE = /\nSSH-/;

/** Opening a channel took longer than its bound; ssh2 has no timeout for channel requests. */
export class SshChannelTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer to the channel request within ${timeoutMs} ms`);
    this.name = 'SshChannelTimeout';
  }
}

export class SshConnection {
  /** Resolves when the TCP socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  private lostReason: Error | undefined;
  private readonly lostListeners: Array<(reason: Error) => void> = [];
  private closing: Promise<void> | undefined;

  private constructor(
    readonly client: SshClient,
    private readonly socket: Socket,
    private readonly closeTimeoutMs: number,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    // Attached for the connection's whole life, before anything can emit (see the header).
    client.on('error', (error: Error) => this.markLost(error));
    client.on('close', () => this.markLost(new SshConnectionClosed('the device closed the connection')));
  }

  /**
   * Connects and logs in. Rejects with the first error ssh2 or the socket reported (the caller
   * translates it), once the socket is closed: a failed open leaves nothing behind on either side.
   */
  static async open(options: SshConnectionOptions): Promise<SshConnection> {
    // Our own socket, for TCP_NODELAY: with Nagle on, every prompt round trip waits 40-90 ms.
    const socket = tcpConnect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const connection = new SshConnection(new Client(), socket, options.closeTimeoutMs);
    const { client } = connection;
    if (options.keyboardInteractive) {
      const answer = options.keyboardInteractive;
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(answer(prompts)));
    }
    let preamble = Buffer.alloc(0);
    // Whether an identification line came at all, looked for in everything received (a server may
    // send other lines before it, RFC 4253 4.2), with a few bytes carried across reads.
    let identified = false;
    let carry = '';
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => resolve());
        connection.onLost(reject);
        client.connect({
          ...options.login,
          sock: socket,
          readyTimeout: options.connectTimeoutMs,
          keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
          keepaliveCountMax: options.keepaliveCountMax ?? 3,
        });
        // A copy of what the peer sends first. ssh2 has paused the socket by now, so this listener
        // does not start the flow early; it sees the bytes ssh2 sees once ssh2 resumes.
        const keep = (data: Buffer): void => {
          if (preamble.length < PREAMBLE_BYTES) preamble = Buffer.concat([preamble, data]).subarray(0, PREAMBLE_BYTES);
          const text = carry + data.toString('latin1');
          identified = (socket.bytesRead === data.length && text.startsWith('SSH-')) || SSH_IDENTIFICATION_LINE.test(text);
          carry = text.slice(-4);
          if (identified) socket.off('data', keep);
        };
        socket.on('data', keep);
        client.once('ready', () => socket.off('data', keep));
      });
    } catch (error) {
      const bytes = socket.bytesRead;
      await connection.close();
      if (bytes > 0 && !identified && (error as { level?: string }).level === 'client-timeout') {
        throw new NotSshError(bytes, JSON.stringify(preamble.toString('latin1').slice(0, 60)), error as Error);
      }
      throw error;
    }
    return connection;
  }

  /** Still connected: no error, no close. */
  get isOpen(): boolean {
    return this.lostReason === undefined;
  }

  /** Why the connection ended (the first error or the close), or undefined while it is up. */
  get lost(): Error | undefined {
    return this.lostReason;
  }

  /** Called once with the reason the connection ended; at once if it already has. */
  onLost(listener: (reason: Error) => void): void {
    if (this.lostReason) listener(this.lostReason);
    else this.lostListeners.push(listener);
  }

  /**
   * Opens a channel (`(cb) => client.shell(..., cb)`, `(cb) => client.subsys('netconf', cb)`),
   * bounded by `timeoutMs`. A channel granted after the bound is closed at once.
   */
  openChannel(request: (callback: ClientCallback) => void, timeoutMs: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new SshChannelTimeout(timeoutMs));
      }, timeoutMs);
      try {
        request((error, channel) => {
          clearTimeout(timer);
          if (settled) {
            channel?.close();
            return;
          }
          settled = true;
          if (error) reject(error);
          else resolve(channel);
        });
      } catch (error) {
        // ssh2 throws "Not connected" when the socket is already gone.
        clearTimeout(timer);
        settled = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /**
   * Says goodbye (SSH disconnect, then FIN) and waits for the socket to close, destroying it once
   * `timeoutMs` (default: the connection's close bound) has passed. Idempotent; never throws.
   */
  close(timeoutMs = this.closeTimeoutMs): Promise<void> {
    this.closing ??= this.shutDown(timeoutMs);
    return this.closing;
  }

  /** Drops the connection at once, without a goodbye. */
  destroy(): void {
    this.socket.destroy();
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    const timer = setTimeout(() => this.socket.destroy(), Math.max(0, timeoutMs));
    try {
      // end() does nothing once the socket is no longer writable; the timer then ends it.
      if (!this.socket.destroyed) this.client.end();
    } catch {
      this.socket.destroy();
    }
    await this.closed;
    clearTimeout(timer);
  }

  private markLost(reason: Error): void {
    if (this.lostReason) return;
    this.lostReason = reason;
    for (const listener of this.lostListeners.splice(0)) listener(reason);
  }
}
