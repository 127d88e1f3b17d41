import type { ClientChannel } from 'ssh2';
import { SshChannelTimeout, type SshConnection } from '../ssh-connection.js';
import { cleanTerminalOutput } from './terminal-text.js';

// Wide enough that the device never wraps a command echo or an output line.
const PTY_COLUMNS = 511;
const PTY_ROWS = 24;
/** A read that collects more than this without reaching its end fails with `overflow`. */
export const MAX_BUFFERED_CHARS = 1024 * 1024;
// What is kept of output nobody waits for (log messages between commands).
const MAX_UNSOLICITED_CHARS = 4096;
/**
 * How much of the end of the output a read's condition looks at. A prompt is at the very end,
 * and so are the two prompt lines that reveal the hostname, so this is plenty; looking at the
 * whole buffer on every packet would cost time quadratic in the output, and a device streaming
 * text in small packets would then block the event loop (timers included) for minutes.
 */
export const DONE_WINDOW_CHARS = 4096;

/** Why a read on the shell ended without a prompt. */
export class ShellError extends Error {
  constructor(
    readonly kind: 'timeout' | 'closed' | 'overflow',
    cause?: unknown,
    /** For a timeout: what the device printed meanwhile, in words (nothing, or how much and how it ended). */
    readonly received?: string,
  ) {
    super(`shell ${kind}`, cause === undefined ? undefined : { cause });
    this.name = 'ShellError';
  }
}

/** What a read that timed out received, for the error: an operator can tell a silent device from a noisy one. */
function describeReceived(length: number, end: string): string {
  if (length === 0) return 'the device printed nothing';
  const tail = cleanTerminalOutput(end.slice(-200)).replace(/\s+/g, ' ').trim().slice(-60);
  return `the device printed ${length} characters without a prompt, ending ${JSON.stringify(tail)}`;
}

interface Waiter {
  /** Sees the last DONE_WINDOW_CHARS characters received. */
  done: (end: string) => boolean;
  resolve: (raw: string) => void;
  reject: (error: ShellError) => void;
}

/** One interactive shell: buffers what the device prints until a caller's condition holds. */
export class CliShell {
  /** What arrived since the last completed read, in pieces: joined once, when a read completes. */
  private chunks: string[] = [];
  private length = 0;
  /** The last DONE_WINDOW_CHARS characters of it, kept as they arrive. */
  private tail = '';
  private waiter: Waiter | undefined;
  private failure: ShellError | undefined;
  /** Resolves when the device closed the channel: the CLI process behind it has exited. */
  private readonly channelClosed: Promise<void>;
  /** The prompt line the last completed read ended on. */
  lastPrompt = '';

  constructor(
    private readonly channel: ClientChannel,
    private readonly timeoutMs: number,
  ) {
    channel.setEncoding('utf8');
    channel.on('data', (text: string) => this.receive(text));
    channel.stderr.on('data', (data: Buffer) => this.receive(data.toString('utf8')));
    channel.on('error', (error: unknown) => this.end(new ShellError('closed', error)));
    this.channelClosed = new Promise((resolve) =>
      channel.once('close', () => {
        this.end(new ShellError('closed'));
        resolve();
      }),
    );
  }

  get usable(): boolean {
    return this.failure === undefined;
  }

  write(text: string): void {
    if (this.failure) throw this.failure;
    this.channel.write(text);
  }

  /** Drops output nobody asked for (late messages between commands). */
  discard(): void {
    this.chunks = [];
    this.length = 0;
    this.tail = '';
  }

  /** What arrived since the last completed read, for diagnostics after a failed one. */
  pending(): string {
    return this.chunks.join('');
  }

  /**
   * Resolves with everything received once `done` holds for its end (the last DONE_WINDOW_CHARS
   * characters); fails after the timeout, on overflow, or when the session ends.
   */
  readUntil(done: (end: string) => boolean): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ShellError('timeout', undefined, describeReceived(this.length, this.tail)));
      }, this.timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.waiter = undefined;
      };
      this.waiter = {
        done,
        resolve: (raw) => {
          settle();
          this.lastPrompt = cleanTerminalOutput(raw.slice(raw.lastIndexOf('\n') + 1));
          resolve(raw);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      this.check();
    });
  }

  /**
   * Ends the shell and resolves once the device has closed the channel, or after `timeoutMs`.
   * The device closes it when the CLI process behind it has exited (OpenSSH holds the channel
   * until its child is gone), so the session no longer counts on the device. Given a logout
   * command and an idle shell, it logs out the way a person would, so the device frees its vty at
   * once instead of noticing a dropped connection later (vtysh lingers for over a second); a
   * broken shell, or a read in progress, means the device is not at a prompt: the channel is
   * closed instead.
   */
  async close(timeoutMs: number, logoutCommand?: string): Promise<void> {
    if (logoutCommand === undefined || this.failure || this.waiter) this.end(new ShellError('closed'));
    else {
      try {
        this.channel.write(`${logoutCommand}\n`);
      } catch {
        this.end(new ShellError('closed'));
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.channelClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs))))]);
    clearTimeout(timer);
    this.end(new ShellError('closed'));
  }

  end(reason: ShellError): void {
    if (this.failure) return;
    this.failure = reason;
    this.waiter?.reject(reason);
    this.channel.removeAllListeners('data');
    try {
      this.channel.close();
    } catch {
      // Already gone with the connection.
    }
  }

  private receive(text: string): void {
    this.chunks.push(text);
    this.length += text.length;
    this.tail = (this.tail + text).slice(-DONE_WINDOW_CHARS);
    // The next command discards unsolicited output anyway; only keep it from growing meanwhile.
    if (!this.waiter && this.length > MAX_BUFFERED_CHARS) {
      this.chunks = [this.tail.slice(-MAX_UNSOLICITED_CHARS)];
      this.length = this.chunks[0]?.length ?? 0;
    }
    this.check();
  }

  private check(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.length > MAX_BUFFERED_CHARS) {
      waiter.reject(new ShellError('overflow'));
    } else if (waiter.done(this.tail)) {
      const raw = this.pending();
      this.discard();
      waiter.resolve(raw);
    }
  }
}

/** Opens an interactive shell channel with a PTY wide enough that nothing wraps. */
export async function openShell(connection: SshConnection, timeoutMs: number): Promise<ClientChannel> {
  try {
    return await connection.openChannel((callback) => connection.client.shell({ term: 'vt100', cols: PTY_COLUMNS, rows: PTY_ROWS }, callback), timeoutMs);
  } catch (error) {
    throw error instanceof SshChannelTimeout ? new ShellError('timeout') : error;
  }
}
