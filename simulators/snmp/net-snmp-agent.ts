import type { Socket } from 'node:dgram';

/**
 * The slice of net-snmp's agent API the simulator uses. @types/net-snmp types the agent as
 * `any`; these shapes follow net-snmp 3.29's index.js (Agent, Mib, MibRequest, Listener).
 */

export interface ErrorResult {
  errorStatus: number;
  type?: number;
  value?: unknown;
}

export interface MibInstanceNode {
  value: unknown;
  getTableColumnFromInstanceNode(): number | null;
}

/** One varbind of a request, as handed to a provider handler. */
export interface MibRequest {
  operation: number;
  oid: string;
  instanceNode?: MibInstanceNode;
  /** For a SetRequest: the value the agent will commit when `done()` is called without an error. */
  setValue?: unknown;
  done(error?: ErrorResult): void;
}

export interface AgentMib {
  registerProvider(provider: object): void;
  setScalarValue(name: string, value: unknown): void;
  lookup(oid: string): MibInstanceNode | null;
  /** With byRows and includeInstances: one array per row, the row's index values first. */
  getTableCells(name: string, byRows: boolean, includeInstances: boolean): unknown[][];
  addTableRow(name: string, row: unknown[]): void;
  deleteTableRow(name: string, rowIndex: unknown[]): boolean;
}

export interface AgentVarbind {
  oid: string;
  type?: number;
  value?: unknown;
}

export interface AgentPdu {
  type: number;
  varbinds: AgentVarbind[];
  errorStatus?: number;
  errorIndex?: number;
}

export interface AgentMessage {
  pdu: AgentPdu;
}

export interface AgentAuthorizer {
  addCommunity(community: string): void;
  addUser(user: object): void;
  getAccessControlModel(): {
    setCommunityAccess(community: string, level: number): void;
    setUserAccess(userName: string, level: number): void;
  };
}

export interface NetSnmpAgent {
  getMib(): AgentMib;
  getAuthorizer(): AgentAuthorizer;
  close(callback?: () => void): void;
  /** Called for a SetRequest before the per-varbind handlers, in the test pass then the commit pass. */
  setBulkSetHandler(handler: (requests: MibRequest[], mib: AgentMib, testSet: boolean) => number | undefined): void;
  listener: {
    sockets: Record<string, Socket>;
    /** Serialises the message (`toBuffer()` caches the bytes on it) and sends it. */
    send(message: { toBuffer(): Buffer }, rinfo: unknown, socket: unknown): void;
  };
  setRequest(socket: unknown, message: AgentMessage, rinfo: unknown): void;
  sendResponse(socket: unknown, rinfo: unknown, message: AgentMessage, responsePdu: AgentPdu): void;
}
