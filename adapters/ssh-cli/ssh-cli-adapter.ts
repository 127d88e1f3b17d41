import { createHash } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import ssh2, { type Algorithms, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import type { ErrorCode } from '../../errors/error-codes.js';
import { NeError } from '../../errors/ne-error.js';
import type { NeCredentials, NetworkElement } from '../../inventory/network-element.js';
import type { ChangeSet, Check, CheckResult } from '../change-set.js';
import type { NeAdapter } from '../ne-adapter.js';

const { Client } = ssh2;
type SshClient = InstanceType<typeof Client>;

const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;
// Wide enough that the device never wraps a command echo or an output line.
const PTY_COLUMNS = 511;
const PTY_ROWS = 24;
const MAX_BUFFERED_CHARS = 1024 * 1024;
const MAX_OBSERVED_CHARS = 4096;
// What is kept of output nobody waits for (log messages between commands).
const MAX_UNSOLICITED_CHARS = 4096;
const CLOSE_GRACE_MS = 1_000;
const CONNECTING = 'while connecting';
// SSH_DISCONNECT_TOO_MANY_CONNECTIONS (RFC 4253 11.1), as ssh2 puts it in `code`.
const TOO_MANY_CONNECTIONS = 12;
// Hostnames longer than this are truncated in some vendors' config-mode prompts (IOS).
const PROMPT_HOSTNAME_CHARS = 16;
// A prompt as first seen, before the hostname is known: `host#`, `host>`, `host(config-if)#`.
const PROMPT_SHAPE = /^[\w.:/@-]{1,64}(?:\([\w.:/ -]{1,64}\))?[#>]$/;
// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[@-_]/g;

/** Host key algorithms to offer for each pinned key type, so negotiation picks a key we can check. */
const HOST_KEY_ALGORITHMS: Record<string, { modern: ServerHostKeyAlgorithm[]; legacy: ServerHostKeyAlgorithm[] }> = {
  'ssh-ed25519': { modern: ['ssh-ed25519'], legacy: [] },
  'ecdsa-sha2-nistp256': { modern: ['ecdsa-sha2-nistp256'], legacy: [] },
  'ecdsa-sha2-nistp384': { modern: ['ecdsa-sha2-nistp384'], legacy: [] },
  'ecdsa-sha2-nistp521': { modern: ['ecdsa-sha2-nistp521'], legacy: [] },
  'ssh-rsa': { modern: ['rsa-sha2-512', 'rsa-sha2-256'], legacy: ['ssh-rsa'] },
  'ssh-dss': { modern: [], legacy: ['ssh-dss'] },
};

/** SHA-1 key exchange and CBC ciphers: only for devices too old for anything else. */
const LEGACY_ALGORITHMS: Algorithms = {
  kex: { append: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1'], prepend: [], remove: [] },
  cipher: { append: ['aes128-cbc', 'aes256-cbc'], prepend: [], remove: [] },
};

export interface SshCliAdapterOptions {
  log?: Logger;
}

interface Session {
  client: SshClient;
  socket: Socket;
  shell: CliShell;
  /** Any prompt of this device, in exec, config or a config sub-mode. */
  prompt: RegExp;
}

/**
 * NE adapter for devices configured through an interactive SSH CLI (IOS-like, FRR), with
 * Netmiko's discipline: pinned host key, banner skipped, prompt discovered, paging disabled,
 * every read bounded by the prompt, a timeout and a size cap, device error patterns checked
 * on every line. One shell runs one command at a time, so commands are queued.
 */
export class SshCliAdapter implements NeAdapter {
  readonly ne: NetworkElement;
  private readonly credentials: NeCredentials;
  private readonly log: Logger | undefined;
  private readonly errorPatterns: RegExp[];
  private session: Session | undefined;
  private opening: Promise<Session> | undefined;
  /** Bumped by close(), so a session that finishes opening after it is thrown away. */
  private generation = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ne: NetworkElement, credentials: NeCredentials, options: SshCliAdapterOptions = {}) {
    this.ne = ne;
    this.credentials = credentials;
    this.log = options.log?.child({ neId: ne.id, adapter: 'ssh-cli' });
    this.errorPatterns = ne.ssh.errorPatterns.map((pattern) => {
      try {
        return new RegExp(pattern, 'm');
      } catch (error) {
        throw new NeError('INVENTORY_INVALID', ne.id, `ssh.errorPatterns holds an invalid regex: ${pattern}`, { cause: error });
      }
    });
  }

  async open(): Promise<void> {
    await this.ensureSession();
  }

  /** Whether the session is still usable; false once the device dropped it or a read failed. */
  isOpen(): boolean {
    return this.session?.shell.usable ?? false;
  }

  /**
   * Sends the lines one by one in configuration mode. Side effect: changes the device. A device
   * error stops at the offending line; the error details say how many lines went in before it.
   */
  async apply(change: ChangeSet): Promise<void> {
    if (change.protocol !== 'ssh-cli') throw this.unsupported(change.protocol);
    const { configEnterCommand, configExitCommand } = this.ne.ssh;
    this.assertSafe([configEnterCommand, configExitCommand], 'ssh.configEnterCommand/configExitCommand');
    this.assertSafe(change.lines, 'line');
    if (change.lines.length === 0) return;

    await this.serialize(async (session) => {
      await this.runAccepted(session, configEnterCommand);
      let applied = 0;
      try {
        for (const [lineIndex, line] of change.lines.entries()) {
          const details = { line, lineIndex, appliedLines: applied, totalLines: change.lines.length };
          const output = await this.run(session, line, details);
          const deviceError = this.deviceError(output);
          if (deviceError !== undefined) {
            throw new NeError('NE_COMMAND_REJECTED', this.ne.id, `line ${lineIndex + 1} "${line}" rejected: ${deviceError}`, {
              details: { ...details, deviceError, deviceOutput: cap(output) },
            });
          }
          applied += 1;
        }
      } catch (error) {
        // A clean rejection leaves a usable session: leave config mode before reporting. Any other
        // failure tears the session down, and a CLI device leaves config mode when the vty drops.
        if (error instanceof NeError && error.code === 'NE_COMMAND_REJECTED') await this.leaveConfigModeQuietly(session);
        throw error;
      }
      await this.leaveConfigMode(session);
      this.log?.debug({ lines: applied }, 'ssh-cli change applied');
    });
  }

  /**
   * Runs an exec command and checks its output. Reads only. A command the device refuses throws
   * NE_COMMAND_REJECTED rather than failing the check, so an `absent` check cannot pass on an error.
   * `matches` is a multiline regex (`^`/`$` match at each line). With neither `contains` nor
   * `matches`, the check only asserts the command is accepted.
   */
  async verify(check: Check): Promise<CheckResult> {
    if (check.protocol !== 'ssh-cli') throw this.unsupported(check.protocol);
    this.assertSafe([check.command], 'check command');
    const matcher = check.matches === undefined ? undefined : this.compileCheckRegex(check.matches);

    return this.serialize(async (session) => {
      const output = await this.run(session, check.command);
      const deviceError = this.deviceError(output);
      if (deviceError !== undefined) {
        throw new NeError('NE_COMMAND_REJECTED', this.ne.id, `"${check.command}" rejected: ${deviceError}`, {
          details: { command: check.command, deviceError },
        });
      }
      const found = (check.contains === undefined || output.includes(check.contains)) && (matcher === undefined || matcher.test(output));
      return { passed: check.absent === true ? !found : found, observed: cap(output.trim()) };
    });
  }

  async close(): Promise<void> {
    this.generation += 1;
    const session = this.session;
    this.session = undefined;
    if (session) await shutDown(session);
  }

  // --- session lifecycle ---

  private async ensureSession(): Promise<Session> {
    if (this.session?.shell.usable) return this.session;
    if (this.session) void shutDown(this.session);
    this.session = undefined;
    const generation = this.generation;
    this.opening ??= this.startSession().finally(() => {
      this.opening = undefined;
    });
    const session = await this.opening;
    if (generation !== this.generation) {
      void shutDown(session);
      throw new NeError('NE_CONNECTION_FAILED', this.ne.id, 'the adapter was closed while the session was opening');
    }
    this.session = session;
    return session;
  }

  private async startSession(): Promise<Session> {
    const { client, socket } = await this.connect();
    let shell: CliShell | undefined;
    try {
      const channel = await openShell(client, this.ne.commandTimeoutMs);
      const liveShell = new CliShell(channel, this.ne.commandTimeoutMs);
      shell = liveShell;
      client.on('error', (error) => liveShell.end(new ShellError('closed', error)));
      client.on('close', () => liveShell.end(new ShellError('closed')));

      // Banners and MOTDs may hold lines ending in `#` or `>`: send a newline and take the line that
      // then shows up twice (the prompt printed after the banner, and again after our newline).
      shell.write('\n');
      const hostname = discoveredHostname(await shell.readUntil((raw) => discoveredHostname(raw) !== undefined));
      if (hostname === undefined) throw new ShellError('closed');
      const session: Session = { client, socket, shell, prompt: promptPattern(hostname) };
      if (this.ne.ssh.pagingCommand) await this.runAccepted(session, this.ne.ssh.pagingCommand);
      this.log?.debug({ host: this.ne.host, port: this.ne.port, hostname }, 'ssh-cli session open');
      return session;
    } catch (error) {
      shell?.end(new ShellError('closed'));
      void shutDown({ client, socket });
      throw this.toNeError(error, shell ? 'while starting the CLI session' : 'while opening the shell channel');
    }
  }

  private connect(): Promise<{ client: SshClient; socket: Socket }> {
    const { ne, credentials } = this;
    if (!credentials.username || (!credentials.password && !credentials.privateKey)) {
      return Promise.reject(new NeError('CREDENTIALS_UNAVAILABLE', ne.id, 'SSH needs a username and a password or a private key'));
    }
    const pinned = ne.ssh.hostKeys.map(parsePinnedKey).filter((key) => key !== undefined);

    return new Promise((resolve, reject) => {
      const client = new Client();
      // Our own socket, for TCP_NODELAY: with Nagle on, every prompt round trip waits 40-90 ms.
      const socket = tcpConnect({ host: ne.host, port: ne.port });
      socket.setNoDelay(true);
      let refusedKey: Buffer | undefined;
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        client.end();
        socket.destroy();
        reject(refusedKey ? hostKeyMismatch(ne.id, refusedKey) : this.toNeError(error, CONNECTING));
      };
      client.on('error', fail);
      client.on('close', () => fail(new Error('the device closed the connection')));
      // Keyboard-interactive is how many devices ask for the password: answer each prompt with it.
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
        finish(prompts.map(() => credentials.password ?? ''));
      });
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        resolve({ client, socket });
      });

      const config: ConnectConfig = {
        sock: socket,
        username: credentials.username,
        password: credentials.password,
        privateKey: credentials.privateKey,
        passphrase: credentials.passphrase,
        tryKeyboard: credentials.password !== undefined,
        readyTimeout: ne.connectTimeoutMs,
        keepaliveInterval: KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        algorithms: algorithmsFor(pinned, ne.ssh.legacyAlgorithms),
        // ssh2 accepts any host key unless told otherwise: only a pinned key will do, and none pinned means none.
        hostVerifier: (presented: Buffer): boolean => {
          const known = pinned.some((key) => key.blob.equals(presented));
          if (!known) refusedKey = presented;
          return known;
        },
      };
      try {
        client.connect(config);
      } catch (error) {
        fail(error);
      }
    });
  }

  // --- commands ---

  /** Queues the task behind the ones already running on this shell. */
  private serialize<T>(task: (session: Session) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const session = await this.ensureSession();
      try {
        return await task(session);
      } catch (error) {
        const neError = this.toNeError(error, 'during the command');
        // After a timeout or a cut the shell's output is out of step with our reads: drop it.
        if (neError.code !== 'NE_COMMAND_REJECTED') {
          this.log?.debug({ code: neError.code }, 'ssh-cli session discarded after a failed command');
          this.discard(session);
        }
        throw neError;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Sends one command and returns its output, without the echo and the final prompt. */
  private async run(session: Session, command: string, details: Record<string, unknown> = {}): Promise<string> {
    try {
      session.shell.discard();
      session.shell.write(`${command}\n`);
      const raw = await session.shell.readUntil((text) => endsWithPrompt(text, session.prompt));
      return commandOutput(raw, command);
    } catch (error) {
      throw this.toNeError(error, `after "${command}"`, { command, ...details });
    }
  }

  private async runAccepted(session: Session, command: string): Promise<void> {
    const output = await this.run(session, command);
    const deviceError = this.deviceError(output);
    if (deviceError !== undefined) {
      throw new NeError('NE_COMMAND_REJECTED', this.ne.id, `"${command}" rejected: ${deviceError}`, { details: { command, deviceError } });
    }
  }

  private async leaveConfigMode(session: Session): Promise<void> {
    const command = this.ne.ssh.configExitCommand;
    try {
      await this.runAccepted(session, command);
      // The prompt the exit command ended on: still `(config...)` means the device kept us in.
      const stillInConfig = /\(config[^)]*\)[#>]\s*$/.test(session.shell.lastPrompt);
      if (stillInConfig) throw new NeError('NE_PROTOCOL_ERROR', this.ne.id, `still in configuration mode after "${command}"`);
    } catch (error) {
      // Stuck in config mode is no state to hand the session on in.
      this.discard(session);
      throw error;
    }
  }

  private async leaveConfigModeQuietly(session: Session): Promise<void> {
    try {
      await this.leaveConfigMode(session);
    } catch (error) {
      this.log?.warn({ err: error }, 'ssh-cli could not leave configuration mode; session dropped');
    }
  }

  private discard(session: Session): void {
    session.shell.end(new ShellError('closed'));
    if (this.session === session) this.session = undefined;
    void shutDown(session);
  }

  // --- checks and translation ---

  /** The device's own words when the output matches an error pattern. */
  private deviceError(output: string): string | undefined {
    for (const pattern of this.errorPatterns) {
      const match = pattern.exec(output);
      if (match) return match[0].trim();
    }
    return undefined;
  }

  /** Last guard before the wire: a control character could end a line early or drive the terminal. */
  private assertSafe(lines: string[], what: string): void {
    lines.forEach((line, lineIndex) => {
      const codePoint = controlCharacter(line);
      if (codePoint !== undefined) {
        const character = `U+${codePoint.toString(16).padStart(4, '0')}`;
        throw new NeError('UNSAFE_DEVICE_INPUT', this.ne.id, `${what} ${lineIndex + 1} holds control character ${character}`, {
          details: { lineIndex, codePoint, line: JSON.stringify(line).slice(0, 200) },
        });
      }
    });
  }

  private compileCheckRegex(source: string): RegExp {
    try {
      return new RegExp(source, 'm');
    } catch (error) {
      throw new NeError('CATALOG_INVALID', this.ne.id, `check regex is invalid: ${source}`, { cause: error });
    }
  }

  private unsupported(protocol: string): NeError {
    return new NeError('NE_UNSUPPORTED', this.ne.id, `the SSH CLI adapter cannot handle a ${protocol} change or check`);
  }

  /** Translates anything thrown below this boundary (ssh2, sockets, the shell reader) into an NeError. */
  private toNeError(error: unknown, when: string, details: Record<string, unknown> = {}): NeError {
    if (error instanceof NeError) return error;
    const id = this.ne.id;
    if (error instanceof ShellError) {
      if (error.kind === 'timeout') return new NeError('NE_TIMEOUT', id, `no prompt within ${this.ne.commandTimeoutMs} ms ${when}`, { details });
      if (error.kind === 'overflow') {
        return new NeError('NE_PROTOCOL_ERROR', id, `more than ${MAX_BUFFERED_CHARS} characters without a prompt ${when}`, { details });
      }
      return new NeError('NE_CONNECTION_FAILED', id, `the session dropped ${when}`, { cause: error.cause, details });
    }
    const facts = errorFacts(error);
    const [code, text] = classify(facts, when, this.ne);
    const cause = facts.code === undefined ? {} : { cause: facts.code };
    return new NeError(code, id, text, { cause: error, details: { ...details, ...cause } });
  }
}

/** Why a read on the shell ended without a prompt. */
class ShellError extends Error {
  constructor(
    readonly kind: 'timeout' | 'closed' | 'overflow',
    cause?: unknown,
  ) {
    super(`shell ${kind}`, cause === undefined ? undefined : { cause });
    this.name = 'ShellError';
  }
}

interface Waiter {
  done: (raw: string) => boolean;
  resolve: (raw: string) => void;
  reject: (error: ShellError) => void;
}

/** One interactive shell: buffers what the device prints until a caller's condition holds. */
class CliShell {
  private raw = '';
  private waiter: Waiter | undefined;
  private failure: ShellError | undefined;
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
    channel.on('close', () => this.end(new ShellError('closed')));
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
    this.raw = '';
  }

  readUntil(done: (raw: string) => boolean): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ShellError('timeout'));
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
    this.raw += text;
    // The next command discards unsolicited output anyway; only keep it from growing meanwhile.
    if (!this.waiter && this.raw.length > MAX_BUFFERED_CHARS) this.raw = this.raw.slice(-MAX_UNSOLICITED_CHARS);
    this.check();
  }

  private check(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.raw.length > MAX_BUFFERED_CHARS) {
      waiter.reject(new ShellError('overflow'));
    } else if (waiter.done(this.raw)) {
      const raw = this.raw;
      this.raw = '';
      waiter.resolve(raw);
    }
  }
}

function openShell(client: SshClient, timeoutMs: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new ShellError('timeout')), timeoutMs);
    client.shell({ term: 'vt100', cols: PTY_COLUMNS, rows: PTY_ROWS }, (error, channel) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(channel);
    });
  });
}

async function shutDown(session: { client: SshClient; socket: Socket }): Promise<void> {
  const { client, socket } = session;
  try {
    if (socket.destroyed) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    client.end();
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(timer);
  } catch {
    socket.destroy();
  }
}

// --- terminal text ---

/** What a terminal would show: escapes stripped, CR-LF as LF, a bare CR or a backspace overwriting. */
function cleanTerminalOutput(raw: string): string {
  return raw
    .replace(ANSI_ESCAPE, '')
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      let shown = '';
      for (const ch of line.slice(line.lastIndexOf('\r') + 1)) {
        if (ch === '\b') shown = shown.slice(0, -1);
        else if (ch === '\t' || (ch >= ' ' && ch !== '\x7f')) shown += ch;
      }
      return shown;
    })
    .join('\n');
}

/** The hostname, once the same prompt-shaped line has been seen twice with the second one last. */
function discoveredHostname(raw: string): string | undefined {
  const lines = cleanTerminalOutput(raw).split('\n');
  const last = lines.at(-1)?.trim() ?? '';
  if (!PROMPT_SHAPE.test(last) || !lines.slice(0, -1).some((line) => line.trim() === last)) return undefined;
  return last.replace(/(?:\([^)]*\))?[#>]$/, '');
}

function promptPattern(hostname: string): RegExp {
  const base = hostname.slice(0, PROMPT_HOSTNAME_CHARS).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${base}[^\\s#>()]*(?:\\([^)\\n]{1,64}\\))?[#>]\\s?$`);
}

function endsWithPrompt(raw: string, prompt: RegExp): boolean {
  return prompt.test(cleanTerminalOutput(raw.slice(raw.lastIndexOf('\n') + 1)));
}

function commandOutput(raw: string, command: string): string {
  const lines = cleanTerminalOutput(raw).split('\n');
  lines.pop();
  if (lines[0]?.trimEnd().endsWith(command.trim())) lines.shift();
  return lines.join('\n');
}

function cap(text: string): string {
  return text.length <= MAX_OBSERVED_CHARS ? text : `${text.slice(0, MAX_OBSERVED_CHARS)}\n... (${text.length - MAX_OBSERVED_CHARS} more characters)`;
}

/** C0 controls, DEL and C1 controls (0x9b is a one-byte CSI on some terminals). */
function controlCharacter(line: string): number | undefined {
  for (const ch of line) {
    const codePoint = ch.codePointAt(0) ?? 0;
    if (codePoint < 0x20 || codePoint === 0x7f || (codePoint >= 0x80 && codePoint <= 0x9f)) return codePoint;
  }
  return undefined;
}

// --- host keys ---

interface PinnedKey {
  type: string;
  blob: Buffer;
}

/**
 * Reads an OpenSSH public-key line. authorized_keys lines may start with options and known_hosts
 * lines with host patterns, so the key is the first pair of fields whose blob names its own type.
 */
function parsePinnedKey(line: string): PinnedKey | undefined {
  const fields = line.trim().split(/\s+/);
  for (let i = 0; i + 1 < fields.length; i += 1) {
    const type = fields[i] ?? '';
    const blob = Buffer.from(fields[i + 1] ?? '', 'base64');
    if (blobType(blob) === type) return { type, blob };
  }
  return undefined;
}

function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  return 4 + length <= blob.length ? blob.toString('latin1', 4, 4 + length) : undefined;
}

function algorithmsFor(pinned: PinnedKey[], legacy: boolean): Algorithms {
  const hostKeys = [...new Set(pinned.flatMap(({ type }) => [...(HOST_KEY_ALGORITHMS[type]?.modern ?? []), ...(legacy ? (HOST_KEY_ALGORITHMS[type]?.legacy ?? []) : [])]))];
  return {
    ...(legacy ? LEGACY_ALGORITHMS : {}),
    // Offer only the types we hold a pin for; with none usable, let ssh2 negotiate and the verifier refuse.
    ...(hostKeys.length > 0 ? { serverHostKey: hostKeys } : {}),
  };
}

function hostKeyMismatch(neId: string, presented: Buffer): NeError {
  const fingerprint = `SHA256:${createHash('sha256').update(presented).digest('base64').replace(/=+$/, '')}`;
  return new NeError('NE_HOST_KEY_MISMATCH', neId, `host key ${fingerprint} is not pinned in the inventory (ssh.hostKeys)`, {
    details: { fingerprint, presentedKey: `${blobType(presented) ?? 'unknown'} ${presented.toString('base64')}` },
  });
}

interface ErrorFacts {
  message: string;
  /** errno name (`ECONNREFUSED`) or SSH disconnect reason. */
  code: string | number | undefined;
  /** Where ssh2 saw the error: `client-authentication`, `client-timeout`, `client-socket`, `handshake`... */
  level: string | undefined;
}

/** The fleet error code and message for an ssh2 or socket error. */
function classify({ message, code, level }: ErrorFacts, when: string, ne: NetworkElement): [ErrorCode, string] {
  if (level === 'client-authentication') return ['NE_AUTHENTICATION_FAILED', 'the device refused the credentials'];
  // ssh2 names the problem but never echoes key material in these messages.
  if (message.startsWith('Cannot parse privateKey') || message.includes('private key')) {
    return ['NE_AUTHENTICATION_FAILED', `the private key cannot be used (${message})`];
  }
  if (level === 'client-timeout' && when === CONNECTING) return ['NE_TIMEOUT', `no SSH handshake within ${ne.connectTimeoutMs} ms`];
  if (code === TOO_MANY_CONNECTIONS || message.startsWith('(SSH) Channel open failure')) {
    return ['NE_SESSION_LIMIT', `the device refused another session (${message})`];
  }
  if (message.startsWith('Handshake failed')) return ['NE_PROTOCOL_ERROR', `${message} (ssh.legacyAlgorithms allows older algorithms)`];
  // Refused, unreachable, reset, keepalive lost: worth another try later.
  return ['NE_CONNECTION_FAILED', `${message} ${when}`];
}

function errorFacts(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) return { message: String(error), code: undefined, level: undefined };
  const fields = error as Error & { code?: unknown; level?: unknown };
  return {
    message: error.message,
    code: typeof fields.code === 'string' || typeof fields.code === 'number' ? fields.code : undefined,
    level: typeof fields.level === 'string' ? fields.level : undefined,
  };
}
