import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import snmp from 'net-snmp';
import type { HeldFault } from '../hostile/held-fault.js';
import type { AgentMessage, AgentPdu, NetSnmpAgent } from './net-snmp-agent.js';
import { registerSystemMib } from './system-mib.js';
import { isDestroy, readMailboxes, registerVoicemailMib, writeMailboxes, type Mailbox } from './voicemail-mib.js';

export { VMS_OIDS, MAILBOX_DEFAULTS, type Mailbox } from './voicemail-mib.js';
export { SYSTEM_OIDS } from './system-mib.js';

/** RFC 3416 error-status names the simulator can be told to answer SETs with. */
export const SNMP_ERROR_STATUSES = {
  tooBig: 1, genErr: 5, noAccess: 6, wrongType: 7, wrongLength: 8, wrongEncoding: 9, wrongValue: 10, noCreation: 11,
  inconsistentValue: 12, resourceUnavailable: 13, commitFailed: 14, undoFailed: 15, authorizationError: 16,
  notWritable: 17, inconsistentName: 18,
} as const;
export type SnmpErrorStatusName = keyof typeof SNMP_ERROR_STATUSES;

export interface SnmpSimulatorOptions {
  /** v2c community with read-write access. @defaultValue 'private' */
  community?: string;
  /** SNMPv3 user with authPriv, SHA and AES-128, read-write. */
  v3User?: { name: string; authKey: string; privKey: string };
  /** Value of vmsSystemName.0. @defaultValue 'vms-sim' */
  systemName?: string;
  /** Rows present at start. */
  mailboxes?: Mailbox[];
  /** Address and UDP port to listen on. @defaultValue 127.0.0.1, a free port */
  host?: string;
  port?: number;
}

export interface SnmpSimulator {
  readonly host: string;
  readonly port: number;
  /** Current vmMailboxTable rows. */
  mailboxes(): Mailbox[];
  /** Value stored at an instance OID, or undefined when there is none. */
  get(oid: string): unknown;
  /** Delays every answer (responses and v3 reports) by `ms`. */
  setLatencyMs(ms: number): void;
  /** Makes subsequent SETs answer this error status without changing anything; null to stop. */
  failSetsWith(status: SnmpErrorStatusName | null): void;
  /** The datagrams `fault` hits are taken and never answered (each one settles the fault at once). */
  dropRequests(fault: HeldFault | null): void;
  /** Idempotent. */
  close(): Promise<void>;
  /** Why the agent dropped requests without answering (unknown community, bad digest, undecryptable PDU). */
  droppedRequests(): string[];
}

const HOST = '127.0.0.1';

/**
 * A net-snmp agent serving a simulated voicemail server's MIB on 127.0.0.1. On top of net-snmp it
 * makes a SET all-or-nothing (RFC 3416 4.2.5): net-snmp creates a RowStatus row before it checks
 * the other varbinds, so a refused SET is undone here from a snapshot of the table.
 */
export async function startSnmpSimulator(options: SnmpSimulatorOptions = {}): Promise<SnmpSimulator> {
  const dropped: string[] = [];
  const host = options.host ?? HOST;
  const agent = await listen(host, options.port, (error) => dropped.push(error.message));
  const mib = agent.getMib();
  registerVoicemailMib(mib, options.systemName ?? 'vms-sim');
  registerSystemMib(mib);
  writeMailboxes(mib, options.mailboxes ?? []);
  allowAccess(agent, options);

  let failStatus: number | null = null;
  agent.setBulkSetHandler((_requests, _mib, testSet) => (testSet && failStatus !== null ? failStatus : undefined));

  // SETs are handled one at a time, as a real agent's table does: net-snmp's agent interleaves
  // the phases of concurrent SETs, and the snapshot/restore below would then undo another
  // manager's row.
  const snapshots = new WeakMap<AgentMessage, Mailbox[]>();
  const queuedSets: Array<() => void> = [];
  let setInProgress = false;
  const originalSetRequest = agent.setRequest.bind(agent);
  agent.setRequest = (socket, message, rinfo) => {
    const run = (): void => {
      setInProgress = true;
      snapshots.set(message, readMailboxes(mib));
      originalSetRequest(socket, message, rinfo);
    };
    if (setInProgress) queuedSets.push(run);
    else run();
  };
  const originalSendResponse = agent.sendResponse.bind(agent);
  agent.sendResponse = (socket, rinfo, message, responsePdu) => {
    const snapshot = snapshots.get(message);
    if (snapshot) {
      refuseUncreatable(message.pdu, responsePdu);
      if (responsePdu.errorStatus) writeMailboxes(mib, snapshot);
    }
    originalSendResponse(socket, rinfo, message, responsePdu);
    if (snapshot) {
      setInProgress = false;
      queuedSets.shift()?.();
    }
  };

  let latencyMs = 0;
  const timers = new Set<NodeJS.Timeout>();
  const originalSend = agent.listener.send.bind(agent.listener);
  agent.listener.send = (message, rinfo, socket) => {
    if (latencyMs <= 0) return originalSend(message, rinfo, socket);
    // Encode now: right after send() returns, net-snmp rewrites the PDU for its event callback.
    message.toBuffer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      originalSend(message, rinfo, socket);
    }, latencyMs);
    timers.add(timer);
  };

  // A hung agent: requests are received and dropped before net-snmp sees them.
  let drop: HeldFault | undefined;
  const socket = Object.values(agent.listener.sockets)[0];
  if (socket) {
    const handlers = socket.listeners('message') as Array<(...args: unknown[]) => void>;
    socket.removeAllListeners('message');
    socket.on('message', (...args: unknown[]) => {
      const fault = drop;
      if (fault?.take()) return fault.settle();
      for (const handler of handlers) handler.apply(socket, args);
    });
  }

  const port = socket?.address().port ?? 0;
  let closed = false;
  return {
    host,
    port,
    mailboxes: () => readMailboxes(mib),
    get: (oid) => mib.lookup(oid)?.value,
    setLatencyMs: (ms) => {
      latencyMs = ms;
    },
    failSetsWith: (status) => {
      failStatus = status === null ? null : SNMP_ERROR_STATUSES[status];
    },
    dropRequests: (fault) => {
      drop = fault ?? undefined;
    },
    droppedRequests: () => [...dropped],
    close: async () => {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => agent.close(() => resolve()));
    },
  };
}

/**
 * net-snmp answers a SET naming an instance that does not exist with noError and a noSuchInstance
 * varbind; RFC 3416 wants noCreation. Destroying an absent row is the exception: RFC 2579 lets it succeed.
 */
function refuseUncreatable(request: AgentPdu, response: AgentPdu): void {
  if (response.errorStatus) return;
  const absent = new Set<number | undefined>([snmp.ObjectType.NoSuchInstance, snmp.ObjectType.NoSuchObject]);
  const index = response.varbinds.findIndex((vb, i) => absent.has(vb.type) && !isDestroy(vb.oid, request.varbinds[i]?.value));
  if (index >= 0) {
    response.errorStatus = snmp.ErrorStatus.NoCreation;
    response.errorIndex = index + 1;
  }
}

function allowAccess(agent: NetSnmpAgent, options: SnmpSimulatorOptions): void {
  const authorizer = agent.getAuthorizer();
  const access = authorizer.getAccessControlModel();
  const community = options.community ?? 'private';
  authorizer.addCommunity(community);
  access.setCommunityAccess(community, snmp.AccessLevel.ReadWrite);
  if (options.v3User) {
    authorizer.addUser({
      name: options.v3User.name,
      level: snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols.sha,
      authKey: options.v3User.authKey,
      privProtocol: snmp.PrivProtocols.aes,
      privKey: options.v3User.privKey,
    });
    access.setUserAccess(options.v3User.name, snmp.AccessLevel.ReadWrite);
  }
}

/**
 * net-snmp's agent treats port 0 as "use 161", so take a port the kernel just handed out and
 * try again if someone else grabbed it in between.
 */
async function listen(host: string, fixedPort: number | undefined, onDropped: (error: Error) => void): Promise<NetSnmpAgent> {
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freeUdpPort());
    const agent: NetSnmpAgent = snmp.createAgent(
      { port, address: host, transport: 'udp4', accessControlModelType: snmp.AccessControlModelType.Simple },
      (error: Error | null) => error && onDropped(error),
    );
    const socket = Object.values(agent.listener.sockets)[0];
    if (!socket) throw new Error('net-snmp agent opened no socket');
    try {
      await once(socket, 'listening');
      return agent;
    } catch (error) {
      try {
        socket.close();
      } catch {
        // a socket whose bind failed may already count as closed
      }
      if (attempt >= 5 || fixedPort !== undefined) throw error;
    }
  }
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, HOST);
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
