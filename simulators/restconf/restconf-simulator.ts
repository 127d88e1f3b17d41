import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { HeldFault } from '../hostile/held-fault.js';
import { DataTree, RestconfFault, type Json, type JsonObject, type ListKeys } from './data-tree.js';

/**
 * A RESTCONF server (RFC 8040) on 127.0.0.1 over node:http, holding a JSON datastore: host-meta
 * discovery, GET/HEAD/PUT/PATCH/POST/DELETE of data resources with the RFC's status codes and
 * `ietf-restconf:errors` bodies, YANG Patch (RFC 8072) of the datastore applied all or nothing,
 * entity tags on every resource and on the datastore, basic auth. It logs every exchange, so a
 * test counts what reached the device from the device's side.
 */

export const YANG_DATA_JSON = 'application/yang-data+json';
const YANG_PATCH_JSON = 'application/yang-patch+json';
const MAX_REQUEST_BYTES = 1024 * 1024;
const CAPABILITIES = 'ietf-restconf-monitoring:restconf-state/capabilities';
const BASE_CAPABILITIES = ['urn:ietf:params:restconf:capability:defaults:1.0?basic-mode=explicit', 'urn:ietf:params:restconf:capability:depth:1.0'];
const CAP_YANG_PATCH = 'urn:ietf:params:restconf:capability:yang-patch:1.0';

export interface RestconfSimulatorOptions {
  /** Basic-auth accounts. */
  users: Record<string, string>;
  /** List node (qualified) -> its key leaves. */
  lists?: ListKeys;
  /** The datastore at start (RFC 7951 JSON). */
  data?: JsonObject;
  /** The root host-meta announces. @defaultValue '/restconf' */
  root?: string;
  /** Whether the server offers YANG Patch. @defaultValue true */
  yangPatch?: boolean;
  /** Serve HTTPS with this key and certificate (PEM); plain HTTP without. */
  tls?: { key: string; cert: string };
  port?: number;
}

/** One exchange as the server saw it. */
export interface SimExchange {
  method: string;
  /** Path without the query. */
  path: string;
  query: string;
  contentType: string | undefined;
  ifMatch: string | undefined;
  body: string;
  status: number;
  /** Whether the datastore changed. */
  wrote: boolean;
}

export type SimFaultKind = 'silent' | 'endless-body' | 'huge-body' | 'drop';

export interface RestconfSimulator {
  readonly host: string;
  readonly port: number;
  readonly root: string;
  /** Every exchange answered (or faulted), oldest first. */
  readonly log: SimExchange[];
  /** Exchanges that changed the datastore. */
  writes(): SimExchange[];
  /** A copy of the datastore. */
  data(): JsonObject;
  /** The resource at a data path as GET shows it, or undefined. */
  read(path: string): JsonObject | undefined;
  /** Changes the datastore behind the driver's back (another manager), as one write. */
  edit(operation: 'create' | 'merge' | 'replace' | 'delete' | 'remove', path: string, value?: JsonObject): void;
  /**
   * Requests `fault` hits (and `match` selects, by method and path) get `kind`: taken and never
   * answered (silent), answered 200 with a body that never ends (endless-body) or with 16 MiB
   * (huge-body), or their connection destroyed (drop). Each hit settles once the client gave its connection up.
   */
  fault(kind: SimFaultKind, fault: HeldFault | null, match?: (method: string, path: string) => boolean): void;
  /** Answers the writes `match` selects with this status and error-tag (a device refusing), changing nothing. */
  refuseWrites(refusal: { status: number; tag: string; message: string } | null, match?: (method: string, path: string) => boolean): void;
  /** Destroys every open connection (kept-alive ones too), as a restarting server would; resolves once they are closed. */
  dropConnections(): Promise<void>;
  close(): Promise<void>;
}

function etag(value: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 20)}"`;
}

function errorsBody(fault: RestconfFault): string {
  const type = fault.status === 400 && fault.tag === 'malformed-message' ? 'transport' : 'application';
  return JSON.stringify({
    'ietf-restconf:errors': { error: [{ 'error-type': type, 'error-tag': fault.tag, ...(fault.path ? { 'error-path': fault.path } : {}), 'error-message': fault.message }] },
  });
}

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase();
}

export async function startRestconfSimulator(options: RestconfSimulatorOptions): Promise<RestconfSimulator> {
  const root = (options.root ?? '/restconf').replace(/\/+$/, '');
  const lists = options.lists ?? {};
  const tree = new DataTree(structuredClone(options.data ?? {}), lists);
  const capabilities = [...BASE_CAPABILITIES, ...(options.yangPatch === false ? [] : [CAP_YANG_PATCH])];
  let revision = 0;
  const log: SimExchange[] = [];
  let activeFault: { kind: SimFaultKind; fault: HeldFault; match: ((m: string, p: string) => boolean) | undefined } | undefined;
  let refusal: { status: number; tag: string; message: string; match: ((m: string, p: string) => boolean) | undefined } | undefined;
  const sockets = new Set<Socket>();
  const datastoreEtag = (): string => `"ds-${revision}"`;

  /** Runs `work` on a copy and keeps it only if it all succeeds: every write is all or nothing. */
  const transact = (work: (t: DataTree) => void): void => {
    const copy = new DataTree(structuredClone(tree.root), lists);
    work(copy);
    tree.root = copy.root;
    revision += 1;
  };

  const checkPreconditions = (req: http.IncomingMessage, current: unknown): void => {
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    const tag = current === undefined ? undefined : etag(current);
    if (ifMatch !== undefined && (tag === undefined || (ifMatch !== '*' && !ifMatch.split(',').map((t) => t.trim()).includes(tag)))) {
      throw new RestconfFault(412, 'operation-failed', 'the resource changed (If-Match failed)');
    }
    if (ifNoneMatch === '*' && tag !== undefined) throw new RestconfFault(412, 'operation-failed', 'the resource exists (If-None-Match failed)');
  };

  const parseBody = (body: string): Json => {
    try {
      return JSON.parse(body) as Json;
    } catch {
      throw new RestconfFault(400, 'malformed-message', 'the body is not JSON');
    }
  };

  /** Answers one request: [status, headers, body, wrote]. */
  const handle = (req: http.IncomingMessage, path: string, query: string, body: string): [number, Record<string, string>, string, boolean] => {
    const method = req.method ?? 'GET';
    const json = { 'content-type': YANG_DATA_JSON };
    if (path === '/.well-known/host-meta' && method === 'GET') {
      return [200, { 'content-type': 'application/xrd+xml' }, `<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"><Link rel="restconf" href="${root}"/></XRD>`, false];
    }
    if (path !== root && !path.startsWith(`${root}/`)) throw new RestconfFault(404, 'invalid-value', 'no such resource');
    const auth = req.headers.authorization ?? '';
    const [user, ...rest] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
    if (!auth.startsWith('Basic ') || user === undefined || options.users[user] === undefined || options.users[user] !== rest.join(':')) {
      throw new RestconfFault(401, 'access-denied', 'authentication failed');
    }
    const accept = req.headers.accept;
    if (accept && !/(application\/yang-data\+json|application\/\*|\*\/\*)/.test(accept)) throw new RestconfFault(406, 'invalid-value', 'only application/yang-data+json is served');
    if (path === root) {
      if (method !== 'GET' && method !== 'HEAD') throw new RestconfFault(405, 'operation-not-supported', `${method} on the API resource`);
      return [200, json, JSON.stringify({ 'ietf-restconf:restconf': { data: {}, operations: {}, 'yang-library-version': '2019-01-04' } }), false];
    }
    if (path !== `${root}/data` && !path.startsWith(`${root}/data/`)) throw new RestconfFault(404, 'invalid-value', 'no such resource');
    const dataPath = decodeURI(path.slice(`${root}/data/`.length));
    const content = new URLSearchParams(query).get('content');
    if (content !== null && !['config', 'nonconfig', 'all'].includes(content)) throw new RestconfFault(400, 'invalid-value', `content=${content}`);
    if (refusal && method !== 'GET' && method !== 'HEAD' && (!refusal.match || refusal.match(method, path))) throw new RestconfFault(refusal.status, refusal.tag, refusal.message);

    if (method === 'GET' || method === 'HEAD') {
      if (dataPath === CAPABILITIES) {
        if (content === 'config') throw new RestconfFault(404, 'invalid-value', 'state data only');
        return [200, json, JSON.stringify({ 'ietf-restconf-monitoring:capabilities': { capability: capabilities } }), false];
      }
      if (path === `${root}/data` || path === `${root}/data/`) return [200, { ...json, etag: datastoreEtag() }, method === 'HEAD' ? '' : JSON.stringify({ 'ietf-restconf:data': tree.root }), false];
      const resource = tree.read(dataPath);
      if (resource === undefined) throw new RestconfFault(404, 'invalid-value', 'no such resource', `/${dataPath}`);
      return [200, { ...json, etag: etag(resource) }, method === 'HEAD' ? '' : JSON.stringify(resource), false];
    }

    const type = mediaType(req.headers['content-type']);
    const onDatastore = path === `${root}/data` || path === `${root}/data/`;
    if (method === 'PATCH' && type === YANG_PATCH_JSON) {
      if (!capabilities.includes(CAP_YANG_PATCH)) throw new RestconfFault(415, 'operation-not-supported', 'YANG Patch is not offered');
      if (!onDatastore) throw new RestconfFault(400, 'invalid-value', 'this server takes YANG Patch on the datastore resource only');
      return yangPatch(req, parseBody(body));
    }
    if (method !== 'DELETE' && type !== YANG_DATA_JSON) throw new RestconfFault(415, 'invalid-value', `content type ${type ?? 'none'}; this server takes ${YANG_DATA_JSON}`);
    if (onDatastore && method !== 'POST') throw new RestconfFault(405, 'operation-not-supported', `${method} of the whole datastore`);
    switch (method) {
      case 'PUT': {
        const before = tree.read(dataPath);
        checkPreconditions(req, before);
        transact((t) => t.edit('replace', dataPath, parseBody(body)));
        return [before === undefined ? 201 : 204, { etag: etag(tree.read(dataPath)) }, '', true];
      }
      case 'PATCH': {
        const before = tree.read(dataPath);
        // A plain patch never creates its target (RFC 8040 4.6.1).
        if (before === undefined) throw new RestconfFault(404, 'invalid-value', 'no such resource', `/${dataPath}`);
        checkPreconditions(req, before);
        transact((t) => t.edit('merge', dataPath, parseBody(body)));
        return [204, { etag: etag(tree.read(dataPath)) }, '', true];
      }
      case 'POST': {
        // The body is the child to create under the target (RFC 8040 4.4.1).
        const value = parseBody(body);
        const child = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value)[0] : undefined;
        if (child === undefined) throw new RestconfFault(400, 'malformed-message', 'the body must hold the child to create');
        const inner = (value as JsonObject)[child];
        // A list entry's path names its keys; the list is known by its qualified name.
        const listName = child.includes(':') ? child : `${dataPath.split(':')[0]}:${child}`;
        const keys = lists[listName];
        const entry = Array.isArray(inner) ? inner[0] : undefined;
        const suffix = keys && entry && typeof entry === 'object' && !Array.isArray(entry) ? `=${keys.map((k) => encodeURIComponent(String(entry[k]))).join(',')}` : '';
        const childPath = `${onDatastore ? '' : `${dataPath}/`}${child}${suffix}`;
        checkPreconditions(req, undefined);
        transact((t) => t.edit('create', childPath, value));
        return [201, { location: `${root}/data/${childPath}`, etag: etag(tree.read(childPath)) }, '', true];
      }
      case 'DELETE': {
        const before = tree.read(dataPath);
        if (before === undefined) throw new RestconfFault(404, 'invalid-value', 'no such resource', `/${dataPath}`);
        checkPreconditions(req, before);
        transact((t) => t.edit('delete', dataPath));
        return [204, {}, '', true];
      }
      default:
        throw new RestconfFault(405, 'operation-not-supported', `${method} is not offered`);
    }
  };

  /** RFC 8072: every edit on one copy of the datastore; the first failure refuses the whole patch. */
  const yangPatch = (req: http.IncomingMessage, body: Json): [number, Record<string, string>, string, boolean] => {
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== datastoreEtag()) throw new RestconfFault(412, 'operation-failed', 'the datastore changed (If-Match failed)');
    const patch = (body as { 'ietf-yang-patch:yang-patch'?: { 'patch-id'?: unknown; edit?: unknown } } | null)?.['ietf-yang-patch:yang-patch'];
    if (!patch || typeof patch['patch-id'] !== 'string' || !Array.isArray(patch.edit)) throw new RestconfFault(400, 'malformed-message', 'not a yang-patch');
    const patchId = patch['patch-id'];
    const edits = patch.edit as Array<{ 'edit-id'?: unknown; operation?: unknown; target?: unknown; value?: Json }>;
    let failedEdit: string | undefined;
    try {
      transact((t) => {
        for (const e of edits) {
          failedEdit = String(e['edit-id']);
          if (typeof e.target !== 'string' || !e.target.startsWith('/') || typeof e.operation !== 'string') throw new RestconfFault(400, 'malformed-message', 'an edit needs a target and an operation');
          t.edit(e.operation, e.target.slice(1), e.value);
        }
      });
    } catch (error) {
      if (!(error instanceof RestconfFault)) throw error;
      const status = JSON.stringify({
        'ietf-yang-patch:yang-patch-status': {
          'patch-id': patchId,
          edit: [{ 'edit-id': failedEdit, errors: { error: [{ 'error-type': 'application', 'error-tag': error.tag, ...(error.path ? { 'error-path': error.path } : {}), 'error-message': error.message }] } }],
        },
      });
      return [error.status, { 'content-type': YANG_DATA_JSON }, status, false];
    }
    return [200, { 'content-type': YANG_DATA_JSON, etag: datastoreEtag() }, JSON.stringify({ 'ietf-yang-patch:yang-patch-status': { 'patch-id': patchId, ok: [null] } }), true];
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const record = (status: number, wrote: boolean, body: string): void => {
      log.push({ method, path: url.pathname, query: url.search.slice(1), contentType: req.headers['content-type'], ifMatch: req.headers['if-match'], body, status, wrote });
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const hit = activeFault && (!activeFault.match || activeFault.match(method, url.pathname)) && activeFault.fault.take() ? activeFault : undefined;
      if (hit) {
        record(0, false, body);
        res.socket?.once('close', () => hit.fault.settle());
        if (hit.kind === 'drop') req.socket.destroy();
        if (hit.kind === 'endless-body') {
          res.writeHead(200, { 'content-type': YANG_DATA_JSON });
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk));
          };
          res.on('drain', pump);
          pump();
        }
        if (hit.kind === 'huge-body') {
          res.writeHead(200, { 'content-type': YANG_DATA_JSON });
          res.end(Buffer.alloc(16 * 1024 * 1024, 0x20));
        }
        // silent: the request is taken and never answered.
        return;
      }
      let answer: [number, Record<string, string>, string, boolean];
      try {
        if (size > MAX_REQUEST_BYTES) throw new RestconfFault(413, 'too-big', 'request body too large');
        answer = handle(req, url.pathname, url.search.slice(1), body);
      } catch (error) {
        const fault = error instanceof RestconfFault ? error : new RestconfFault(500, 'operation-failed', String(error));
        const headers: Record<string, string> = { 'content-type': YANG_DATA_JSON };
        if (fault.status === 401) headers['www-authenticate'] = 'Basic realm="restconf"';
        answer = [fault.status, headers, method === 'HEAD' ? '' : errorsBody(fault), false];
      }
      const [status, headers, text, wrote] = answer;
      record(status, wrote, body);
      res.writeHead(status, headers);
      res.end(status === 204 ? undefined : text);
    });
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : http.createServer(onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    host: '127.0.0.1',
    port,
    root,
    log,
    writes: () => log.filter((e) => e.wrote),
    data: () => structuredClone(tree.root),
    read: (path) => tree.read(path),
    edit(operation, path, value) {
      transact((t) => t.edit(operation, path, value));
    },
    fault(kind, fault, match) {
      activeFault = fault ? { kind, fault, match } : undefined;
    },
    refuseWrites(r, match) {
      refusal = r ? { ...r, match } : undefined;
    },
    async dropConnections() {
      const closing = [...sockets].map((socket) => (socket.destroyed ? Promise.resolve() : once(socket, 'close').then(() => undefined)));
      for (const socket of sockets) socket.destroy();
      await Promise.all(closing);
    },
    async close() {
      if (!server.listening) return;
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
