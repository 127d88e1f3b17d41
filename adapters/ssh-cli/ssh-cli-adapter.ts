import type { Logger } from 'pino';
import { FleetError } from '../../errors/fleet-error.js';
import { NeError } from '../../errors/ne-error.js';
import type { CliPlatformProfile } from './cli-platforms.js';
import type { NeCredentials } from '../ne-credentials.js';
import type { NetworkElement } from '../network-element.js';
import { cliProfileOf } from './ssh-profile.js';
import type { OperationContext } from '../audit.js';
import type { ChangeSet, Check, CheckResult } from '../change-set.js';
import { capDeviceText, ExchangeRecorder } from '../exchange-recorder.js';
import type { NeAdapter } from '../ne-adapter.js';
import { SshConnection } from '../ssh-connection.js';
import { CliShell, openShell, ShellError } from './cli-shell.js';
import { CONNECTING, openSshTransport } from '../ssh-transport.js';
import { PARSER_ERROR_PATTERNS, toNeError } from './ssh-error-translation.js';
import { configBlocks, hasLine } from './config-blocks.js';
import { cleanTerminalOutput, commandOutput, controlCharacter, discoveredHostname, endsWithPrompt, isConfigPrompt, promptPattern } from './terminal-text.js';

const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;
/**
 * The longest a close waits for the device to end the session (the CLI process to exit after the
 * logout, then the connection), before the socket is destroyed. Only a device that does not
 * answer takes this long; until then the session still counts against its maxSessions.
 */
const MAX_CLOSE_WAIT_MS = 5_000;
/** Ends a CLI session from exec mode, on IOS-like CLIs and vtysh alike. */
const LOGOUT_COMMAND = 'exit';
/** Failures after which the shell is still in step with our reads, so the session is kept. */
const SESSION_KEEPING_CODES = new Set(['NE_COMMAND_REJECTED', 'UNSAFE_DEVICE_INPUT']);
/** In exec mode these end the CLI session (vtysh: a second `exit` after leaving `(config)`). */
const SESSION_ENDING_LINE = /^\s*(?:exit|quit|logout)\s*$/i;

export interface SshCliAdapterOptions {
  log?: Logger;
}

interface Session {
  connection: SshConnection;
  shell: CliShell;
  /** Any prompt of this device, in exec, config or a config sub-mode. */
  prompt: RegExp;
}

/** One command sent and what the device answered to it. */
interface Exchange {
  output: string;
  /** The device's own words when the output matches an error pattern. */
  deviceError: string | undefined;
}

/**
 * NE adapter for devices configured through an interactive SSH CLI (IOS-like, FRR vtysh), with
 * Netmiko's discipline: pinned host key, banner and MOTD skipped, prompt discovered, paging
 * disabled, every read bounded by the prompt, a timeout and a size cap, device error patterns
 * checked on every line. One shell runs one command at a time, so commands are queued. Every
 * command sent is reported to the caller's audit sink.
 */
export class SshCliAdapter implements NeAdapter {
  readonly ne: NetworkElement;
  private readonly credentials: NeCredentials;
  private readonly log: Logger | undefined;
  private readonly errorPatterns: RegExp[];
  /** The platform's profile with the NE's own settings over it. */
  private readonly profile: CliPlatformProfile;
  private session: Session | undefined;
  private opening: Promise<Session> | undefined;
  /** Bumped by close(), so a session that finishes opening after it is thrown away. */
  private generation = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Sessions being shut down, so close() resolves only once the device has ended every one of them. */
  private readonly shutdowns = new Map<Session, Promise<void>>();
  private readonly closeTimeoutMs: number;
  /** The audit trail; exchanges made with no sink (a pool opens sessions before any operation) wait for the next one. */
  private readonly recorder: ExchangeRecorder;
  /** The context of the operation running on the shell, so a logout it causes is in its trail. */
  private running: OperationContext | undefined;
  /** The context of the last close(), for the logout of a session no operation is running on. */
  private closer: OperationContext | undefined;

  constructor(ne: NetworkElement, credentials: NeCredentials, options: SshCliAdapterOptions = {}) {
    this.ne = ne;
    this.credentials = credentials;
    this.log = options.log?.child({ neId: ne.id, adapter: 'ssh-cli' });
    this.profile = cliProfileOf(ne);
    const configured = this.profile.errorPatterns.map((pattern) => {
      try {
        return new RegExp(pattern, 'm');
      } catch (error) {
        throw new NeError('INVENTORY_INVALID', ne.id, `ssh.errorPatterns holds an invalid regex: ${pattern}`, { cause: error });
      }
    });
    this.errorPatterns = [...configured, ...PARSER_ERROR_PATTERNS];
    this.closeTimeoutMs = Math.min(ne.commandTimeoutMs, MAX_CLOSE_WAIT_MS);
    this.recorder = new ExchangeRecorder({ neId: ne.id, protocol: 'ssh-cli', secrets: [credentials.password, credentials.passphrase], log: this.log });
  }

  async open(): Promise<void> {
    await this.ensureSession();
  }

  /** Whether the session is still usable; false once the device dropped it or a read failed. */
  isOpen(): boolean {
    return this.session?.shell.usable ?? false;
  }

  /**
   * Sends the lines one by one in configuration mode, then leaves it. Side effect: changes the
   * device. A device error stops at the offending line; the error details say how many lines
   * went in before it, so the caller can undo them. Lines may leave and re-enter configuration
   * mode (`end`, `configure terminal`), but never end the session from exec mode.
   */
  async apply(change: ChangeSet, ctx: OperationContext = {}): Promise<void> {
    if (change.protocol !== 'ssh-cli') throw this.unsupported(change.protocol);
    const { configEnterCommand, configExitCommand } = this.profile;
    this.assertSafe([configEnterCommand, configExitCommand], 'ssh.configEnterCommand/configExitCommand');
    this.assertSafe(change.lines, 'line');
    if (change.lines.length === 0) return;

    await this.serialize(ctx, async (session) => {
      await this.runAccepted(session, configEnterCommand, ctx);
      let applied = 0;
      try {
        for (const [lineIndex, line] of change.lines.entries()) {
          const details = { line, lineIndex, appliedLines: applied, totalLines: change.lines.length };
          if (SESSION_ENDING_LINE.test(line) && !isConfigPrompt(session.shell.lastPrompt)) {
            throw new NeError('UNSAFE_DEVICE_INPUT', this.ne.id, `line ${lineIndex + 1} "${line}" would end the CLI session: the device is no longer in configuration mode`, {
              details,
            });
          }
          await ctx.beforeWrite?.();
          const { output, deviceError } = await this.exchange(session, line, ctx, details);
          if (deviceError !== undefined) {
            throw new NeError('NE_COMMAND_REJECTED', this.ne.id, `line ${lineIndex + 1} "${line}" rejected: ${deviceError}`, {
              // `applied: 'none'`: the device refused the very first line, so it took nothing of the change.
              details: { ...details, deviceError, deviceOutput: capDeviceText(this.recorder.redact(output)), ...(applied === 0 ? { applied: 'none' } : {}) },
            });
          }
          applied += 1;
        }
      } catch (error) {
        // A clean rejection leaves a usable session: leave config mode before reporting. Any other
        // failure tears the session down, and a CLI device leaves config mode when the vty drops.
        const refusedByCaller = error instanceof FleetError && !(error instanceof NeError);
        if (refusedByCaller || (error instanceof NeError && SESSION_KEEPING_CODES.has(error.code))) await this.leaveConfigModeQuietly(session, ctx);
        throw error;
      }
      await this.leaveConfigMode(session, ctx);
      this.log?.debug({ lines: applied }, 'ssh-cli change applied');
    });
  }

  /**
   * Runs an exec command and checks its output. Reads only. A command the device refuses throws
   * NE_COMMAND_REJECTED rather than failing the check, so an `absent` check cannot pass on an error.
   * `matches` is a multiline regex (`^`/`$` match at each line). `within` scopes the check to the
   * body of the config blocks opened by that line: a block that is not there holds nothing. With
   * none of `line`, `contains` and `matches`, the check only asserts the command is accepted.
   */
  async verify(check: Check, ctx: OperationContext = {}): Promise<CheckResult> {
    if (check.protocol !== 'ssh-cli') throw this.unsupported(check.protocol);
    this.assertSafe([check.command], 'check command');
    const matcher = check.matches === undefined ? undefined : this.compileCheckRegex(check.matches);

    return this.serialize(ctx, async (session) => {
      const { output, deviceError } = await this.exchange(session, check.command, ctx);
      if (deviceError !== undefined) {
        throw new NeError('NE_COMMAND_REJECTED', this.ne.id, `"${check.command}" rejected: ${deviceError}`, {
          details: { command: check.command, deviceError },
        });
      }
      const scoped = check.within === undefined ? output : configBlocks(output, check.within);
      const found =
        scoped !== undefined &&
        (check.line === undefined || hasLine(scoped, check.line)) &&
        (check.contains === undefined || scoped.includes(check.contains)) &&
        (matcher === undefined || matcher.test(scoped));
      return { passed: check.absent === true ? !found : found, observed: capDeviceText(this.recorder.redact(output.trim())) };
    });
  }

  /**
   * Logs out and resolves once the device has ended the session (its CLI process exited and it
   * hung up), or after a bounded wait: a pool counts the session against `maxSessions` until then.
   * Waits for sessions opening or shutting down too. Idempotent; never throws.
   */
  async close(ctx: OperationContext = {}): Promise<void> {
    // The logout of a session closed outside any operation (a pool retiring an idle session) goes
    // to the closer's sink, with whatever the session did before any operation had one.
    this.closer = ctx;
    this.recorder.reportUnreported(ctx);
    this.generation += 1;
    const session = this.session;
    this.session = undefined;
    if (session) void this.shutDown(session);
    // A session still opening is shut down by the call that opened it, which sees the new generation.
    await this.opening?.then((opened) => this.shutDown(opened)).catch(() => undefined);
    await Promise.all(this.shutdowns.values());
  }

  // --- session lifecycle ---

  private async ensureSession(ctx: OperationContext = {}): Promise<Session> {
    if (this.session?.shell.usable) return this.session;
    if (this.session) void this.shutDown(this.session);
    this.session = undefined;
    const generation = this.generation;
    this.opening ??= this.startSession(ctx).finally(() => {
      this.opening = undefined;
    });
    const session = await this.opening;
    if (generation !== this.generation) {
      void this.shutDown(session);
      throw new NeError('NE_CONNECTION_FAILED', this.ne.id, 'the adapter was closed while the session was opening');
    }
    this.session = session;
    return session;
  }

  /** Ends the shell (logging out when it is idle), then the connection. One shutdown per session. */
  private shutDown(session: Session): Promise<void> {
    let done = this.shutdowns.get(session);
    if (!done) {
      const deadline = Date.now() + this.closeTimeoutMs;
      const ctx = this.running ?? this.closer ?? {};
      const startedAt = new Date();
      const idle = session.shell.usable;
      done = session.shell
        .close(this.closeTimeoutMs, LOGOUT_COMMAND)
        .then(() => this.audit(ctx, 'session-close', idle ? `logout ${LOGOUT_COMMAND}` : 'session dropped', '', startedAt))
        .then(() => session.connection.close(deadline - Date.now()))
        .finally(() => this.shutdowns.delete(session));
      this.shutdowns.set(session, done);
    }
    return done;
  }

  private async startSession(ctx: OperationContext): Promise<Session> {
    const startedAt = new Date();
    const login = `login ${this.credentials.username ?? ''}@${this.ne.host}:${this.ne.port}`;
    let connection: SshConnection;
    try {
      connection = await this.connect();
    } catch (error) {
      const neError = this.toNeError(error, CONNECTING);
      this.audit(ctx, 'session-open', login, '', startedAt, neError.code);
      throw neError;
    }
    let shell: CliShell | undefined;
    let loggedIn = false;
    try {
      const channel = await openShell(connection, this.ne.commandTimeoutMs);
      const liveShell = new CliShell(channel, this.ne.commandTimeoutMs);
      shell = liveShell;
      connection.onLost((reason) => liveShell.end(new ShellError('closed', reason)));

      // Banners and MOTDs may hold lines ending in `#` or `>`: send a newline and take the line that
      // then shows up twice (the prompt printed after the banner, and again after our newline).
      shell.write('\n');
      const hostname = discoveredHostname(await shell.readUntil((raw) => discoveredHostname(raw) !== undefined));
      if (hostname === undefined) throw new ShellError('closed');
      this.audit(ctx, 'session-open', login, `prompt ${shell.lastPrompt.trim()}`, startedAt);
      loggedIn = true;
      const session: Session = { connection, shell, prompt: promptPattern(hostname) };
      if (this.profile.pagingCommand) await this.runAccepted(session, this.profile.pagingCommand, ctx);
      this.log?.debug({ host: this.ne.host, port: this.ne.port, hostname }, 'ssh-cli session open');
      return session;
    } catch (error) {
      const neError = this.toNeError(error, shell ? 'while starting the CLI session' : 'while opening the shell channel');
      // The open fails only once the device has let go of the session: nothing lingers uncounted.
      const deadline = Date.now() + this.closeTimeoutMs;
      await shell?.close(this.closeTimeoutMs);
      await connection.close(deadline - Date.now());
      // After the prompt, the failing command has its own entry.
      if (!loggedIn) this.audit(ctx, 'session-open', login, '', startedAt, neError.code);
      throw neError;
    }
  }

  private async connect(): Promise<SshConnection> {
    const { ne, credentials } = this;
    if (!credentials.username || (!credentials.password && !credentials.privateKey)) {
      throw new NeError('CREDENTIALS_UNAVAILABLE', ne.id, 'SSH needs a username and a password or a private key');
    }
    return openSshTransport({
      neId: ne.id,
      host: ne.host,
      port: ne.port,
      username: credentials.username,
      password: credentials.password,
      privateKey: credentials.privateKey,
      passphrase: credentials.passphrase,
      hostKeys: ne.ssh.hostKeys,
      legacyAlgorithms: ne.ssh.legacyAlgorithms,
      connectTimeoutMs: ne.connectTimeoutMs,
      closeTimeoutMs: this.closeTimeoutMs,
      keepaliveIntervalMs: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
    });
  }

  // --- commands ---

  /** Queues the task behind the ones already running on this shell. */
  private serialize<T>(ctx: OperationContext, task: (session: Session) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.running = ctx;
      this.recorder.reportUnreported(ctx);
      const session = await this.ensureSession(ctx);
      try {
        return await task(session);
      } catch (error) {
        // The caller's own refusal (its write guard): not a device failure, and the session is fine.
        if (error instanceof FleetError && !(error instanceof NeError)) throw error;
        const neError = this.toNeError(error, 'during the command');
        // After a timeout or a cut the shell's output is out of step with our reads: drop it.
        if (!SESSION_KEEPING_CODES.has(neError.code)) {
          this.log?.debug({ code: neError.code }, 'ssh-cli session discarded after a failed command');
          this.discard(session);
        }
        throw neError;
      } finally {
        this.running = undefined;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Sends one command and returns its output (without the echo and the final prompt), checked
   * against the error patterns. Every command sent is audited, whatever came of it.
   */
  private async exchange(session: Session, command: string, ctx: OperationContext, details: Record<string, unknown> = {}): Promise<Exchange> {
    const startedAt = new Date();
    let output: string;
    try {
      session.shell.discard();
      session.shell.write(`${command}\n`);
      const raw = await session.shell.readUntil((text) => endsWithPrompt(text, session.prompt));
      output = commandOutput(raw, command);
    } catch (error) {
      const neError = this.toNeError(error, `after "${command}"`, { command, ...details });
      // What the device printed before the read gave up, so the trail shows how far it got.
      this.audit(ctx, 'cli-command', command, commandOutput(`${session.shell.pending()}\n`, command), startedAt, neError.code);
      throw neError;
    }
    const deviceError = this.deviceError(output);
    this.audit(ctx, 'cli-command', command, output, startedAt, deviceError === undefined ? undefined : 'NE_COMMAND_REJECTED');
    return { output, deviceError };
  }

  private async runAccepted(session: Session, command: string, ctx: OperationContext): Promise<void> {
    const { deviceError } = await this.exchange(session, command, ctx);
    if (deviceError !== undefined) {
      throw new NeError('NE_COMMAND_REJECTED', this.ne.id, `"${command}" rejected: ${deviceError}`, { details: { command, deviceError } });
    }
  }

  /**
   * Back to exec mode with the configured exit command (`end`). Lines that already left
   * configuration mode (vtysh's `exit` from `(config)`, a final `end`) need none.
   */
  private async leaveConfigMode(session: Session, ctx: OperationContext): Promise<void> {
    if (!isConfigPrompt(session.shell.lastPrompt)) return;
    const command = this.profile.configExitCommand;
    try {
      await this.runAccepted(session, command, ctx);
      // The prompt the exit command ended on: still `(config...)` means the device kept us in.
      if (isConfigPrompt(session.shell.lastPrompt)) throw new NeError('NE_PROTOCOL_ERROR', this.ne.id, `still in configuration mode after "${command}"`);
    } catch (error) {
      // Stuck in config mode is no state to hand the session on in.
      this.discard(session);
      throw error;
    }
  }

  private async leaveConfigModeQuietly(session: Session, ctx: OperationContext): Promise<void> {
    try {
      await this.leaveConfigMode(session, ctx);
    } catch (error) {
      this.log?.warn({ err: error }, 'ssh-cli could not leave configuration mode; session dropped');
    }
  }

  private discard(session: Session): void {
    session.shell.end(new ShellError('closed'));
    if (this.session === session) this.session = undefined;
    void this.shutDown(session);
  }

  // --- checks, audit and translation ---

  /** The device's own words when the output matches an error pattern. */
  private deviceError(output: string): string | undefined {
    for (const pattern of this.errorPatterns) {
      const match = pattern.exec(output);
      if (match) return match[0].trim();
    }
    return undefined;
  }

  /** Reports one exchange, or keeps it for the next operation with a sink (a login, set-up commands). */
  private audit(ctx: OperationContext, operation: string, request: string, reply: string, startedAt: Date, errorCode?: string): void {
    this.recorder.record(ctx, { operation, request, reply: cleanTerminalOutput(reply), errorCode, startedAt }, { keepForNextSink: true });
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

  private toNeError(error: unknown, when: string, details: Record<string, unknown> = {}): NeError {
    return toNeError(error, this.ne, when, details);
  }
}

