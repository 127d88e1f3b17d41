/**
 * The NETCONF driver. Load-and-commit follows the NAPALM discipline: lock, load into the
 * candidate, validate, commit, unlock; a failed load discards the candidate and unlocks before the
 * error goes up, so the device is left as it was found. Devices without :candidate are edited in
 * running under a lock, with rollback-on-error when they offer it.
 */
import type { Logger } from 'pino';
import { FleetError, NeError } from '../../errors/index.js';
import type { NeCredentials, NetworkElement } from '../../inventory/network-element.js';
import type { ChangeSet, Check, CheckResult } from '../change-set.js';
import type { NeAdapter } from '../ne-adapter.js';
import { NetconfClient } from './netconf-client.js';
import { assertSafeNetconfXml } from './netconf-input-guard.js';
import { CAP_CANDIDATE, CAP_CONFIRMED_COMMIT_1_1, CAP_VALIDATE_1_1, CAP_WRITABLE_RUNNING, type Datastore } from './netconf-messages.js';

const CAP_ROLLBACK_ON_ERROR = 'urn:ietf:params:netconf:capability:rollback-on-error:1.0';
const CAP_VALIDATE_1_0 = 'urn:ietf:params:netconf:capability:validate:1.0';
const MAX_OBSERVED_CHARS = 2_000;

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

  constructor(
    readonly ne: NetworkElement,
    private readonly credentials: NeCredentials,
    private readonly options: NetconfAdapterOptions = {},
  ) {}

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

  private async connected(): Promise<NetconfClient> {
    if (this.client?.isOpen()) return this.client;
    this.client = undefined;
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    this.client = await this.opening;
    return this.client;
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
      connectTimeoutMs: this.ne.connectTimeoutMs,
      rpcTimeoutMs: this.ne.commandTimeoutMs,
      ...(this.options.log ? { log: this.options.log.child({ neId: this.ne.id }) } : {}),
    });
  }

  /** Changes the device configuration: merges `configXml` into running (through the candidate when offered). */
  async apply(change: ChangeSet): Promise<void> {
    const { configXml } = this.netconfChange(change);
    await this.boundary(async () => {
      const client = await this.connected();
      if (client.hasCapability(CAP_CANDIDATE)) {
        await this.loadAndCommit(client, configXml, () => client.commit());
      } else {
        await this.editRunning(client, configXml);
      }
    });
  }

  /**
   * Changes the device configuration with a confirmed commit that survives the session: unless
   * `confirm(persistId)` follows within `confirmTimeoutS`, the device rolls back by itself.
   */
  async applyConfirmed(change: ChangeSet, persistId: string, confirmTimeoutS = this.options.confirmTimeoutS ?? 600): Promise<void> {
    const { configXml } = this.netconfChange(change);
    await this.boundary(async () => {
      const client = await this.connected();
      this.requireConfirmedCommit(client);
      await this.loadAndCommit(client, configXml, () => client.commit({ confirmed: true, confirmTimeoutS, persist: persistId }));
    });
  }

  /** Makes the confirmed commit `persistId` permanent. Commits nothing else: the candidate is reset first. */
  async confirm(persistId: string): Promise<void> {
    await this.boundary(async () => {
      const client = await this.connected();
      this.requireConfirmedCommit(client);
      await this.withLocks(client, ['candidate'], async () => {
        await client.discardChanges();
        await client.commit({ persistId });
      });
    });
  }

  /** Rolls back the confirmed commit `persistId` now instead of at its timeout. */
  async cancel(persistId: string): Promise<void> {
    await this.boundary(async () => {
      const client = await this.connected();
      this.requireConfirmedCommit(client);
      await client.cancelCommit(persistId);
    });
  }

  /** Reads only: get-config on running with the check's subtree filter. */
  async verify(check: Check): Promise<CheckResult> {
    const { filterXml, contains, absent } = this.netconfCheck(check);
    assertSafeNetconfXml(this.ne.id, filterXml, 'filter');
    return this.boundary(async () => {
      const client = await this.connected();
      const data = await client.getConfig('running', filterXml);
      const present = (text: string): boolean => data.includes(text) || data.includes(escapeXmlText(text));
      const passed = absent ? contains.every((text) => !present(text)) : contains.every(present);
      const observed = data.trim();
      return { passed, observed: observed.length > MAX_OBSERVED_CHARS ? `${observed.slice(0, MAX_OBSERVED_CHARS)}...` : observed };
    });
  }

  /** close-session, then drop the connection. Idempotent; never throws. */
  async close(): Promise<void> {
    const client = this.client ?? (await this.opening?.catch(() => undefined));
    this.client = undefined;
    if (!client) return;
    try {
      await client.closeSession();
    } catch (error) {
      this.options.log?.debug({ neId: this.ne.id, err: error }, 'NETCONF close failed');
    }
  }

  private async loadAndCommit(client: NetconfClient, configXml: string, commit: () => Promise<void>): Promise<void> {
    // Running is locked too so nobody edits it directly between our validate and commit.
    await this.withLocks(client, ['running', 'candidate'], async () => {
      // The candidate is shared: whatever another session left in it would be committed with our change.
      await client.discardChanges();
      try {
        await client.editConfig({ target: 'candidate', configXml });
        if (client.hasCapability(CAP_VALIDATE_1_1) || client.hasCapability(CAP_VALIDATE_1_0)) await client.validate('candidate');
        await commit();
      } catch (error) {
        await this.quietly('discard-changes', () => client.discardChanges());
        throw error;
      }
    });
  }

  private async editRunning(client: NetconfClient, configXml: string): Promise<void> {
    if (!client.hasCapability(CAP_WRITABLE_RUNNING)) {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, 'server offers neither :candidate nor :writable-running');
    }
    await this.withLocks(client, ['running'], () =>
      client.editConfig({
        target: 'running',
        configXml,
        ...(client.hasCapability(CAP_ROLLBACK_ON_ERROR) ? { errorOption: 'rollback-on-error' as const } : {}),
      }),
    );
  }

  /** Locks in order, runs `work`, unlocks in reverse order whatever happened. */
  private async withLocks<T>(client: NetconfClient, datastores: Datastore[], work: () => Promise<T>): Promise<T> {
    const locked: Datastore[] = [];
    try {
      for (const datastore of datastores) {
        await client.lock(datastore);
        locked.push(datastore);
      }
      return await work();
    } finally {
      for (const datastore of locked.reverse()) await this.quietly(`unlock ${datastore}`, () => client.unlock(datastore));
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

  /** Every error leaves as a FleetError; anything else is a bug translated into a permanent protocol error. */
  private async boundary<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof FleetError) throw error;
      throw new NeError('NE_PROTOCOL_ERROR', this.ne.id, `unexpected NETCONF failure: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
}
