import { createServer, type Socket } from 'node:net';
import ssh2, { type AuthContext, type Connection, type ParsedKey } from 'ssh2';
import { CliConfigModel, DEFAULT_BLOCK_KEYWORDS, type ConfigNode } from './cli-config-model.js';
import { CliSession, runningConfigText, type CliSessionContext } from './cli-session.js';
import type { HeldFault } from '../hostile/held-fault.js';
import { generateEd25519KeyPair } from '../ssh-host-key.js';

export { generateEd25519KeyPair };

const { Server, utils } = ssh2;

export type SimulatorAuthMethod = 'password' | 'keyboard-interactive' | 'publickey';

export interface SshCliSimulatorOptions {
  username: string;
  password: string;
  /** @defaultValue `'sim-ne1'` */
  hostname?: string;
  /** @defaultValue `0` (any free port) */
  port?: number;
  /** Printed when a shell opens. The default holds lines ending in `#` and `>`, as real banners do, to trap naive prompt detection. */
  motd?: string;
  /** @defaultValue `['password', 'keyboard-interactive', 'publickey']` */
  authMethods?: SimulatorAuthMethod[];
  /** OpenSSH public-key lines accepted for `publickey` auth of `username`. */
  authorizedKeys?: string[];
  /** @defaultValue `interface`, `router`, `subscriber`, `mailbox`, `ip vrf` */
  blockKeywords?: string[];
  /** Config lines the parser refuses with `% Invalid input`. @defaultValue `[/^bogus/, /^reload/]` */
  rejectPatterns?: RegExp[];
  /** Open shells allowed at once; further session channels are refused. @defaultValue unlimited */
  maxSessions?: number;
  /** Address to listen on. @defaultValue 127.0.0.1 */
  host?: string;
  /** Config-mode lines applied at start, as if typed after `configure terminal`. */
  initialConfig?: string[];
}

/** A running simulated SSH CLI network element, with fault injection for tests. */
export interface SshCliSimulator {
  readonly host: string;
  readonly port: number;
  /** The host public key as an OpenSSH line (`ssh-ed25519 AAAA...`), to pin in the inventory. */
  readonly hostKey: string;
  /** Same text as `show running-config`. */
  runningConfig(): string;
  /** Config lines in order, children indented one space. */
  configLines(): string[];
  /** Delay before each reply. */
  setLatencyMs(ms: number): void;
  /** A config line matching `pattern` is answered `% Error: <message>` and not stored. */
  failOn(pattern: RegExp | null, message?: string): void;
  /** Cut the TCP connection, without SSH goodbye, when a line matching `pattern` arrives. */
  dropSessionOn(pattern: RegExp | null): void;
  /** Cuts every connection now (TCP destroyed under the sessions), as a device that reboots; resolves once they are gone. */
  dropSessions(): Promise<void>;
  /** The connections `fault` hits are accepted and never answered (no SSH at all), until the client gives up. */
  hangConnections(fault: HeldFault | null): void;
  /** The sessions `fault` hits freeze at their next command: no echo, no prompt, ever; the SSH layer stays up. */
  freezeSessions(fault: HeldFault | null): void;
  /** Shells open right now. */
  sessionCount(): number;
  /** The most logged-in sessions seen at once since start (or the last reset). */
  peakSessionCount(): number;
  /** Every configuration line taken since start, in order. */
  configHistory(): string[];
  /**
   * Calls `listener` for every configuration line taken, holding that line's prompt until it
   * resolves (null removes it). `from.peerPort` is the client's TCP port, so a test can tell
   * which client process sent the line.
   */
  onLineTaken(listener: ((line: string, from: { peerPort: number }) => Promise<void> | void) | null): void;
  resetPeakSessionCount(): void;
  close(): Promise<void>;
}

const DEFAULT_MOTD = [
  '\x1b[1m##################################################\x1b[0m',
  '#  Simulated network element. Authorised use only. #',
  '#  Unauthorised access is logged and prosecuted  >',
  '##################################################',
].join('\n');

export async function startSshCliSimulator(options: SshCliSimulatorOptions): Promise<SshCliSimulator> {
  const hostname = options.hostname ?? 'sim-ne1';
  const keys = generateEd25519KeyPair();
  const model = new CliConfigModel(options.blockKeywords ?? DEFAULT_BLOCK_KEYWORDS);
  let block: ConfigNode | undefined;
  for (const line of options.initialConfig ?? []) block = model.applyLine(line, block);

  let latencyMs = 0;
  let failure: { pattern: RegExp; message: string } | undefined;
  let dropPattern: RegExp | undefined;
  let hang: HeldFault | undefined;
  let freeze: HeldFault | undefined;
  let lineListener: ((line: string, from: { peerPort: number }) => Promise<void> | void) | undefined;
  const context: CliSessionContext = {
    hostname,
    motd: options.motd ?? DEFAULT_MOTD,
    model,
    rejectPatterns: options.rejectPatterns ?? [/^bogus/, /^reload/],
    latencyMs: () => latencyMs,
    taken: (line) => void history.push(line),
    afterTaken: (line) => lineListener?.(line, { peerPort: 0 }),
    failureFor: (line) => (failure?.pattern.test(line) ? failure.message : undefined),
    dropsOn: (line) => dropPattern?.test(line) ?? false,
  };

  // Sockets are accepted here and handed to ssh2, so a test can cut one abruptly.
  const sockets = new Map<number, Socket>();
  const shells = new Set<Connection>();
  const loggedIn = new Set<Connection>();
  const history: string[] = [];
  let peak = 0;
  const sshServer = new Server({ hostKeys: [keys.private], ident: 'SimCLI_1.0' }, (connection, info) => {
    const socket = sockets.get(info.port);
    const dropConnection = (): void => {
      socket?.destroy();
    };
    connection.on('error', () => {
      // The peer went away or broke the protocol; the socket close cleans up.
    });
    connection.on('close', () => {
      shells.delete(connection);
      loggedIn.delete(connection);
    });
    connection.on('authentication', (ctx) => authenticate(ctx, options));
    connection.on('ready', () => {
      loggedIn.add(connection);
      peak = Math.max(peak, loggedIn.size);
      connection.on('session', (acceptSession, rejectSession) => {
        if (shells.size >= (options.maxSessions ?? Infinity)) return rejectSession();
        const session = acceptSession();
        let rows = 24;
        session.on('pty', (acceptPty, _reject, pty) => {
          rows = pty.rows || rows;
          acceptPty?.();
        });
        session.on('window-change', (acceptChange) => acceptChange?.());
        session.on('exec', (_accept, rejectExec) => rejectExec?.());
        session.on('shell', (acceptShell) => {
          shells.add(connection);
          const channel = acceptShell();
          channel.on('close', () => shells.delete(connection));
          let frozen = false;
          const sessionContext: CliSessionContext = {
            ...context,
            afterTaken: (line) => lineListener?.(line, { peerPort: info.port }),
            freezesOn: (line) => {
              const fault = freeze;
              if (frozen || line === '' || !fault?.take()) return frozen;
              frozen = true;
              connection.once('close', () => fault.settle());
              return true;
            },
          };
          new CliSession(channel, sessionContext, rows, dropConnection);
        });
      });
    });
  });

  const tcpServer = createServer((socket) => {
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    // Echo and reply go out as separate writes: with Nagle on, the reply waits for a delayed ACK.
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(port));
    socket.on('error', () => socket.destroy());
    const fault = hang;
    if (fault?.take()) {
      // Accepted and left alone: the client sees a TCP connection that never speaks SSH.
      socket.once('close', () => fault.settle());
      // Read and ignored, so the client's hang-up is seen (a paused socket never notices the FIN).
      socket.resume();
      return;
    }
    sshServer.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    tcpServer.once('error', reject);
    tcpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = tcpServer.address();
  if (address === null || typeof address === 'string') throw new Error('simulator: no TCP address');

  return {
    host: options.host ?? '127.0.0.1',
    port: address.port,
    hostKey: keys.public,
    runningConfig: () => runningConfigText(model),
    configLines: () => model.lines(),
    setLatencyMs: (ms) => {
      latencyMs = ms;
    },
    failOn: (pattern, message = 'simulated failure') => {
      failure = pattern ? { pattern, message } : undefined;
    },
    dropSessionOn: (pattern) => {
      dropPattern = pattern ?? undefined;
    },
    hangConnections: (fault) => {
      hang = fault ?? undefined;
    },
    freezeSessions: (fault) => {
      freeze = fault ?? undefined;
    },
    dropSessions: async () => {
      const closing = [...sockets.values()].map((socket) => new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve))));
      for (const socket of sockets.values()) socket.destroy();
      await Promise.all(closing);
    },
    sessionCount: () => shells.size,
    peakSessionCount: () => peak,
    configHistory: () => [...history],
    onLineTaken: (listener) => {
      lineListener = listener ?? undefined;
    },
    resetPeakSessionCount: () => {
      peak = loggedIn.size;
    },
    close: async () => {
      for (const socket of sockets.values()) socket.destroy();
      await new Promise<void>((resolve) => tcpServer.close(() => resolve()));
    },
  };
}

function authenticate(ctx: AuthContext, options: SshCliSimulatorOptions): void {
  const methods = options.authMethods ?? ['password', 'keyboard-interactive', 'publickey'];
  const userOk = ctx.username === options.username;
  if (ctx.method === 'password' && methods.includes('password')) {
    return userOk && ctx.password === options.password ? ctx.accept() : ctx.reject(methods);
  }
  if (ctx.method === 'keyboard-interactive' && methods.includes('keyboard-interactive')) {
    return ctx.prompt([{ prompt: 'Password: ', echo: false }], 'Simulated NE login', '', (answers) => {
      if (userOk && answers[0] === options.password) ctx.accept();
      else ctx.reject(methods);
    });
  }
  if (ctx.method === 'publickey' && methods.includes('publickey')) {
    const key = userOk ? authorizedKeys(options).find((candidate) => candidate.getPublicSSH().equals(ctx.key.data)) : undefined;
    if (!key) return ctx.reject(methods);
    // Without a signature the client only asks whether the key would do (RFC 4252 7).
    if (!ctx.signature || !ctx.blob) return ctx.accept();
    return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject(methods);
  }
  ctx.reject(methods);
}

function authorizedKeys(options: SshCliSimulatorOptions): ParsedKey[] {
  return (options.authorizedKeys ?? []).flatMap((line) => {
    const parsed = utils.parseKey(line);
    if (parsed instanceof Error) return [];
    return Array.isArray(parsed) ? parsed : [parsed];
  });
}
