/**
 * What a NETCONF server remembers across sessions: the running and candidate datastores, the
 * locks, and the pending confirmed commit. Each RPC handler returns the reply content or throws
 * SimRpcError; the session turns either into an rpc-reply.
 */
import { NETCONF_BASE_NS, childElements, findChild, ncElement, serializeNodes, textOf, type XmlElement, type XmlNode } from '../../adapters/netconf/xml-tree.js';
import { SimRpcError, applyEditConfig, cloneTree, type EditOperation, type SchemaHints } from './edit-config.js';
import { applySubtreeFilter } from './subtree-filter.js';

export type SimDatastore = 'running' | 'candidate';

/** Session id used for locks "held by another session" through `holdLock`. */
export const FOREIGN_SESSION_ID = 4242;

interface PendingConfirm {
  sessionId: number;
  persist: string | undefined;
  rollback: XmlElement;
  timer: NodeJS.Timeout;
}

/**
 * One entry of the device's own RPC log: what a session asked, how it ended, and the running
 * datastore after it when it changed. Confirm-timeout and session-end rollbacks are entries too
 * (rpc `(confirm-timeout)`, `(session-end)`), so the log alone replays running's history.
 */
export interface SimRpcRecord {
  seq: number;
  at: number;
  sessionId: number;
  rpc: string;
  /** `ok`, or the rpc-error tag it was answered with. */
  outcome: string;
  confirmed?: boolean;
  persist?: string;
  persistId?: string;
  /** The edit-config's <config> content, serialized (what the session wrote). */
  config?: string;
  /** The running datastore's children after the RPC, serialized, when the RPC changed it. */
  running?: string;
}

export interface ServerStateOptions {
  candidate: boolean;
  hints: SchemaHints;
  /** Initial running content (already parsed, children of the datastore root). */
  initial: XmlElement[];
  /** Used when a confirmed commit names no confirm-timeout. @defaultValue 600 */
  defaultConfirmTimeoutS?: number;
}

function emptyRoot(children: XmlElement[] = []): XmlElement {
  return ncElement('data', children);
}

export class NetconfServerState {
  running: XmlElement;
  candidate: XmlElement;
  private readonly locks = new Map<SimDatastore, number>();
  private pendingConfirm: PendingConfirm | undefined;
  private readonly rpcLog: SimRpcRecord[] = [];

  constructor(private readonly options: ServerStateOptions) {
    this.running = emptyRoot(options.initial.map(cloneTree));
    this.candidate = cloneTree(this.running);
  }

  setForeignLock(datastore: SimDatastore, held: boolean): void {
    if (held) this.locks.set(datastore, FOREIGN_SESSION_ID);
    else if (this.locks.get(datastore) === FOREIGN_SESSION_ID) this.locks.delete(datastore);
  }

  /** A session ended: its locks go, and a confirmed commit it started without persist rolls back. */
  endSession(sessionId: number): void {
    for (const [datastore, owner] of this.locks) if (owner === sessionId) this.locks.delete(datastore);
    if (this.pendingConfirm && this.pendingConfirm.sessionId === sessionId && this.pendingConfirm.persist === undefined) {
      const before = this.running;
      this.revertConfirmed();
      this.record({ sessionId, rpc: '(session-end)', outcome: 'ok' }, before);
    }
  }

  /** The device's RPC log, oldest first (a copy). */
  log(): SimRpcRecord[] {
    return [...this.rpcLog];
  }

  /** The pending confirmed commit, if any: whose, and its persist token (undefined: none given). */
  pending(): { sessionId: number; persist: string | undefined } | undefined {
    return this.pendingConfirm && { sessionId: this.pendingConfirm.sessionId, persist: this.pendingConfirm.persist };
  }

  /** Logs one RPC (or rollback) with the running datastore it left, if it changed running. */
  record(entry: Omit<SimRpcRecord, 'seq' | 'at' | 'running'>, runningBefore: XmlElement): SimRpcRecord {
    const record: SimRpcRecord = { ...entry, seq: this.rpcLog.length, at: Date.now(), ...(this.running !== runningBefore ? { running: serializeNodes(childElements(this.running)) } : {}) };
    this.rpcLog.push(record);
    return record;
  }

  dispose(): void {
    if (this.pendingConfirm) clearTimeout(this.pendingConfirm.timer);
    this.pendingConfirm = undefined;
  }

  handle(sessionId: number, operation: XmlElement): XmlNode[] {
    if (operation.ns !== NETCONF_BASE_NS) throw new SimRpcError('operation-not-supported', `unknown operation ${operation.name}`, 'protocol');
    switch (operation.name) {
      case 'get-config':
        return [ncElement('data', applySubtreeFilter(this.datastore(this.datastoreArg(operation, 'source')), this.filterArg(operation)))];
      case 'get':
        return [ncElement('data', applySubtreeFilter(this.running, this.filterArg(operation)))];
      case 'edit-config':
        this.editConfig(sessionId, operation);
        return [ncElement('ok')];
      case 'lock':
        this.lock(sessionId, this.datastoreArg(operation, 'target'));
        return [ncElement('ok')];
      case 'unlock':
        this.unlock(sessionId, this.datastoreArg(operation, 'target'));
        return [ncElement('ok')];
      case 'validate':
        this.datastoreArg(operation, 'source');
        return [ncElement('ok')];
      case 'commit':
        this.commit(sessionId, operation);
        return [ncElement('ok')];
      case 'cancel-commit':
        this.cancelCommit(sessionId, operation);
        return [ncElement('ok')];
      case 'discard-changes':
        this.requireCandidate();
        this.requireUnlockedFor(sessionId, 'candidate');
        this.candidate = cloneTree(this.running);
        return [ncElement('ok')];
      case 'close-session':
        return [ncElement('ok')];
      default:
        throw new SimRpcError('operation-not-supported', `operation ${operation.name} is not supported`, 'protocol');
    }
  }

  private requireCandidate(): void {
    if (!this.options.candidate) throw new SimRpcError('operation-not-supported', 'no :candidate capability', 'protocol');
  }

  private datastore(name: SimDatastore): XmlElement {
    return name === 'running' ? this.running : this.candidate;
  }

  private datastoreArg(operation: XmlElement, param: 'source' | 'target'): SimDatastore {
    const holder = findChild(operation, param);
    if (!holder) throw new SimRpcError('missing-element', `<${param}> is required`, 'protocol', undefined, [ncElement('bad-element', [param])]);
    const name = childElements(holder)[0]?.name;
    if (name === 'running') return 'running';
    if (name === 'candidate' && this.options.candidate) return 'candidate';
    throw new SimRpcError('invalid-value', `datastore ${name ?? '(none)'} is not supported`, 'protocol');
  }

  private filterArg(operation: XmlElement): XmlElement | undefined {
    const filter = findChild(operation, 'filter');
    if (!filter) return undefined;
    const type = filter.attrs.find((a) => a.name === 'type')?.value ?? 'subtree';
    if (type !== 'subtree') throw new SimRpcError('invalid-value', `filter type ${type} is not supported`, 'protocol');
    return filter;
  }

  private requireUnlockedFor(sessionId: number, datastore: SimDatastore): void {
    const owner = this.locks.get(datastore);
    if (owner !== undefined && owner !== sessionId) {
      throw new SimRpcError('in-use', `${datastore} is locked by session ${owner}`, 'protocol', undefined, [ncElement('session-id', [String(owner)])]);
    }
  }

  private lock(sessionId: number, datastore: SimDatastore): void {
    const owner = this.locks.get(datastore);
    if (owner !== undefined) {
      throw new SimRpcError('lock-denied', `${datastore} is already locked`, 'protocol', undefined, [ncElement('session-id', [String(owner)])]);
    }
    this.locks.set(datastore, sessionId);
  }

  private unlock(sessionId: number, datastore: SimDatastore): void {
    if (this.locks.get(datastore) !== sessionId) throw new SimRpcError('operation-failed', `${datastore} is not locked by this session`, 'protocol');
    this.locks.delete(datastore);
  }

  private editConfig(sessionId: number, operation: XmlElement): void {
    const target = this.datastoreArg(operation, 'target');
    this.requireUnlockedFor(sessionId, target);
    const config = findChild(operation, 'config');
    if (!config) throw new SimRpcError('missing-element', '<config> is required', 'protocol', undefined, [ncElement('bad-element', ['config'])]);
    const defaultOperationElement = findChild(operation, 'default-operation');
    const defaultOperation = defaultOperationElement ? textOf(defaultOperationElement).trim() : 'merge';
    if (!['merge', 'replace', 'none'].includes(defaultOperation)) {
      throw new SimRpcError('invalid-value', `default-operation ${defaultOperation} is not valid`, 'protocol');
    }
    const next = applyEditConfig(this.datastore(target), config, defaultOperation as EditOperation, this.options.hints);
    if (target === 'running') {
      this.running = next;
      // Without :candidate there is nothing to keep in step; with it, RFC 6241 leaves candidate alone.
    } else {
      this.candidate = next;
    }
  }

  private commit(sessionId: number, operation: XmlElement): void {
    this.requireCandidate();
    this.requireUnlockedFor(sessionId, 'running');
    const confirmed = findChild(operation, 'confirmed') !== undefined;
    const persist = optionalText(operation, 'persist');
    const persistId = optionalText(operation, 'persist-id');
    const pending = this.pendingConfirm;
    if (pending) {
      if (pending.persist !== undefined && persistId !== pending.persist) {
        // yuma123 netconfd's words for it: a wait for the pending commit, not an invalid request.
        throw new SimRpcError('in-use', 'cannot perform the operation with confirmed-commit pending', 'protocol');
      }
      if (pending.persist === undefined && pending.sessionId !== sessionId) {
        throw new SimRpcError('in-use', 'a confirmed commit of another session is pending', 'protocol');
      }
    } else if (persistId !== undefined) {
      throw new SimRpcError('invalid-value', `no confirmed commit with persist-id ${persistId}`, 'protocol');
    }
    const rollback = pending ? pending.rollback : cloneTree(this.running);
    if (pending) clearTimeout(pending.timer);
    this.pendingConfirm = undefined;
    this.running = cloneTree(this.candidate);
    if (confirmed) {
      const timeoutText = optionalText(operation, 'confirm-timeout');
      const timeoutS = timeoutText === undefined ? (this.options.defaultConfirmTimeoutS ?? 600) : Number(timeoutText);
      if (!Number.isInteger(timeoutS) || timeoutS < 1) throw new SimRpcError('invalid-value', `confirm-timeout ${timeoutText ?? ''} is not valid`, 'protocol');
      const timer = setTimeout(() => {
        const before = this.running;
        this.revertConfirmed();
        this.record({ sessionId, rpc: '(confirm-timeout)', outcome: 'ok', ...(persist !== undefined ? { persist } : {}) }, before);
      }, timeoutS * 1000);
      timer.unref();
      this.pendingConfirm = { sessionId, persist, rollback, timer };
    }
  }

  private cancelCommit(sessionId: number, operation: XmlElement): void {
    this.requireCandidate();
    const pending = this.pendingConfirm;
    if (!pending) throw new SimRpcError('operation-failed', 'no confirmed commit is pending', 'protocol');
    const persistId = optionalText(operation, 'persist-id');
    if (pending.persist !== undefined ? persistId !== pending.persist : pending.sessionId !== sessionId) {
      throw new SimRpcError('invalid-value', 'persist-id does not match the pending confirmed commit', 'protocol');
    }
    this.revertConfirmed();
  }

  private revertConfirmed(): void {
    const pending = this.pendingConfirm;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingConfirm = undefined;
    this.running = pending.rollback;
    this.candidate = cloneTree(pending.rollback);
  }
}

function optionalText(parent: XmlElement, name: string): string | undefined {
  const child = findChild(parent, name);
  return child ? textOf(child).trim() : undefined;
}
