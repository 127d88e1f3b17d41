import { isIPv6 } from 'node:net';
import snmp from 'net-snmp';
import type { Logger } from 'pino';
import { NeError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/index.js';
import type { NeCredentials, NetworkElement } from '../../inventory/network-element.js';
import type { ChangeSet, Check, CheckResult, SnmpValueType, SnmpVarbind } from '../change-set.js';
import type { NeAdapter } from '../ne-adapter.js';

export interface SnmpAdapterOptions {
  log?: Logger;
  /**
   * Retransmissions per request. `ne.commandTimeoutMs` bounds the whole request, so each
   * attempt waits `commandTimeoutMs / (retries + 1)`. Agents do not deduplicate retransmitted
   * SETs: a retransmitted RowStatus createAndGo whose first copy landed answers inconsistentValue.
   * @defaultValue 1
   */
  retries?: number;
}

export { oidIndexFromString } from './oid-index.js';

const OBJECT_TYPES: Record<SnmpValueType, snmp.ObjectType> = {
  Integer: snmp.ObjectType.Integer,
  OctetString: snmp.ObjectType.OctetString,
  Gauge: snmp.ObjectType.Gauge,
  Counter: snmp.ObjectType.Counter,
  Unsigned32: snmp.ObjectType.Unsigned32,
  IpAddress: snmp.ObjectType.IpAddress,
  TimeTicks: snmp.ObjectType.TimeTicks,
  ObjectIdentifier: snmp.ObjectType.OID,
};

/** RFC 3416 spellings of error-status values; net-snmp's enum uses its own PascalCase names. */
const ERROR_STATUS_NAMES: Record<number, string> = {
  1: 'tooBig', 2: 'noSuchName', 3: 'badValue', 4: 'readOnly', 5: 'genErr', 6: 'noAccess', 7: 'wrongType',
  8: 'wrongLength', 9: 'wrongEncoding', 10: 'wrongValue', 11: 'noCreation', 12: 'inconsistentValue',
  13: 'resourceUnavailable', 14: 'commitFailed', 15: 'undoFailed', 16: 'authorizationError', 17: 'notWritable',
  18: 'inconsistentName',
};

/** The agent may succeed later: it lacked resources, not the will (RFC 3416 4.2.5). */
const TRANSIENT_ERROR_STATUSES = new Set(['resourceUnavailable', 'tooBig']);

const ABSENT_TYPES = new Set<number>([snmp.ObjectType.NoSuchObject, snmp.ObjectType.NoSuchInstance, snmp.ObjectType.EndOfMibView]);
const OID_PATTERN = /^[0-2](\.(0|[1-9]\d{0,9}))+$/;
const MAX_SUB_ID = 4_294_967_295;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

type SentValue = string | number;
type Applied = 'none' | 'unknown' | 'all';

/**
 * SNMP driver (v2c or v3 authPriv SHA/AES) over net-snmp. A change set is one SET PDU, which the
 * agent applies atomically (RFC 3416 4.2.5), then one GET of the same OIDs to prove it took.
 */
export class SnmpAdapter implements NeAdapter {
  readonly ne: NetworkElement;
  private readonly credentials: NeCredentials;
  private readonly log: Logger | undefined;
  private readonly retries: number;
  private session: snmp.Session | undefined;

  constructor(ne: NetworkElement, credentials: NeCredentials, options: SnmpAdapterOptions = {}) {
    this.ne = ne;
    this.credentials = credentials;
    this.log = options.log?.child({ neId: ne.id, adapter: 'snmp' });
    this.retries = Math.max(0, Math.floor(options.retries ?? 1));
  }

  isOpen(): boolean {
    return this.session !== undefined;
  }

  /** Creates the UDP session. SNMP is connectionless: nothing reaches the agent until a request. */
  async open(): Promise<void> {
    if (this.session) return;
    const target = this.ne.host;
    const options = {
      port: this.ne.port,
      transport: isIPv6(target) ? ('udp6' as const) : ('udp4' as const),
      timeout: Math.max(1, Math.floor(this.ne.commandTimeoutMs / (this.retries + 1))),
      retries: this.retries,
    };
    let session: snmp.Session;
    try {
      session = this.ne.snmp.version === '2c' ? this.createV2cSession(target, options) : this.createV3Session(target, options);
    } catch (error) {
      throw this.translate(error, [], 'none');
    }
    // An 'error' event without a listener would crash the process; requests report their own errors.
    session.on('error', (error) => this.log?.warn({ err: error }, 'snmp session error'));
    session.on('close', () => {
      if (this.session === session) this.session = undefined;
    });
    this.session = session;
  }

  /**
   * Sends every varbind in one SET PDU, then reads them back. Side effect: changes the agent's
   * configuration. Nothing is sent unless every OID and value passes validation. A SET refused
   * with an error status changed nothing; a read-back mismatch means the SET was accepted.
   */
  async apply(change: ChangeSet): Promise<void> {
    if (change.protocol !== 'snmp') {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, `the SNMP adapter cannot apply a ${change.protocol} change set`);
    }
    const planned = change.varbinds.map((varbind) => this.plan(varbind));
    if (planned.length === 0) return;
    const session = await this.ensureSession();
    const oids = planned.map((p) => p.oid);

    this.log?.debug({ oids }, 'snmp set');
    const setVarbinds = planned.map((p) => ({ oid: p.oid, type: OBJECT_TYPES[p.type], value: p.value }));
    await this.request(oids, 'unknown', (cb) => session.set(setVarbinds, cb));

    const observed = await this.request(oids, 'all', (cb) => session.get(oids, cb));
    const mismatches = planned.flatMap((p, i) => {
      const seen = describe(observed[i]);
      const wanted = p.expected === null ? 'noSuchInstance' : String(p.expected);
      return seen === wanted ? [] : [{ oid: p.oid, expected: wanted, observed: seen }];
    });
    if (mismatches.length > 0) {
      const text = mismatches.map((m) => `${m.oid} is ${m.observed}, expected ${m.expected}`).join('; ');
      throw new NeError('NE_VERIFICATION_FAILED', this.ne.id, `read-back after SET differs: ${text}`, {
        details: { applied: 'all' satisfies Applied, mismatches },
      });
    }
  }

  /** One GET; never changes the agent. An absent instance is observed as `noSuchInstance`. */
  async verify(check: Check): Promise<CheckResult> {
    if (check.protocol !== 'snmp') {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, `the SNMP adapter cannot run a ${check.protocol} check`);
    }
    const oid = this.validOid(check.oid);
    const session = await this.ensureSession();
    const [varbind] = await this.request([oid], 'none', (cb) => session.get([oid], cb));
    const observed = describe(varbind);
    return { passed: observed === String(check.equals), observed: observed.trim().slice(0, 200) };
  }

  /** Closes the UDP socket; pending requests fail with NE_CONNECTION_FAILED. Never throws. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    try {
      session?.close();
    } catch (error) {
      this.log?.debug({ err: error }, 'snmp session already closed');
    }
  }

  private createV2cSession(target: string, options: snmp.SessionOptions): snmp.Session {
    const community = this.credentials.community;
    if (!community) throw new NeError('CREDENTIALS_UNAVAILABLE', this.ne.id, 'SNMP v2c needs a community');
    return snmp.createSession(target, community, { ...options, version: snmp.Version2c });
  }

  private createV3Session(target: string, options: snmp.SessionOptionsV3): snmp.Session {
    const { username, authKey, privKey } = this.credentials;
    if (!username || !authKey || !privKey) {
      throw new NeError('CREDENTIALS_UNAVAILABLE', this.ne.id, 'SNMPv3 authPriv needs a username, an authKey and a privKey');
    }
    const user: snmp.User = {
      name: username,
      level: snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols.sha,
      authKey,
      privProtocol: snmp.PrivProtocols.aes,
      privKey,
    };
    return snmp.createV3Session(target, user, { ...options, version: snmp.Version3 });
  }

  private async ensureSession(): Promise<snmp.Session> {
    await this.open();
    if (!this.session) throw new NeError('NE_CONNECTION_FAILED', this.ne.id, 'SNMP session closed while opening');
    return this.session;
  }

  /** Runs one net-snmp request; whatever it reports leaves this method as an NeError. */
  private request(
    oids: string[],
    appliedOnTimeout: Applied,
    send: (cb: (error: unknown, varbinds?: snmp.Varbind[]) => void) => void,
  ): Promise<snmp.Varbind[]> {
    return new Promise((resolve, reject) => {
      const fail = (error: unknown): void => {
        const neError = this.translate(error, oids, appliedOnTimeout);
        // A timed-out v3 session may hold a stale engine id or time: start afresh next time.
        if (neError.transient) void this.close();
        reject(neError);
      };
      try {
        send((error, varbinds) => (error ? fail(error) : resolve(varbinds ?? [])));
      } catch (error) {
        fail(error);
      }
    });
  }

  /** Maps net-snmp and socket errors to the fleet's codes. */
  private translate(error: unknown, oids: string[], appliedOnTimeout: Applied): NeError {
    if (error instanceof NeError) return error;
    const err = error instanceof Error ? error : new Error(String(error));
    const fields = err as Error & { status?: number; code?: unknown };
    const fromLibrary = (code: ErrorCode, message: string, details: Record<string, unknown> = {}, transient?: boolean): NeError =>
      new NeError(code, this.ne.id, message, { cause: err, details: { oids, ...details }, transient });

    switch (err.name) {
      case 'RequestTimedOutError':
        return fromLibrary('NE_TIMEOUT', `no SNMP answer from ${this.ne.host}:${this.ne.port} within ${this.ne.commandTimeoutMs} ms`, {
          applied: appliedOnTimeout,
        });
      case 'RequestFailedError': {
        const status = ERROR_STATUS_NAMES[fields.status ?? 5] ?? 'genErr';
        // net-snmp names the failing varbind (from error-index) after the colon.
        const oid = /:\s*([\d.]+)\s*$/.exec(err.message)?.[1] ?? oids[0] ?? '';
        return fromLibrary('NE_SNMP_ERROR', `agent answered ${status} for ${oid}`, { status, oid, applied: 'none' }, TRANSIENT_ERROR_STATUSES.has(status));
      }
      case 'ResponseInvalidError':
        if (fields.code === snmp.ResponseInvalidCode.EAuthFailure || fields.code === snmp.ResponseInvalidCode.ECouldNotDecrypt) {
          // Reports such as usmStatsUnknownUserNames or usmStatsWrongDigests: the credentials are wrong.
          return fromLibrary('NE_AUTHENTICATION_FAILED', `SNMPv3 security refused: ${err.message}`);
        }
        return fromLibrary('NE_PROTOCOL_ERROR', `invalid SNMP response: ${err.message}`);
      case 'RequestInvalidError':
        return fromLibrary('UNSAFE_DEVICE_INPUT', `net-snmp could not encode the request: ${err.message}`);
      default:
        // Socket errors (ENETUNREACH, ENOTFOUND, "Socket forcibly closed", ...).
        return fromLibrary('NE_CONNECTION_FAILED', `SNMP transport failed: ${err.message}`, { errno: typeof fields.code === 'string' ? fields.code : undefined });
    }
  }

  /** Validates a varbind and normalises its value; refuses before anything is sent. */
  private plan(varbind: SnmpVarbind): { oid: string; type: SnmpValueType; value: SentValue; expected: SentValue | null } {
    const oid = this.validOid(varbind.oid);
    if (!Object.hasOwn(OBJECT_TYPES, varbind.type)) this.unsafe(`unknown SNMP type ${String(varbind.type)} for ${oid}`);
    const value = this.validValue(oid, varbind.type, varbind.value);
    const expected = varbind.expect === undefined ? value : varbind.expect === null ? null : this.validValue(oid, varbind.type, varbind.expect);
    return { oid, type: varbind.type, value, expected };
  }

  private validOid(oid: string): string {
    const ok = typeof oid === 'string' && OID_PATTERN.test(oid) && oid.split('.').every((arc) => Number(arc) <= MAX_SUB_ID);
    if (!ok) this.unsafe(`OID ${JSON.stringify(oid)} is not a dotted numeric OID`);
    return oid;
  }

  private validValue(oid: string, type: SnmpValueType, value: unknown): SentValue {
    switch (type) {
      case 'Integer':
        return this.validInteger(oid, value, -2_147_483_648, 2_147_483_647);
      case 'Gauge':
      case 'Counter':
      case 'Unsigned32':
      case 'TimeTicks':
        return this.validInteger(oid, value, 0, MAX_SUB_ID);
      case 'IpAddress': {
        const octets = String(value).split('.');
        const ok = octets.length === 4 && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
        if (!ok) this.unsafe(`value for ${oid} is not an IPv4 address`);
        return String(value);
      }
      case 'ObjectIdentifier':
        return this.validOid(String(value));
      case 'OctetString': {
        if (typeof value !== 'string' && typeof value !== 'number') this.unsafe(`value for ${oid} is not a string`);
        const text = String(value);
        if (CONTROL_CHARS.test(text)) this.unsafe(`value for ${oid} contains a control character`);
        if (Buffer.byteLength(text) > 65_535) this.unsafe(`value for ${oid} is longer than an OCTET STRING allows`);
        return text;
      }
    }
  }

  private validInteger(oid: string, value: unknown, min: number, max: number): number {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) this.unsafe(`value for ${oid} is not an integer in ${min}..${max}`);
    return n;
  }

  private unsafe(message: string): never {
    throw new NeError('UNSAFE_DEVICE_INPUT', this.ne.id, message, { details: { applied: 'none' satisfies Applied } });
  }
}

/** A read value as the catalog compares it: OctetStrings as UTF-8 text, absence as `noSuchInstance`. */
function describe(varbind: snmp.Varbind | undefined): string {
  if (!varbind || varbind.type === undefined || ABSENT_TYPES.has(varbind.type)) return 'noSuchInstance';
  const { value } = varbind;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value === null || value === undefined ? '' : String(value);
}
