/**
 * The RESTCONF (RFC 8040) driver. A change set is one YANG Patch of the running datastore
 * (RFC 8072), which the server applies all or nothing; a server without the yang-patch
 * capability takes a one-edit change as one plain request and refuses more, before anything is
 * sent. readPrior reads exactly the resources the change writes and remembers their entity tags,
 * so the apply that follows is sent with If-Match and a change made in between is refused
 * (412) rather than lost when the prior state is put back. Every request is reported to the
 * caller's audit sink; the credentials travel in a header and appear nowhere else.
 */
import { driverBoundary } from '../driver-boundary.js';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { NeError } from '../../errors/index.js';
import type { NeCredentials } from '../ne-credentials.js';
import type { NetworkElement } from '../network-element.js';
import type { OperationContext } from '../audit.js';
import { capDeviceText, ExchangeRecorder } from '../exchange-recorder.js';
import type { ChangeSet, Check, CheckResult } from '../change-set.js';
import type { NeAdapter } from '../ne-adapter.js';
import { assertDataPath, coversPath, type RestconfChange, type RestconfCheck, type RestconfEdit } from './restconf-change.js';
import { CAP_YANG_PATCH, RestconfClient, YANG_DATA_JSON, type ExchangeObserver, type Precondition } from './restconf-client.js';
import type { RestconfProfile } from './restconf-profile.js';

/** Entity tags kept from readPrior for the apply that follows; a few per concurrent step. */
const MAX_REMEMBERED_READS = 32;

export interface RestconfAdapterOptions {
  log?: Logger;
}

/** What readPrior saw, for the apply of the same change. */
interface PriorRead {
  datastoreEtag: string | undefined;
  /** Per path: its entity tag, or null when it did not exist. */
  resources: Map<string, string | null | undefined>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The one member of a value must be the target's own name (a PUT body's rule, RFC 8040 4.5). */
function assertEdit(neId: string, edit: RestconfEdit): void {
  assertDataPath(neId, edit.path);
  const needsValue = edit.operation !== 'delete' && edit.operation !== 'remove';
  if (needsValue !== (edit.value !== undefined)) {
    throw new NeError('UNSAFE_DEVICE_INPUT', neId, `a ${edit.operation} edit of ${edit.path} ${needsValue ? 'needs' : 'takes no'} value`);
  }
  if (edit.value !== undefined && Object.keys(edit.value).length !== 1) {
    throw new NeError('UNSAFE_DEVICE_INPUT', neId, `the value of ${edit.path} must hold exactly one member, the target's qualified name`);
  }
}

/** The member `field` names below the resource, taking the first entry of any list on the way. */
function memberAt(resource: unknown, field: string): unknown {
  let node: unknown = resource;
  for (const name of field.split('/').filter(Boolean)) {
    if (Array.isArray(node)) node = node[0];
    if (node === null || typeof node !== 'object') return undefined;
    const record = node as Record<string, unknown>;
    const key = name in record ? name : Object.keys(record).find((k) => k.endsWith(`:${name}`));
    node = key === undefined ? undefined : record[key];
  }
  return Array.isArray(node) && node.length === 1 && typeof node[0] !== 'object' ? node[0] : node;
}

export class RestconfAdapter implements NeAdapter {
  private client: RestconfClient | undefined;
  private readonly priorReads = new Map<string, PriorRead>();
  private readonly recorder: ExchangeRecorder;
  private readonly log: Logger | undefined;

  constructor(
    readonly ne: NetworkElement,
    private readonly credentials: NeCredentials,
    private readonly profile: RestconfProfile,
    options: RestconfAdapterOptions = {},
  ) {
    this.log = options.log?.child({ neId: ne.id, adapter: 'restconf' });
    // The password travels base64-encoded in the Authorization header: both spellings are masked.
    const basic = credentials.username && credentials.password !== undefined ? Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') : undefined;
    this.recorder = new ExchangeRecorder({ neId: ne.id, protocol: 'restconf', secrets: [credentials.password, basic], log: this.log });
  }

  isOpen(): boolean {
    return this.client?.isOpen() ?? false;
  }

  /** Discovers the root and reads the capabilities; HTTP needs no login, so this is the session's start. */
  async open(ctx?: OperationContext): Promise<void> {
    const client = this.session();
    await this.boundary(() => client.capabilities(this.observer(ctx)));
  }

  /** Changes the device configuration: one YANG Patch, or one plain request for a one-edit change on a server without it. */
  async apply(change: ChangeSet, ctx?: OperationContext): Promise<void> {
    const { edits } = this.restconfChange(change);
    if (edits.length === 0) return;
    const observe = this.observer(ctx);
    const prior = this.takePriorRead(edits);
    await this.boundary(async () => {
      const client = this.session();
      const capabilities = await client.capabilities(observe);
      if (capabilities.includes(CAP_YANG_PATCH)) {
        await ctx?.beforeWrite?.();
        const precondition: Precondition = prior?.datastoreEtag ? { ifMatch: prior.datastoreEtag } : undefined;
        await client.yangPatch(`${this.ne.id}-${Date.now().toString(36)}`, edits, precondition, observe);
        return;
      }
      const [edit] = edits;
      if (edits.length > 1 || !edit) {
        throw new NeError('NE_UNSUPPORTED', this.ne.id, `the server offers no yang-patch capability, so a change of ${edits.length} edits cannot be applied all or nothing; nothing was sent`, {
          details: { applied: 'none' },
        });
      }
      await ctx?.beforeWrite?.();
      await this.plainWrite(client, edit, prior?.resources.get(edit.path), observe);
    });
  }

  /**
   * GET (configuration only) of exactly the resources the change writes: the change that puts
   * them back is a replace of each with what it held, or a remove where it did not exist, in
   * reverse order. Undefined when one edit's path lies inside another's (the restore would
   * depend on the order the server applies them in).
   */
  async readPrior(change: ChangeSet, ctx?: OperationContext): Promise<RestconfChange | undefined> {
    const { edits } = this.restconfChange(change);
    if (edits.some((a, i) => edits.some((b, j) => i !== j && coversPath(a.path, b.path)))) return undefined;
    const observe = this.observer(ctx);
    return this.boundary(async () => {
      const client = this.session();
      // The datastore's tag first: any change after it, to these resources or not, fails the apply's If-Match.
      const datastoreEtag = (await client.capabilities(observe)).includes(CAP_YANG_PATCH) ? await client.datastoreEtag(observe) : undefined;
      const resources = new Map<string, string | null | undefined>();
      const restore: RestconfEdit[] = [];
      for (const edit of edits) {
        const read = await client.read(edit.path, observe, true);
        if (!read.found) {
          resources.set(edit.path, null);
          if (edit.operation !== 'delete' && edit.operation !== 'remove') restore.unshift({ operation: 'remove', path: edit.path });
          continue;
        }
        resources.set(edit.path, read.etag);
        let value: unknown;
        try {
          value = JSON.parse(read.body);
        } catch {
          throw new NeError('NE_PROTOCOL_ERROR', this.ne.id, `GET ${edit.path}: the answer is not JSON`);
        }
        if (value === null || typeof value !== 'object' || Object.keys(value).length !== 1) return undefined;
        restore.unshift({ operation: 'replace', path: edit.path, value: value as Record<string, unknown> });
      }
      this.rememberPriorRead(edits, { datastoreEtag, resources });
      return { protocol: 'restconf' as const, edits: restore };
    });
  }

  /** Reads only: one GET of the check's path. A 404 is observed as absent. */
  async verify(check: Check, ctx?: OperationContext): Promise<CheckResult> {
    const { path, field, equals, contains = [], absent } = this.restconfCheck(check);
    assertDataPath(this.ne.id, path);
    const observe = this.observer(ctx);
    return this.boundary(async () => {
      const read = await this.session().read(path, observe);
      if (!read.found) return { passed: absent === true, observed: `${path} is absent (404)` };
      const observed = capDeviceText(this.recorder.redact(read.body.trim()));
      if (absent) return { passed: false, observed };
      let passed = contains.every((text) => read.body.includes(text) || read.body.includes(JSON.stringify(text).slice(1, -1)));
      if (field !== undefined) {
        let member: unknown;
        try {
          // Below the resource: inside the one member that names it.
          const body = JSON.parse(read.body) as Record<string, unknown>;
          member = memberAt(Object.values(body)[0], field);
        } catch {
          return { passed: false, observed };
        }
        const shown = member === undefined ? 'absent' : typeof member === 'object' ? JSON.stringify(member) : String(member);
        passed &&= equals === undefined ? member !== undefined : shown === String(equals);
        return { passed, observed: `${field} = ${shown}` };
      }
      return { passed, observed };
    });
  }

  /** Drops the kept-alive connection. Idempotent; never throws. */
  close(ctx?: OperationContext): Promise<void> {
    this.recorder.reportUnreported(ctx);
    this.client?.close();
    this.client = undefined;
    return Promise.resolve();
  }

  private session(): RestconfClient {
    if (this.client?.isOpen()) return this.client;
    const { username, password } = this.credentials;
    if (!username || password === undefined) throw new NeError('CREDENTIALS_UNAVAILABLE', this.ne.id, 'RESTCONF basic auth needs a username and a password');
    if (this.profile.scheme === 'http' && !isLoopback(this.ne.host)) {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, `plain http to ${this.ne.host} would send the password in clear: only loopback may use http`);
    }
    this.client = new RestconfClient({
      neId: this.ne.id,
      scheme: this.profile.scheme,
      host: this.ne.host,
      port: this.ne.port,
      ...(this.profile.root !== undefined ? { root: this.profile.root } : {}),
      ...(this.profile.ca !== undefined ? { ca: this.profile.ca } : {}),
      ...(this.profile.serverName !== undefined ? { serverName: this.profile.serverName } : {}),
      username,
      password,
      connectTimeoutMs: this.ne.connectTimeoutMs,
      requestTimeoutMs: this.ne.commandTimeoutMs,
    });
    return this.client;
  }

  /**
   * One edit as RFC 8040 writes it: create is a POST of the child to its parent (409 when it
   * exists), merge a plain PATCH, replace a PUT, delete a DELETE; remove a DELETE that an
   * absent resource satisfies. The entity tag readPrior saw guards it (If-Match), or, for a
   * resource that did not exist, If-None-Match: *.
   */
  private async plainWrite(client: RestconfClient, edit: RestconfEdit, seen: string | null | undefined, observe: ExchangeObserver | undefined): Promise<void> {
    const body = edit.value === undefined ? undefined : JSON.stringify(edit.value);
    const guard: Precondition = seen === null ? { ifNoneMatch: '*' } : seen ? { ifMatch: seen } : undefined;
    switch (edit.operation) {
      case 'create': {
        const parent = edit.path.includes('/') ? edit.path.slice(0, edit.path.lastIndexOf('/')) : '';
        await client.write('POST', parent, body, YANG_DATA_JSON, undefined, observe);
        return;
      }
      case 'merge':
        await client.write('PATCH', edit.path, body, YANG_DATA_JSON, seen ? { ifMatch: seen } : undefined, observe);
        return;
      case 'replace':
        await client.write('PUT', edit.path, body, YANG_DATA_JSON, guard, observe);
        return;
      case 'delete':
      case 'remove':
        try {
          await client.write('DELETE', edit.path, undefined, YANG_DATA_JSON, seen ? { ifMatch: seen } : undefined, observe);
        } catch (error) {
          const missing = error instanceof NeError && (error.details.httpStatus === 404 || (error.details.httpStatus === 409 && /data-missing/.test(error.message)));
          if (edit.operation === 'delete' || !missing) throw error;
        }
    }
  }

  private rememberPriorRead(edits: RestconfEdit[], read: PriorRead): void {
    const key = JSON.stringify(edits);
    this.priorReads.delete(key);
    if (this.priorReads.size >= MAX_REMEMBERED_READS) this.priorReads.delete(this.priorReads.keys().next().value as string);
    this.priorReads.set(key, read);
  }

  private takePriorRead(edits: RestconfEdit[]): PriorRead | undefined {
    const key = JSON.stringify(edits);
    const read = this.priorReads.get(key);
    this.priorReads.delete(key);
    return read;
  }

  /** Reports every request through the recorder; with no sink (a pool's open), kept for the next operation's. */
  private observer(ctx: OperationContext | undefined): ExchangeObserver {
    this.recorder.reportUnreported(ctx);
    return (exchange) =>
      this.recorder.record(
        ctx,
        {
          operation: `restconf-${exchange.method.toLowerCase()}`,
          request: `${exchange.method} ${exchange.path}${exchange.requestBody !== undefined ? `\n${exchange.requestBody}` : ''}`,
          reply: exchange.status === undefined ? exchange.replyBody : `${exchange.status}${exchange.replyBody ? `\n${exchange.replyBody}` : ''}`,
          ...(exchange.error ? { errorCode: exchange.error.code } : {}),
          startedAt: exchange.startedAt,
          durationMs: exchange.durationMs,
        },
        { keepForNextSink: true },
      );
  }

  private restconfChange(change: ChangeSet): RestconfChange {
    if (change.protocol !== 'restconf') {
      throw new NeError('NE_UNSUPPORTED', this.ne.id, `the RESTCONF adapter cannot apply a ${change.protocol} change set`);
    }
    for (const edit of change.edits) assertEdit(this.ne.id, edit);
    return change;
  }

  private restconfCheck(check: Check): RestconfCheck {
    if (check.protocol !== 'restconf') throw new NeError('NE_UNSUPPORTED', this.ne.id, `the RESTCONF adapter cannot run a ${check.protocol} check`);
    return check;
  }

  /** Every error leaves as a FleetError (adapters/driver-boundary.ts). */
  private boundary<T>(work: () => Promise<T>): Promise<T> {
    return driverBoundary(this.ne.id, 'RESTCONF', work);
  }
}
