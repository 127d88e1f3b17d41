import { isIPv6 } from 'node:net';
import snmp from 'net-snmp';
import type { Logger } from 'pino';
import { NeError } from '../../errors/index.js';
import type { NeCredentials } from '../ne-credentials.js';
import type { NetworkElement } from '../network-element.js';
import type { OperationContext } from '../audit.js';
import { capDeviceText, ExchangeRecorder } from '../exchange-recorder.js';
import type { ChangeSet, Check, CheckResult } from '../change-set.js';
import type { SnmpVarbind } from './snmp-catalog-form.js';
import type { NeAdapter } from '../ne-adapter.js';
import { isEngineOutOfSync, translateSnmpError } from './snmp-errors.js';
import { OBJECT_TYPES, describeVarbind, formatPlanned, formatVarbinds, planVarbind, validOid, type Applied } from './snmp-varbinds.js';

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

type Callback = (error: unknown, varbinds?: snmp.Varbind[]) => void;

/**
 * Datagrams the session could not decode as SNMP. net-snmp drops them (emitting 'error') and the
 * request waits on: only its timeout ends it, and then these say the agent answered garbage.
 */
interface Undecodable {
  count: number;
  first: string | undefined;
}

/** One net-snmp session and what arrived on it that was not SNMP. */
interface LiveSession {
  session: snmp.Session;
  undecodable: Undecodable;
  closed: Promise<void>;
}

/** How long close() waits for the UDP socket to close; it closes at once unless the runtime is stuck. */
const CLOSE_WAIT_MS = 1_000;

/** One PDU as `request` sends it and the audit trail records it. */
interface Exchange {
  operation: 'snmp-set' | 'snmp-get';
  oids: string[];
  /** What the audit shows as the request: never a community or a key. */
  text: string;
  appliedOnTimeout: Applied;
  send: (session: snmp.Session, cb: Callback) => void;
}

/**
 * SNMP driver (v2c or v3 authPriv SHA/AES) over net-snmp. A change set is one SET PDU, which the
 * agent applies atomically (RFC 3416 4.2.5), then one GET of the same OIDs to prove it took.
 */
export class SnmpAdapter implements NeAdapter {
  readonly ne: NetworkElement;
  private readonly credentials: NeCredentials;
  private readonly log: Logger | undefined;
  private readonly retries: number;
  private live: LiveSession | undefined;
  private readonly recorder: ExchangeRecorder;

  constructor(ne: NetworkElement, credentials: NeCredentials, options: SnmpAdapterOptions = {}) {
    this.ne = ne;
    this.credentials = credentials;
    this.log = options.log?.child({ neId: ne.id, adapter: 'snmp' });
    this.retries = Math.max(0, Math.floor(options.retries ?? 1));
    const { community, authKey, privKey } = credentials;
    this.recorder = new ExchangeRecorder({ neId: ne.id, protocol: 'snmp', secrets: [community, authKey, privKey], log: this.log });
  }

  isOpen(): boolean {
    return this.live !== undefined;
  }

  /** Creates the UDP session. SNMP is connectionless: nothing reaches the agent until a request. */
  async open(): Promise<void> {
    if (this.live) return;
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
      throw translateSnmpError(error, { ne: this.ne, oids: [], appliedOnTimeout: 'none' });
    }
    const live: LiveSession = {
      session,
      undecodable: { count: 0, first: undefined },
      closed: new Promise((resolve) => session.on('close', () => resolve())),
    };
    // net-snmp emits 'error' for every datagram it cannot decode; without a listener that would end
    // the process. A flooding agent sends thousands: count them, log the first, and let the request
    // that times out name them. (Socket errors never come here: net-snmp 3.29's onError emits the
    // error object as an event name, so they are lost; a send error still fails its request.)
    session.on('error', (error: Error) => {
      live.undecodable.count += 1;
      if (live.undecodable.first !== undefined) return;
      live.undecodable.first = error.message;
      this.log?.warn({ err: error }, 'snmp: a datagram from the agent is not SNMP; further ones are only counted');
    });
    session.on('close', () => {
      if (this.live === live) this.live = undefined;
    });
    this.live = live;
  }

  /**
   * Sends every varbind in one SET PDU, then reads them back. Side effect: changes the agent's
   * configuration. Nothing is sent unless every OID and value passes validation. A SET refused
   * with an error status changed nothing; a read-back mismatch means the SET was accepted.
   * Both PDUs are reported to `ctx.audit`.
   */
  async apply(change: ChangeSet, ctx?: OperationContext): Promise<void> {
    if (change.protocol !== 'snmp') {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, `the SNMP adapter cannot apply a ${change.protocol} change set`);
    }
    const planned = change.varbinds.map((varbind) => planVarbind(this.ne.id, varbind));
    if (planned.length === 0) return;
    const oids = planned.map((p) => p.oid);

    this.log?.debug({ oids }, 'snmp set');
    const setVarbinds = planned.map((p) => ({ oid: p.oid, type: OBJECT_TYPES[p.type], value: p.value }));
    const mismatchesNow = async () => {
      const observed = await this.get(ctx, oids, 'all');
      return planned.flatMap((p, i) => {
        const seen = describeVarbind(observed[i]);
        const wanted = p.expected === null ? 'noSuchInstance' : String(p.expected);
        return seen === wanted ? [] : [{ oid: p.oid, expected: wanted, observed: seen }];
      });
    };
    await ctx?.beforeWrite?.();
    try {
      await this.request(ctx, {
        operation: 'snmp-set',
        oids,
        text: formatPlanned(planned),
        appliedOnTimeout: 'unknown',
        send: (session, cb) => session.set(setVarbinds, cb),
      });
    } catch (error) {
      // Agents do not deduplicate a retransmitted SET: when our first SET landed but its answer
      // was slow, the resend of a RowStatus createAndGo is refused as inconsistentValue. If the
      // agent already holds exactly what we asked for, the change is in place.
      const inconsistent = error instanceof NeError && error.code === 'NE_SNMP_ERROR' && error.details.status === 'inconsistentValue';
      if (!inconsistent || (await mismatchesNow()).length > 0) throw error;
      this.log?.info({ oids }, 'SET refused as inconsistent, but the agent already holds the requested values');
      return;
    }

    const mismatches = await mismatchesNow();
    if (mismatches.length > 0) {
      const text = mismatches.map((m) => `${m.oid} is ${m.observed}, expected ${m.expected}`).join('; ');
      throw new NeError('NE_VERIFICATION_FAILED', this.ne.id, `read-back after SET differs: ${text}`, {
        details: { applied: 'all' satisfies Applied, mismatches },
      });
    }
  }

  /**
   * One GET of the OIDs the SET would write: a SET of the same OIDs and types with the values the
   * agent holds now. Undefined when an instance does not exist yet (a SET cannot make it absent
   * again) or an OctetString is not text (it would not come back byte for byte).
   */
  async readPrior(change: ChangeSet, ctx?: OperationContext): Promise<ChangeSet | undefined> {
    if (change.protocol !== 'snmp') return undefined;
    const planned = change.varbinds.map((varbind) => planVarbind(this.ne.id, varbind));
    if (planned.length === 0) return undefined;
    const observed = await this.get(ctx, planned.map((p) => p.oid), 'none');
    const varbinds: SnmpVarbind[] = [];
    for (const [i, p] of planned.entries()) {
      const varbind = observed[i];
      const text = describeVarbind(varbind);
      if (text === 'noSuchInstance') return undefined;
      if (Buffer.isBuffer(varbind?.value) && !Buffer.from(text, 'utf8').equals(varbind.value)) return undefined;
      const numeric = p.type !== 'OctetString' && p.type !== 'IpAddress' && p.type !== 'ObjectIdentifier';
      varbinds.push({ oid: p.oid, type: p.type, value: numeric ? Number(text) : text });
    }
    return { protocol: 'snmp', varbinds };
  }

  /** One GET; never changes the agent. An absent instance is observed as `noSuchInstance`. */
  async verify(check: Check, ctx?: OperationContext): Promise<CheckResult> {
    if (check.protocol !== 'snmp') {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, `the SNMP adapter cannot run a ${check.protocol} check`);
    }
    const oid = validOid(this.ne.id, check.oid);
    const [varbind] = await this.get(ctx, [oid], 'none');
    const observed = describeVarbind(varbind);
    return { passed: observed === String(check.equals), observed: capDeviceText(this.recorder.redact(observed.trim())) };
  }

  /** Closes the UDP socket and resolves once it is closed; pending requests fail with NE_CONNECTION_FAILED. Never throws. */
  async close(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    try {
      live.session.close();
    } catch (error) {
      this.log?.debug({ err: error }, 'snmp session already closed');
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([live.closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
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

  private get(ctx: OperationContext | undefined, oids: string[], appliedOnTimeout: Applied): Promise<snmp.Varbind[]> {
    return this.request(ctx, { operation: 'snmp-get', oids, text: oids.join(', '), appliedOnTimeout, send: (session, cb) => session.get(oids, cb) });
  }

  /**
   * Sends one PDU and reports it to the audit trail; whatever net-snmp reports leaves as an
   * NeError. A v3 session whose engine notion went stale (the agent rebooted with a new engine
   * id, or was replaced) is refused by the agent before the PDU is processed, so the PDU is sent
   * once more on a fresh session, which rediscovers the engine.
   */
  private async request(ctx: OperationContext | undefined, exchange: Exchange): Promise<snmp.Varbind[]> {
    try {
      return await this.sendOnce(ctx, exchange);
    } catch (error) {
      if (!(error instanceof NeError) || !isEngineOutOfSync(error)) throw error;
      this.log?.info({ err: error }, 'snmpv3 engine changed; rediscovering');
      await this.close();
      return await this.sendOnce(ctx, exchange);
    }
  }

  private async sendOnce(ctx: OperationContext | undefined, exchange: Exchange): Promise<snmp.Varbind[]> {
    await this.open();
    const live = this.live;
    if (!live) throw new NeError('NE_CONNECTION_FAILED', this.ne.id, 'SNMP session closed while opening');
    const { session } = live;
    const undecodableBefore = live.undecodable.count;
    const startedAt = new Date();
    const audit = (reply: string, errorCode?: string): void =>
      this.recorder.record(ctx, { operation: exchange.operation, request: exchange.text, reply, errorCode, startedAt });
    try {
      const varbinds = await new Promise<snmp.Varbind[]>((resolve, reject) => {
        exchange.send(session, (error, result) => (error ? reject(error) : resolve(result ?? [])));
      });
      audit(formatVarbinds(varbinds));
      return varbinds;
    } catch (error) {
      const undecodable = { count: live.undecodable.count - undecodableBefore, first: live.undecodable.first };
      const neError = translateSnmpError(error, { ne: this.ne, oids: exchange.oids, appliedOnTimeout: exchange.appliedOnTimeout, undecodable });
      audit(neError.message, neError.code);
      // A transient failure may leave a v3 session with a stale engine id or time, and an agent
      // that answers garbage may go on doing so to this socket: start afresh next time.
      if (neError.transient || neError.code === 'NE_PROTOCOL_ERROR') await this.close();
      throw neError;
    }
  }
}
