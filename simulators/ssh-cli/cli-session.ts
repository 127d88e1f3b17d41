import type { ServerChannel } from 'ssh2';
import type { CliConfigModel, ConfigNode } from './cli-config-model.js';

/** What one shell needs from the simulator: the shared config and the injected faults. */
export interface CliSessionContext {
  readonly hostname: string;
  readonly motd: string;
  readonly model: CliConfigModel;
  readonly rejectPatterns: readonly RegExp[];
  latencyMs(): number;
  /** The `% Error:` message for a config line the test wants to fail, if any. */
  failureFor(line: string): string | undefined;
  /** Whether the test wants the connection dropped when this line arrives. */
  dropsOn(line: string): boolean;
  /** Every configuration line the device took, in order (for tests counting applies). */
  taken(line: string): void;
  /** Called once a configuration line is taken, before its prompt goes back: a test may act (kill the client) while the reply waits. */
  afterTaken?(line: string): Promise<void> | void;
  /** Whether the session freezes at this line (a hung CLI process): nothing is answered from then on. */
  freezesOn?(line: string): boolean;
}

type Mode = { kind: 'exec' } | { kind: 'config' } | { kind: 'block'; node: ConfigNode; name: string };

const MORE = ' --More-- ';
// How IOS wipes the pager prompt: back over it, blank it, back again.
const ERASE_MORE = '\b'.repeat(MORE.length) + ' '.repeat(MORE.length) + '\b'.repeat(MORE.length);
const INVALID_INPUT = "% Invalid input detected at '^' marker.";

/**
 * One interactive shell of the simulated NE: echo and line editing, exec/config/block modes,
 * a `--More--` pager until `terminal length 0`, and a few exec commands. Input is handled
 * strictly in order (type-ahead waits for the previous reply), as on a real terminal line.
 */
export class CliSession {
  private mode: Mode = { kind: 'exec' };
  private lineBuffer = '';
  private lastWasCr = false;
  private pager: string[] | undefined;
  private closed = false;
  /** Whether the line being handled was taken into the configuration (for afterTaken). */
  private tookLine = false;
  private frozen = false;
  private input: Promise<void> = Promise.resolve();

  constructor(
    private readonly channel: ServerChannel,
    private readonly context: CliSessionContext,
    private terminalLength: number,
    /** Cuts the connection abruptly (fault injection). */
    private readonly disconnect: () => void,
  ) {
    channel.on('data', (data: Buffer) => {
      this.input = this.input.then(() => this.consume(data.toString('utf8'))).catch(() => this.drop());
    });
    channel.on('close', () => {
      this.closed = true;
    });
    channel.on('error', () => {
      // A write racing the peer's disconnect; the close that follows ends the session.
      this.closed = true;
    });
    this.write(`\n${context.motd}\n\n${this.prompt()}`);
  }

  private async consume(text: string): Promise<void> {
    let echo = '';
    for (const ch of text) {
      if (this.closed || this.frozen) return;
      if (this.pager) {
        this.pageKey(ch);
        continue;
      }
      const crlf = ch === '\n' && this.lastWasCr;
      this.lastWasCr = ch === '\r';
      if (crlf) continue;
      if (ch === '\r' || ch === '\n') {
        if (this.context.freezesOn?.(this.lineBuffer.trim())) {
          this.frozen = true;
          return;
        }
        this.write(`${echo}\n`);
        echo = '';
        const line = this.lineBuffer;
        this.lineBuffer = '';
        await this.handleLine(line);
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.lineBuffer.length > 0) {
          this.lineBuffer = this.lineBuffer.slice(0, -1);
          echo += '\b \b';
        }
      } else if (ch === '\x1a') {
        // Ctrl-Z: leave configuration mode from anywhere, like `end`.
        this.mode = { kind: 'exec' };
        this.write(`${echo}^Z\n${this.prompt()}`);
        echo = '';
      } else if (ch >= ' ') {
        this.lineBuffer += ch;
        echo += ch;
      }
    }
    if (echo) this.write(echo);
  }

  private async handleLine(line: string): Promise<void> {
    const command = line.trim();
    if (this.context.dropsOn(command)) return this.drop();
    const latencyMs = this.context.latencyMs();
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (this.closed) return;
    this.tookLine = false;
    const output = this.mode.kind === 'exec' ? this.exec(command) : this.configure(command);
    if (output === 'logout') return this.logout();
    if (this.tookLine && this.context.afterTaken) await this.context.afterTaken(command);
    if (this.closed) return;
    this.show(output);
  }

  private exec(command: string): string[] | 'logout' {
    if (command === '') return [];
    if (command === 'exit' || command === 'logout') return 'logout';
    if (command === 'configure terminal' || command === 'configure' || command === 'conf t') {
      this.mode = { kind: 'config' };
      return ['Enter configuration commands, one per line.  End with CNTL/Z.'];
    }
    const length = /^terminal length (\d+)$/.exec(command)?.[1];
    if (length !== undefined) {
      this.terminalLength = Number(length);
      return [];
    }
    if (/^terminal width \d+$/.test(command)) return [];
    if (command === 'show version') return [`Simulated CLI network element, hostname ${this.context.hostname}`, 'Software version 1.0 (simulator)'];

    const pipe = /^(.*?)\s*\|\s*include\s+(.+)$/.exec(command);
    const base = pipe?.[1] ?? command;
    if (base !== 'show running-config' && base !== 'show run') return [`% Unknown command: ${command}`];
    const text = runningConfigText(this.context.model).split('\n');
    if (pipe?.[2] === undefined) return text;
    try {
      const filter = new RegExp(pipe[2]);
      return text.filter((line) => filter.test(line));
    } catch {
      return [INVALID_INPUT];
    }
  }

  private configure(command: string): string[] {
    if (command === 'end') {
      this.mode = { kind: 'exec' };
      return [];
    }
    if (command === 'exit') {
      this.mode = this.mode.kind === 'block' ? { kind: 'config' } : { kind: 'exec' };
      return [];
    }
    if (command.startsWith('do ')) {
      const output = this.exec(command.slice(3).trim());
      return output === 'logout' ? [INVALID_INPUT] : output;
    }
    if (this.context.rejectPatterns.some((pattern) => pattern.test(command))) return [INVALID_INPUT];
    const failure = this.context.failureFor(command);
    if (failure !== undefined) return [`% Error: ${failure}`];

    const block = this.context.model.applyLine(command, this.mode.kind === 'block' ? this.mode.node : undefined);
    this.context.taken(command);
    this.tookLine = true;
    if (!block) this.mode = { kind: 'config' };
    else {
      const keyword = this.context.model.blockKeyword(block.line) ?? 'sub';
      this.mode = { kind: 'block', node: block, name: keyword.replace(/ /g, '-') };
    }
    return [];
  }

  /** Writes command output then the prompt, pausing at `--More--` when the output is longer than the terminal. */
  private show(lines: string[]): void {
    const pageSize = this.terminalLength - 1;
    if (this.terminalLength <= 0 || lines.length <= pageSize) {
      this.write(lines.map((line) => `${line}\n`).join('') + this.prompt());
      return;
    }
    this.pager = lines;
    this.nextPage(pageSize);
  }

  private pageKey(key: string): void {
    this.write(ERASE_MORE);
    if (key === 'q' || key === 'Q') {
      this.pager = undefined;
      this.write(this.prompt());
      return;
    }
    // Return shows one more line, anything else a whole page (the IOS pager).
    this.nextPage(key === '\r' || key === '\n' ? 1 : this.terminalLength - 1);
  }

  private nextPage(count: number): void {
    const lines = this.pager ?? [];
    const page = lines.splice(0, count);
    this.write(page.map((line) => `${line}\n`).join(''));
    if (lines.length > 0) {
      this.write(MORE);
    } else {
      this.pager = undefined;
      this.write(this.prompt());
    }
  }

  private prompt(): string {
    const host = this.context.hostname;
    if (this.mode.kind === 'exec') return `${host}#`;
    if (this.mode.kind === 'config') return `${host}(config)#`;
    return `${host}(config-${this.mode.name})#`;
  }

  private write(text: string): void {
    if (this.closed || text === '') return;
    this.channel.write(text.replace(/\r?\n/g, '\r\n'));
  }

  private logout(): void {
    this.closed = true;
    this.channel.exit(0);
    this.channel.end();
  }

  /** Cuts the line without any goodbye, like a crashed vty or a reset TCP connection. */
  private drop(): void {
    this.closed = true;
    this.disconnect();
  }
}

/** The text of `show running-config`: IOS-style header, then the body. */
export function runningConfigText(model: CliConfigModel): string {
  const body = model.render();
  return `Building configuration...\n\nCurrent configuration : ${Buffer.byteLength(body)} bytes\n${body}`;
}
