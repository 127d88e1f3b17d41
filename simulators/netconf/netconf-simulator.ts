/**
 * A NETCONF-over-SSH server for tests and demos: a simulated number-portability database (or any
 * XML tree) behind real SSH on loopback, with inspection and fault injection. A test peer, not
 * product code: one process, datastores in memory.
 */
import { generateEd25519KeyPair } from '../ssh-host-key.js';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { HeldFault } from '../hostile/held-fault.js';
import ssh2 from 'ssh2';
import type { Connection } from 'ssh2';
import {
  CAP_BASE_1_0,
  CAP_BASE_1_1,
  CAP_CANDIDATE,
  CAP_CONFIRMED_COMMIT_1_1,
  CAP_VALIDATE_1_1,
  CAP_WRITABLE_RUNNING,
} from '../../adapters/netconf/netconf-messages.js';
import { childElements, parseNetconfContent, serializeNodes } from '../../adapters/netconf/xml-tree.js';
import { NetconfServerState, type SimDatastore, type SimRpcRecord } from './netconf-server-state.js';
import { NetconfSimSession, type SimFaults, type SimInjectedError } from './netconf-sim-session.js';

export const NPDB_NS = 'urn:activation-fleet:sim:npdb';

export interface NetconfSimulatorOptions {
  /** @defaultValue 'netconf' */
  username?: string;
  /** @defaultValue 'netconf' */
  password?: string;
  /** Announce base:1.1 (chunked framing). @defaultValue true */
  base11?: boolean;
  /** Offer :candidate and :confirmed-commit:1.1; without, only :writable-running. @defaultValue true */
  candidate?: boolean;
  /** List element name -> key leaf name, on top of `ported-number` -> `msisdn`. */
  listKeys?: Record<string, string>;
  /** Initial running content as XML (children of the datastore). */
  initialConfigXml?: string;
  /** Used when a confirmed commit gives no confirm-timeout. @defaultValue 600 */
  defaultConfirmTimeoutS?: number;
  /** Address and port to listen on. @defaultValue 127.0.0.1, a free port */
  host?: string;
  port?: number;
}

export interface NetconfSimulator {
  readonly host: string;
  readonly port: number;
  /** The server's ed25519 public key as an OpenSSH line, for `ssh.hostKeys`. */
  readonly hostKey: string;
  readonly capabilities: readonly string[];
  runningXml(): string;
  candidateXml(): string;
  setLatencyMs(ms: number): void;
  /** Answers the next RPC named `rpc` with this rpc-error instead of executing it (null clears). */
  failNextRpc(rpc: string | null, error?: SimInjectedError): void;
  /** Simulates another session holding (or releasing) the lock on a datastore. */
  holdLock(datastore: SimDatastore, held: boolean): void;
  /** Answers with a message-id nobody asked for. */
  sendWrongMessageId(wrong: boolean): void;
  /** Drops the SSH connection, without reply, on the next RPC named `rpc` (null clears). */
  dropSessionOnRpc(rpc: string | null): void;
  /** Cuts every connection now (TCP destroyed under the sessions), as a device that reboots; resolves once they are gone. */
  dropSessions(): Promise<void>;
  /** The device's own RPC log (every RPC, its outcome, running after each change), oldest first. */
  rpcLog(): SimRpcRecord[];
  /** The confirmed commit pending now, if any (its session and persist token). */
  pendingConfirm(): { sessionId: number; persist: string | undefined } | undefined;
  /**
   * Calls `hook` after each RPC ran and before its reply is sent; the reply waits for it (null
   * clears). `from.peerPort` is the client's TCP port, so a test can tell which process sent it.
   */
  onRpc(hook: ((record: SimRpcRecord, from: { peerPort: number }) => void | Promise<void>) | null): void;
  /** Number of SSH connections currently open. */
  openConnections(): number;
  /** The connections `fault` hits are accepted and never answered (no SSH at all), until the client gives up. */
  hangConnections(fault: HeldFault | null): void;
  /** The sessions `fault` hits freeze at their next RPC: no reply, ever; the SSH layer stays up. */
  freezeSessions(fault: HeldFault | null): void;
  close(): Promise<void>;
}

export async function startNetconfSimulator(options: NetconfSimulatorOptions = {}): Promise<NetconfSimulator> {
  const username = options.username ?? 'netconf';
  const password = options.password ?? 'netconf';
  const withCandidate = options.candidate ?? true;
  const capabilities = [
    CAP_BASE_1_0,
    ...(options.base11 === false ? [] : [CAP_BASE_1_1]),
    ...(withCandidate ? [CAP_CANDIDATE, CAP_CONFIRMED_COMMIT_1_1] : []),
    CAP_VALIDATE_1_1,
    CAP_WRITABLE_RUNNING,
    `${NPDB_NS}?module=activation-fleet-sim-npdb`,
  ];
  const initial = options.initialConfigXml ? childElements(parseNetconfContent(options.initialConfigXml, 'data')) : [];
  const state = new NetconfServerState({
    candidate: withCandidate,
    hints: { listKeys: { 'ported-number': 'msisdn', ...options.listKeys } },
    initial,
    ...(options.defaultConfirmTimeoutS !== undefined ? { defaultConfirmTimeoutS: options.defaultConfirmTimeoutS } : {}),
  });
  const faults: SimFaults = { latencyMs: 0, failNext: undefined, wrongMessageId: false, dropOnRpc: undefined };
  let hang: HeldFault | undefined;
  let freeze: HeldFault | undefined;
  let rpcHook: ((record: SimRpcRecord, from: { peerPort: number }) => void | Promise<void>) | undefined;
  const sockets = new Set<Socket>();
  const keys = generateEd25519KeyPair();
  const connections = new Set<Connection>();
  let nextSessionId = 1;

  const server = new ssh2.Server({ hostKeys: [keys.private] }, (connection, client) => {
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
    connection.on('error', () => connection.end());
    connection.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === username && ctx.password === password) ctx.accept();
      else ctx.reject(['password']);
    });
    connection.on('ready', () => {
      connection.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (acceptSubsystem, rejectSubsystem, info) => {
          if (info.name !== 'netconf') {
            rejectSubsystem();
            return;
          }
          const channel = acceptSubsystem();
          let frozen = false;
          const sim = new NetconfSimSession(channel, {
            sessionId: nextSessionId++,
            capabilities,
            state,
            faults,
            dropConnection: () => connection.end(),
            onRpc: () => {
              const hook = rpcHook;
              return hook && ((record) => hook(record, { peerPort: client.port }));
            },
            freezes: () => {
              const fault = freeze;
              if (frozen || !fault?.take()) return frozen;
              frozen = true;
              connection.once('close', () => fault.settle());
              return true;
            },
          });
          connection.on('close', () => sim.end());
        });
      });
    });
  });

  // Sockets are accepted here and handed to ssh2, so a fault can hold one without any SSH.
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    const fault = hang;
    if (fault?.take()) {
      socket.once('close', () => fault.settle());
      // Read and ignored, so the client's hang-up is seen (a paused socket never notices the FIN).
      socket.resume();
      return;
    }
    server.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const port = (tcp.address() as AddressInfo).port;

  return {
    host: options.host ?? '127.0.0.1',
    port,
    hostKey: keys.public,
    capabilities,
    runningXml: () => serializeNodes(childElements(state.running)),
    candidateXml: () => serializeNodes(childElements(state.candidate)),
    setLatencyMs: (ms) => {
      faults.latencyMs = ms;
    },
    failNextRpc: (rpc, error = { tag: 'operation-failed' }) => {
      faults.failNext = rpc === null ? undefined : { rpc, error };
    },
    holdLock: (datastore, held) => state.setForeignLock(datastore, held),
    sendWrongMessageId: (wrong) => {
      faults.wrongMessageId = wrong;
    },
    dropSessionOnRpc: (rpc) => {
      faults.dropOnRpc = rpc ?? undefined;
    },
    rpcLog: () => state.log(),
    pendingConfirm: () => state.pending(),
    onRpc: (hook) => {
      rpcHook = hook ?? undefined;
    },
    openConnections: () => connections.size,
    dropSessions: async () => {
      const closing = [...sockets].map((socket) => new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve))));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closing);
    },
    hangConnections: (fault) => {
      hang = fault ?? undefined;
    },
    freezeSessions: (fault) => {
      freeze = fault ?? undefined;
    },
    close: async () => {
      state.dispose();
      for (const connection of connections) connection.end();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
