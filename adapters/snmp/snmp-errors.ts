import snmp from 'net-snmp';
import { NeError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/index.js';
import type { NetworkElement } from '../network-element.js';
import type { Applied } from './snmp-varbinds.js';

/** RFC 3416 spellings of error-status values; net-snmp's enum uses its own PascalCase names. */
const ERROR_STATUS_NAMES: Record<number, string> = {
  1: 'tooBig', 2: 'noSuchName', 3: 'badValue', 4: 'readOnly', 5: 'genErr', 6: 'noAccess', 7: 'wrongType',
  8: 'wrongLength', 9: 'wrongEncoding', 10: 'wrongValue', 11: 'noCreation', 12: 'inconsistentValue',
  13: 'resourceUnavailable', 14: 'commitFailed', 15: 'undoFailed', 16: 'authorizationError', 17: 'notWritable',
  18: 'inconsistentName',
};

/** The agent may succeed later: it lacked resources, not the will (RFC 3416 4.2.5). */
const TRANSIENT_ERROR_STATUSES = new Set(['resourceUnavailable', 'tooBig']);

/** net-snmp's ResponseInvalidCode.ENotInTimeWindow, which @types/net-snmp does not declare. */
const E_NOT_IN_TIME_WINDOW = 14;

/**
 * USM reports that mean our notion of the agent's engine is stale, not that the keys are wrong:
 * the agent rebooted with a new engine id, or was replaced (RFC 3414 3.2 steps 3 and 7).
 */
const ENGINE_OUT_OF_SYNC_REPORTS = new Set(['Unknown Engine ID', 'Not In Time Window']);

/** Marks the errors a fresh session (a new engine discovery) may cure; see `isEngineOutOfSync`. */
const ENGINE_OUT_OF_SYNC = 'engine-out-of-sync';

export interface TranslateContext {
  ne: NetworkElement;
  oids: string[];
  /** What a timeout says about the change: a SET may have landed with only the answer lost. */
  appliedOnTimeout: Applied;
  /** Datagrams from the agent that were not SNMP, while the request waited. */
  undecodable?: { count: number; first: string | undefined };
}

/** Maps net-snmp and socket errors to the fleet's codes. */
export function translateSnmpError(error: unknown, { ne, oids, appliedOnTimeout, undecodable }: TranslateContext): NeError {
  if (error instanceof NeError) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const fields = err as Error & { status?: number; code?: unknown };
  const fromLibrary = (code: ErrorCode, message: string, details: Record<string, unknown> = {}, transient?: boolean): NeError =>
    new NeError(code, ne.id, message, { cause: err, details: { oids, ...details }, transient });

  switch (err.name) {
    case 'RequestTimedOutError':
      if (undecodable && undecodable.count > 0) {
        // The agent answered, but nothing it sent was SNMP: a broken or hostile agent, not a slow one.
        return fromLibrary(
          'NE_PROTOCOL_ERROR',
          `no valid SNMP answer from ${ne.host}:${ne.port} within ${ne.commandTimeoutMs} ms: ${undecodable.count} datagram(s) were not SNMP (${undecodable.first ?? 'undecodable'})`,
          { applied: appliedOnTimeout, undecodableDatagrams: undecodable.count },
        );
      }
      return fromLibrary('NE_TIMEOUT', `no SNMP answer from ${ne.host}:${ne.port} within ${ne.commandTimeoutMs} ms`, {
        applied: appliedOnTimeout,
      });
    case 'RequestFailedError': {
      const status = ERROR_STATUS_NAMES[fields.status ?? 5] ?? 'genErr';
      // net-snmp names the failing varbind (from error-index) after the colon.
      const oid = /:\s*([\d.]+)\s*$/.exec(err.message)?.[1] ?? oids[0] ?? '';
      return fromLibrary('NE_SNMP_ERROR', `agent answered ${status} for ${oid}`, { status, oid, applied: 'none' }, TRANSIENT_ERROR_STATUSES.has(status));
    }
    case 'ResponseInvalidError':
      // An agent processes a PDU only inside its time window and under its own engine id; so
      // a report, or an answer outside the window, means the PDU was not applied.
      if (fields.code === E_NOT_IN_TIME_WINDOW || (fields.code === snmp.ResponseInvalidCode.EAuthFailure && ENGINE_OUT_OF_SYNC_REPORTS.has(err.message))) {
        return fromLibrary('NE_CONNECTION_FAILED', `SNMPv3 engine out of sync (agent restarted or replaced): ${err.message}`, {
          reason: ENGINE_OUT_OF_SYNC,
          applied: 'none',
        });
      }
      if (fields.code === snmp.ResponseInvalidCode.EAuthFailure || fields.code === snmp.ResponseInvalidCode.ECouldNotDecrypt) {
        // Reports such as usmStatsUnknownUserNames or usmStatsWrongDigests: the credentials are wrong.
        return fromLibrary('NE_AUTHENTICATION_FAILED', `SNMPv3 security refused: ${err.message}`, { applied: 'none' });
      }
      return fromLibrary('NE_PROTOCOL_ERROR', `invalid SNMP response: ${err.message}`);
    case 'RequestInvalidError':
      return fromLibrary('UNSAFE_DEVICE_INPUT', `net-snmp could not encode the request: ${err.message}`, { applied: 'none' });
    default:
      // Socket errors (ENETUNREACH, ENOTFOUND, "Socket forcibly closed", ...).
      return fromLibrary('NE_CONNECTION_FAILED', `SNMP transport failed: ${err.message}`, {
        errno: typeof fields.code === 'string' ? fields.code : undefined,
        applied: appliedOnTimeout,
      });
  }
}

/** Whether a new session, with a new engine discovery, may succeed where this one failed. */
export function isEngineOutOfSync(error: NeError): boolean {
  return error.details['reason'] === ENGINE_OUT_OF_SYNC;
}
