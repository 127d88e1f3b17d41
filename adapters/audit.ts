import type { NeProtocol } from './registry.js';

/**
 * One exchange with an NE as the audit trail records it: what was sent and what came back.
 * Adapters build these through their ExchangeRecorder, which masks the NE's secrets; they never
 * put credentials in `request` or `reply` (logins are not exchanges: a `session-open` entry names
 * the user and the outcome only).
 */
export interface AuditEntry {
  neId: string;
  protocol: NeProtocol;
  /** `session-open`, `cli-command`, `snmp-set`, `snmp-get`, `netconf-rpc`, ... */
  operation: string;
  /** The command line, the varbinds as `oid type=value`, or the RPC XML. */
  request: string;
  /** The device's answer, capped at DEVICE_TEXT_CAP characters (exchange-recorder.ts). */
  reply: string;
  outcome: 'ok' | 'error';
  errorCode?: string;
  startedAt: string;
  durationMs: number;
}

/** Where adapters report exchanges; the worker binds it to an order item. Must not throw. */
export type AuditSink = (entry: AuditEntry) => void;

/** Per-call context for adapter operations (adapters are pooled across jobs, so it is not per adapter). */
export interface OperationContext {
  audit?: AuditSink;
  /**
   * Awaited before every write to the device (a configuration line, an SNMP SET, an
   * edit-config, commit, confirm or cancel). It throws when the caller no longer owns the work:
   * the adapter then sends nothing more and lets the error go up unchanged.
   */
  beforeWrite?: () => Promise<void>;
}
