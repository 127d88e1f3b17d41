/**
 * A device that speaks SSH properly and then misbehaves in its application, as a CLI (a shell
 * with a prompt) or as a NETCONF server (the `netconf` subsystem with a hello). Its faults are
 * the ones a hung or broken device shows once logged in. Loopback only; a test peer.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';
import { CAP_BASE_1_0, CAP_CANDIDATE } from '../../adapters/netconf/netconf-messages.js';
import { frameMessage } from '../netconf/sim-framing.js';
import { generateEd25519KeyPair } from '../ssh-host-key.js';

export type HostileSshBehaviour =
  /** The channel opens and nothing is ever printed: no prompt, no hello. */
  | 'silent'
  /** A normal greeting (prompt, hello), then at the first command the whole connection freezes: no answer, no SSH keepalive reply. */
  | 'freeze'
  /** A normal greeting, then at the first command the TCP connection is reset. */
  | 'reset'
  /** Garbage instead of a greeting: terminal noise with no prompt, or a framed NETCONF message that is not XML. */
  | 'garbage'
  /** A normal greeting, then the first command is answered with output that never ends. */
  | 'flood'
  /** The same, in small packets and without a single line end: the case that costs a reader most per byte. */
  | 'trickle';

export interface HostileSshPeerOptions {
  app: 'cli' | 'netconf';
  behaviour: HostileSshBehaviour;
  username: string;
  password: string;
  /** The CLI prompt is `<hostname>#`. @defaultValue 'hostile' */
  hostname?: string;
}

export interface HostileSshPeer {
  readonly host: string;
  readonly port: number;
  /** The host public key as an OpenSSH line, to pin. */
  readonly hostKey: string;
  /** TCP connections accepted so far. */
  accepted(): number;
  /** TCP connections open right now. */
  open(): number;
  close(): Promise<void>;
}

const NOISE = '\x1b[?1049h\x1b[H\x00\x07\xff\xfe garbled \x1b]0;\x07 >>> ### \r\n\x1b[31m%%%%\x1b[0m ';
const FLOOD_LINE = `${'interface GigabitEthernet0/0/0/0 description uplink '.repeat(4)}\r\n`.repeat(32);
const TRICKLE = 'x'.repeat(64);
const NETCONF_HELLO = `<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>${CAP_BASE_1_0}</capability><capability>${CAP_CANDIDATE}</capability></capabilities><session-id>7</session-id></hello>`;

export async function startHostileSshPeer(options: HostileSshPeerOptions): Promise<HostileSshPeer> {
  const keys = generateEd25519KeyPair();
  const hostname = options.hostname ?? 'hostile';
  const sockets = new Set<Socket>();
  let accepted = 0;

  const server = new ssh2.Server({ hostKeys: [keys.private] }, (connection: Connection, info) => {
    const socket = [...sockets].find((s) => s.remotePort === info.port);
    connection.on('error', () => undefined);
    connection.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === options.username && ctx.password === options.password) ctx.accept();
      else ctx.reject(['password']);
    });
    connection.on('ready', () => {
      connection.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (acceptPty) => acceptPty?.());
        session.on('window-change', (acceptChange) => acceptChange?.());
        session.on('shell', (acceptShell) => {
          if (options.app === 'cli') misbehave(acceptShell(), socket);
        });
        session.on('subsystem', (acceptSubsystem, rejectSubsystem, subsystem) => {
          if (options.app === 'netconf' && subsystem.name === 'netconf') misbehave(acceptSubsystem(), socket);
          else rejectSubsystem();
        });
      });
    });
  });

  const misbehave = (channel: ServerChannel, socket: Socket | undefined): void => {
    channel.on('error', () => undefined);
    if (options.behaviour === 'silent') return;
    if (options.behaviour === 'garbage') {
      channel.write(options.app === 'cli' ? NOISE : frameMessage('<<<this is not XML>>> \u0000', 'eom'));
      return;
    }
    // A greeting that works, so the fault comes mid-session.
    channel.write(options.app === 'cli' ? `\r\n${hostname}#` : frameMessage(NETCONF_HELLO, 'eom'));
    let seen = '';
    channel.on('data', (data: Buffer) => {
      seen += data.toString('utf8');
      if (options.app === 'cli') {
        // The prompt probe (an empty line) is answered; the first real command meets the fault.
        const lines = seen.split(/\r?\n/);
        seen = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') channel.write(`\r\n${hostname}#`);
          else return fault(channel, socket);
        }
      } else {
        // The client's hello is taken; its first RPC meets the fault.
        const messages = seen.split(']]>]]>');
        if (messages.length > 2 || (messages.length === 2 && !messages[0]?.includes('<hello'))) return fault(channel, socket);
      }
    });
  };

  const fault = (channel: ServerChannel, socket: Socket | undefined): void => {
    channel.removeAllListeners('data');
    switch (options.behaviour) {
      case 'freeze':
        // Nothing is read any more, so ssh2 answers nothing either, keepalives included.
        socket?.pause();
        return;
      case 'reset':
        socket?.resetAndDestroy();
        return;
      case 'flood':
      case 'trickle': {
        const text = options.behaviour === 'flood' ? FLOOD_LINE : TRICKLE;
        const pump = (): void => {
          while (!socket?.destroyed && channel.write(text));
          if (!socket?.destroyed) channel.once('drain', pump);
        };
        pump();
      }
    }
  };

  const tcp = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    server.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    host: '127.0.0.1',
    port: (tcp.address() as AddressInfo).port,
    hostKey: keys.public,
    accepted: () => accepted,
    open: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
