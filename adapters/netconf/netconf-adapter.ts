/**
 * The NETCONF driver. Load-and-commit follows the NAPALM discipline: lock, load into the
 * candidate, commit, unlock; a failed load discards the candidate and unlocks before the error
 * goes up, so the device is left as it was found. Devices without :candidate are edited in
 * running under a lock, with rollback-on-error when they offer it. Every RPC is reported to the
 * caller's audit sink.
 */
import { driverBoundary } from '../driver-boundary.js';
import { priorSubtree } from './prior-subtree.js';
import type { Logger } from 'pino';
import { FleetError, NeError } from '../../errors/index.js';
import type { NeCredentials } from '../ne-credentials.js';
import type { NetworkElement } from '../network-element.js';
import type { OperationContext } from '../audit.js';
import type { ChangeSet, Check, CheckResult } from '../change-set.js';
import { capDeviceText, ExchangeRecorder } from '../exchange-recorder.js';
import type { ConfirmedCommitOptions, NeAdapter } from '../ne-adapter.js';
import { candidateIsDirty, confirmedCommitPending } from './lock-refusal.js';
import { NetconfClient, type RpcObserver } from './netconf-client.js';
import { assertSafeNetconfXml } from './netconf-input-guard.js';
import { CAP_CANDIDATE, CAP_CONFIRMED_COMMIT_1_1, CAP_WRITABLE_RUNNING, type Datastore } from './netconf-messages.js';

const CAP_ROLLBACK_ON_ERROR = 'urn:ietf:params:netconf:capability:rollback-on-error:1.0';
/** Answers in which the server refused the change (rather than the session failing under it). */
const REFUSALS = new Set(['NE_RPC_ERROR', 'NE_LOCKED', 'NE_COMMIT_PENDING']);
/** The longest a close waits for the server to end the session before the socket is destroyed. */
const MAX_CLOSE_WAIT_MS = 5_000;

export interface NetconfAdapterOptions {
  log?: Logger;
  /** Seconds a confirmed commit waits for its confirmation before the device rolls back. @defaultValue 600 */
  confirmTimeoutS?: number;
}

type NetconfChange = Extract<ChangeSet, { protocol: 'netconf' }>;
type NetconfCheck = Extract<Check, { protocol: 'netconf' }>;

function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class NetconfAdapter implements NeAdapter {
  private client: NetconfClient | undefined;
  private opening: Promise<NetconfClient> | undefined;
  /** Sessions that broke and are being shut down: close() waits until the server has let go of them too. */
  private readonly retired = new Set<Promise<void>>();
  /** The audit trail; session entries made with no sink (a pool's open) wait for the next operation that has one. */
  private readonly recorder: ExchangeRecorder;

  constructor(
    readonly ne: NetworkElement,
    private readonly credentials: NeCredentials,
    private readonly options: NetconfAdapterOptions = {},
  ) {
    this.recorder = new ExchangeRecorder({ neId: ne.id, protocol: 'netconf', secrets: [credentials.password, credentials.passphrase], log: options.log });
  }

  /** The live session, for capability checks and tests; undefined until `open()`. */
  get session(): NetconfClient | undefined {
    return this.client;
  }

  isOpen(): boolean {
    return this.client?.isOpen() ?? false;
  }

  async open(): Promise<void> {
    await this.connected();
  }

  /** The open session, opening one when needed; the caller that opens it reports a `session-open` audit entry. */
  private async connected(ctx?: OperationContext): Promise<NetconfClient> {
    this.recorder.reportUnreported(ctx);
    if (this.client?.isOpen()) return this.client;
    if (this.client) this.retire(this.client);
    this.client = undefined;
    if (!this.opening) {
      const startedAt = new Date();
      const opening = this.connect().finally(() => {
        this.opening = undefined;
      });
      this.opening = opening;
      opening.then(
        (client) => this.auditSessionOpen(ctx, startedAt, `session-id ${client.sessionId}, ${client.framing} framing, ${client.capabilities.length} capabilities`),
        (error: unknown) => this.auditSessionOpen(ctx, startedAt, error instanceof Error ? error.message : String(error), error),
      );
    }
    this.client = await this.opening;
    return this.client;
  }

  /** Names the user and the outcome only: a login is not an exchange, and no secret goes into the trail. */
  private auditSessionOpen(ctx: OperationContext | undefined, startedAt: Date, reply: string, error?: unknown): void {
    const exchange = {
      operation: 'session-open',
      request: `ssh ${this.credentials.username ?? ''}@${this.ne.host}:${this.ne.port} subsystem netconf`,
      reply,
      outcome: error === undefined ? ('ok' as const) : ('error' as const),
      errorCode: error instanceof FleetError ? error.code : undefined,
      startedAt,
    };
    this.recorder.record(ctx, exchange, { keepForNextSink: true });
  }

  private async connect(): Promise<NetconfClient> {
    const { username, password, privateKey, passphrase } = this.credentials;
    if (!username) throw new NeError('CREDENTIALS_UNAVAILABLE', this.ne.id, 'no username for the NETCONF session');
    return NetconfClient.connect({
      neId: this.ne.id,
      host: this.ne.host,
      port: this.ne.port,
      username,
      ...(password !== undefined ? { password } : {}),
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(passphrase !== undefined ? { passphrase } : {}),
      hostKeys: this.ne.ssh.hostKeys,
      legacyAlgorithms: this.ne.ssh.legacyAlgorithms,
      connectTimeoutMs: this.ne.connectTimeoutMs,
      closeTimeoutMs: Math.min(this.ne.commandTimeoutMs, MAX_CLOSE_WAIT_MS),
      rpcTimeoutMs: this.ne.commandTimeoutMs,
      ...(this.options.log ? { log: this.options.log } : {}),
    });
  }

  /** Changes the device configuration: merges `configXml` into running (through the candidate when offered). */
  async apply(change: ChangeSet, ctx?: OperationContext): Promise<void> {
    const { configXml } = this.netconfChange(change);
    const observe = this.auditObserver(ctx);
    await this.boundary(async () => {
      const client = await this.connected(ctx);
      // Through the candidate, or on running with rollback-on-error, a refusal leaves running as it was.
      const atomic = client.hasCapability(CAP_CANDIDATE) || client.hasCapability(CAP_ROLLBACK_ON_ERROR);
      try {
        if (client.hasCapability(CAP_CANDIDATE)) {
          await this.loadAndCommit(client, configXml, observe, async () => {
            await ctx?.beforeWrite?.();
            await client.commit({}, observe);
          });
        } else {
          await ctx?.beforeWrite?.();
          await this.editRunning(client, configXml, observe);
        }
      } catch (error) {
        if (atomic && error instanceof NeError && REFUSALS.has(error.code)) error.details.applied = 'none';
        throw error;
      }
    });
  }

  /**
   * Changes the device configuration with a confirmed commit that survives the session: unless
   * `confirm(persistId)` follows within `confirmTimeoutS`, the device rolls back by itself. Until
   * then the device may refuse other changes (yuma123 netconfd refuses every lock and commit, which
   * the other callers see as a transient NE_COMMIT_PENDING). netconfd runs the timeout only once it has been
   * idle for about a second, so on a busy device the rollback comes late.
   */
  async applyConfirmed(change: ChangeSet, persistId: string, confirmTimeoutS = this.options.confirmTimeoutS ?? 600, ctx?: OperationContext, options: ConfirmedCommitOptions = {}): Promise<void> {
    const { configXml } = this.netconfChange(change);
    const observe = this.auditObserver(ctx);
    await this.boundary(async () => {
      const client = await this.connected(ctx);
      this.requireConfirmedCommit(client);
      // <persist> again with <persist-id>: the follow-up keeps the commit surviving the session.
      const commit = async (): Promise<void> => {
        await ctx?.beforeWrite?.();
        await client.commit({ confirmed: true, confirmTimeoutS, persist: persistId, ...(options.followUp ? { persistId } : {}) }, observe);
      };
      if (!options.followUp) {
        await this.loadAndCommit(client, configXml, observe, commit);
        return;
      }
      await this.onPendingCommit(client, observe, async () => {
        await client.editConfig({ target: 'candidate', configXml }, observe);
        await commit();
      });
    });
  }

  /** A follow-up confirmed commit of `persistId` with nothing new: its timeout starts again. */
  async extendConfirmed(persistId: string, confirmTimeoutS: number, ctx?: OperationContext): Promise<void> {
    const observe = this.auditObserver(ctx);
    await this.boundary(async () => {
      const client = await this.connected(ctx);
      this.requireConfirmedCommit(client);
      await this.onPendingCommit(client, observe, async () => {
        await ctx?.beforeWrite?.();
        await client.commit({ confirmed: true, confirmTimeoutS, persist: persistId, persistId }, observe);
      });
    });
  }

  /**
   * Runs `work` on a clean candidate while a confirmed commit of ours is pending: under the
   * locks where the server grants them, else unlocked (yuma123 netconfd refuses every lock while
   * a confirmed commit is outstanding, and lets through only commits naming its persist-id). A
   * failed `work` leaves the candidate discarded.
   */
  private async onPendingCommit(client: NetconfClient, observe: RpcObserver | undefined, work: () => Promise<void>): Promise<void> {
    await this.lockedUnlessPending(client, observe, async () => {
      try {
        await client.discardChanges(observe);
        await work();
      } catch (error) {
        await this.quietly('discard-changes', () => client.discardChanges(observe));
        throw error;
      }
    });
  }

  /**
   * Runs `work` (a commit naming our pending persist-id) under running's and the candidate's
   * locks, taken as loadAndCommit takes them. Another session's lock is waited for as withLocks
   * waits: on a device with our commit pending that is mostly another worker's attempt, about to
   * be refused at its commit and unlocked; a confirm that gave up at once waited parked for
   * seconds while every order for the NE queued behind it. A lock refused because our commit is
   * pending lets `work` through unlocked.
   */
  private async lockedUnlessPending(client: NetconfClient, observe: RpcObserver | undefined, work: () => Promise<void>): Promise<void> {
    let working = false;
    try {
      await this.withLocks(client, ['running', 'candidate'], observe, async () => {
        working = true;
        await work();
      });
    } catch (error) {
      if (working || !confirmedCommitPending(error)) throw error;
      await work();
    }
  }

  /** Makes the confirmed commit `persistId` permanent. Commits nothing else: the candidate is reset first. */
  async confirm(persistId: string, ctx?: OperationContext): Promise<void> {
    const observe = this.auditObserver(ctx);
    await this.boundary(async () => {
      const client = await this.connected(ctx);
      this.requireConfirmedCommit(client);
      const confirmNow = async (): Promise<void> => {
        await client.discardChanges(observe);
        await ctx?.beforeWrite?.();
        await client.commit({ persistId }, observe);
      };
      // Unlocked (the server refusing locks because this commit is outstanding), the confirming
      // commit is only unguarded between its discard-changes and itself.
      await this.lockedUnlessPending(client, observe, confirmNow);
    });
  }

  /** Rolls back the confirmed commit `persistId` now instead of at its timeout. */
  async cancel(persistId: string, ctx?: OperationContext): Promise<void> {
    const observe = this.auditObserver(ctx);
    await this.boundary(async () => {
      const client = await this.connected(ctx);
      this.requireConfirmedCommit(client);
      await ctx?.beforeWrite?.();
      await client.cancelCommit(persistId, observe);
    });
  }

  /**
   * For a change that replaces one subtree (`nc:operation="replace"`): get-config of exactly that
   * subtree from running, as the change that puts it back (replaced with what the device held,
   * or removed when it held none). Undefined for any other change: a merge has no one subtree
   * whose prior state restores it.
   */
  async readPrior(change: ChangeSet, ctx?: OperationContext): Promise<ChangeSet | undefined> {
    if (change.protocol !== 'netconf') return undefined;
    const plan = priorSubtree(change.configXml);
    if (!plan) return undefined;
    assertSafeNetconfXml(this.ne.id, plan.filterXml, 'filter');
    const observe = this.auditObserver(ctx);
    return this.boundary(async () => {
      const client = await this.connected(ctx);
      const data = await client.getConfig('running', plan.filterXml, observe);
      return { protocol: 'netconf' as const, configXml: plan.restore(data) };
    });
  }

  /** Reads only: get-config on running with the check's subtree filter. */
  async verify(check: Check, ctx?: OperationContext): Promise<CheckResult> {
    const { filterXml, contains, absent } = this.netconfCheck(check);
    assertSafeNetconfXml(this.ne.id, filterXml, 'filter');
    const observe = this.auditObserver(ctx);
    return this.boundary(async () => {
      const client = await this.connected(ctx);
      const data = await client.getConfig('running', filterXml, observe);
      const present = (text: string): boolean => data.includes(text) || data.includes(escapeXmlText(text));
      const passed = absent ? contains.every((text) => !present(text)) : contains.every(present);
      const observed = data.trim();
      return { passed, observed: capDeviceText(this.recorder.redact(observed)) };
    });
  }

  /**
   * close-session, then the connection; resolves once the server has ended the session (or a
   * bounded wait ran out), so a pool counts the session until the device no longer does.
   * Idempotent; never throws.
   */
  async close(ctx?: OperationContext): Promise<void> {
    this.recorder.reportUnreported(ctx);
    const client = this.client ?? (await this.opening?.catch(() => undefined));
    this.client = undefined;
    if (client) this.retire(client, true, ctx);
    await Promise.all(this.retired);
  }

  /**
   * Ends a session (politely when asked and still healthy) and remembers it until the server let
   * go. A polite close is the logout: reported to `ctx.audit` (the session-open's counterpart).
   */
  private retire(client: NetconfClient, polite = false, ctx?: OperationContext): void {
    const startedAt = new Date();
    const request = `close-session ${this.credentials.username ?? ''}@${this.ne.host}:${this.ne.port}`;
    const report = (error?: unknown): void => {
      if (!polite) return;
      const reply = error === undefined ? '' : error instanceof Error ? error.message : String(error);
      const errorCode = error instanceof FleetError ? error.code : undefined;
      this.recorder.record(ctx, { operation: 'session-close', request, reply, outcome: error === undefined ? 'ok' : 'error', errorCode, startedAt });
    };
    const done = (polite ? client.closeSession() : client.destroy()).then(
      () => report(),
      (error: unknown) => {
        report(error);
        this.options.log?.debug({ neId: this.ne.id, err: error }, 'NETCONF close failed');
      },
    );
    this.retired.add(done);
    void done.finally(() => this.retired.delete(done));
  }

  private async loadAndCommit(client: NetconfClient, configXml: string, observe: RpcObserver | undefined, commit: () => Promise<void>): Promise<void> {
    // Running is locked too so nobody edits it directly between our edit and commit.
    await this.withLocks(client, ['running', 'candidate'], observe, async () => {
      // The candidate is shared: whatever another session left in it would be committed with our change.
      await client.discardChanges(observe);
      try {
        // No separate <validate>: commit validates the candidate itself (RFC 6241 8.3.4.1), and
        // yuma123 netconfd 2.13 answers a commit that follows a validate with <ok/> but leaves
        // running unchanged.
        await client.editConfig({ target: 'candidate', configXml }, observe);
        await commit();
      } catch (error) {
        await this.quietly('discard-changes', () => client.discardChanges(observe));
        throw error;
      }
    });
  }

  private async editRunning(client: NetconfClient, configXml: string, observe: RpcObserver | undefined): Promise<void> {
    if (!client.hasCapability(CAP_WRITABLE_RUNNING)) {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, 'server offers neither :candidate nor :writable-running');
    }
    await this.withLocks(client, ['running'], observe, () =>
      client.editConfig(
        {
          target: 'running',
          configXml,
          ...(client.hasCapability(CAP_ROLLBACK_ON_ERROR) ? { errorOption: 'rollback-on-error' as const } : {}),
        },
        observe,
      ),
    );
  }

  /**
   * Locks in order, runs `work`, unlocks in reverse order whatever happened. A lock held by
   * another session (often another worker of the fleet changing the same device) is waited for:
   * our locks are given back and all are taken again after a short, growing, jittered pause, up
   * to a bound; only then does the transient NE_LOCKED go up.
   */
  private async withLocks<T>(client: NetconfClient, datastores: Datastore[], observe: RpcObserver | undefined, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + Math.min(this.ne.commandTimeoutMs, 5000);
    for (let attempt = 0; ; attempt++) {
      const locked: Datastore[] = [];
      let working = false;
      try {
        for (const datastore of datastores) {
          await this.lock(client, datastore, observe);
          locked.push(datastore);
        }
        working = true;
        return await work();
      } catch (error) {
        // A pending confirmed commit (NE_COMMIT_PENDING) may last its whole confirm timeout: not worth waiting for here.
        const busy = !working && error instanceof NeError && error.code === 'NE_LOCKED';
        if (!busy || Date.now() >= deadline) throw error;
      } finally {
        for (const datastore of locked.reverse()) await this.quietly(`unlock ${datastore}`, () => client.unlock(datastore, observe));
      }
      const pause = Math.min(20 * 2 ** attempt, 250) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))));
    }
  }

  /** A candidate left modified by a session that went away cannot be locked until someone discards it. */
  private async lock(client: NetconfClient, datastore: Datastore, observe: RpcObserver | undefined): Promise<void> {
    try {
      await client.lock(datastore, observe);
    } catch (error) {
      if (datastore !== 'candidate' || !candidateIsDirty(error)) throw error;
      this.options.log?.info({ neId: this.ne.id }, 'candidate holds uncommitted changes of another session; discarding them');
      await client.discardChanges(observe);
      await client.lock(datastore, observe);
    }
  }

  /** Clean-up steps must not hide the error that made them necessary. */
  private async quietly(step: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.options.log?.warn({ neId: this.ne.id, err: error, step }, 'NETCONF clean-up step failed');
    }
  }

  /** Reports every RPC to the caller's audit sink; a throwing sink is the caller's bug, never ours to surface. */
  private auditObserver(ctx: OperationContext | undefined): RpcObserver | undefined {
    if (!ctx?.audit) return undefined;
    return (exchange) =>
      this.recorder.record(ctx, {
        operation: 'netconf-rpc',
        request: exchange.requestXml,
        reply: exchange.replyXml,
        errorCode: exchange.error?.code,
        startedAt: exchange.startedAt,
        durationMs: exchange.durationMs,
      });
  }

  private requireConfirmedCommit(client: NetconfClient): void {
    if (!client.hasCapability(CAP_CANDIDATE) || !client.hasCapability(CAP_CONFIRMED_COMMIT_1_1)) {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, 'server does not offer :candidate with :confirmed-commit:1.1');
    }
  }

  private netconfChange(change: ChangeSet): NetconfChange {
    if (change.protocol !== 'netconf') {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, `NETCONF adapter cannot apply a ${change.protocol} change set`);
    }
    assertSafeNetconfXml(this.ne.id, change.configXml, 'config');
    return change;
  }

  private netconfCheck(check: Check): NetconfCheck {
    if (check.protocol !== 'netconf') {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, `NETCONF adapter cannot run a ${check.protocol} check`);
    }
    return check;
  }

  /** Every error leaves as a FleetError (adapters/driver-boundary.ts). */
  private boundary<T>(work: () => Promise<T>): Promise<T> {
    return driverBoundary(this.ne.id, 'NETCONF', work);
  }
}
