import http from 'node:http';
import https from 'node:https';
import { NeError } from '../../errors/index.js';
import { exchange, type HttpRequest, type HttpResponse, type HttpTarget } from './http-exchange.js';
import { translateStatus } from './restconf-errors.js';

export const YANG_DATA_JSON = 'application/yang-data+json';
export const YANG_PATCH_JSON = 'application/yang-patch+json';
export const CAP_YANG_PATCH = 'urn:ietf:params:restconf:capability:yang-patch:1.0';
const CAPABILITIES_PATH = 'ietf-restconf-monitoring:restconf-state/capabilities';

/** One request and its answer as the audit trail shows them: never a header, so never the credentials. */
export interface RestconfExchange {
  method: string;
  path: string;
  requestBody: string | undefined;
  status: number | undefined;
  replyBody: string;
  error: NeError | undefined;
  startedAt: Date;
  durationMs: number;
}

export type ExchangeObserver = (exchange: RestconfExchange) => void;

export interface RestconfClientOptions {
  neId: string;
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Known root; absent: discovered through host-meta. */
  root?: string;
  ca?: string;
  serverName?: string;
  username: string;
  password: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

export type Precondition = { ifMatch: string } | { ifNoneMatch: '*' } | undefined;

export type ReadResult = { found: true; body: string; etag: string | undefined } | { found: false };

/** The `Link rel="restconf"` of an RFC 6415 host-meta document (RFC 8040 3.1). */
function restconfLink(xrd: string): string | undefined {
  for (const [link] of xrd.matchAll(/<Link\b[^>]*>/g)) {
    if (!/\brel\s*=\s*["']restconf["']/.test(link)) continue;
    return /\bhref\s*=\s*["']([^"']*)["']/.exec(link)?.[1];
  }
  return undefined;
}

/**
 * An RFC 8040 client over node's own http/https: one keep-alive agent per NE, the root
 * discovered once, JSON (RFC 7951) bodies. Every request goes to the observer, with its answer
 * or its NeError.
 */
export class RestconfClient {
  private readonly agent: http.Agent;
  private readonly target: HttpTarget;
  private readonly authorization: string;
  private discoveredRoot: string | undefined;
  private discoveredCapabilities: string[] | undefined;
  private closed = false;

  constructor(private readonly options: RestconfClientOptions) {
    // One connection at a time: the fleet's session budget counts this adapter as one session.
    const agentOptions = { keepAlive: true, maxSockets: 1 };
    this.agent = options.scheme === 'https' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.target = {
      neId: options.neId,
      scheme: options.scheme,
      host: options.host,
      port: options.port,
      agent: this.agent,
      connectTimeoutMs: options.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.serverName !== undefined ? { serverName: options.serverName } : {}),
    };
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
    this.discoveredRoot = options.root;
  }

  isOpen(): boolean {
    return !this.closed;
  }

  /** Closes the kept-alive connection. Idempotent. */
  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  /** The RESTCONF root, from host-meta on first use (RFC 8040 3.1). */
  async root(observe?: ExchangeObserver): Promise<string> {
    if (this.discoveredRoot !== undefined) return this.discoveredRoot;
    const response = await this.send({ method: 'GET', path: '/.well-known/host-meta', headers: { accept: 'application/xrd+xml' } }, observe);
    if (response.status !== 200) throw translateStatus(this.options.neId, 'GET /.well-known/host-meta', response.status, response.body);
    const href = restconfLink(response.body);
    // Only a path on this server: an absolute URL would send the credentials elsewhere.
    if (href === undefined || !/^\/[A-Za-z0-9_.~/-]*$/.test(href)) {
      throw new NeError('NE_PROTOCOL_ERROR', this.options.neId, `host-meta names no RESTCONF root on this server (Link rel="restconf" href=${JSON.stringify(href ?? null)})`);
    }
    this.discoveredRoot = href.replace(/\/+$/, '');
    return this.discoveredRoot;
  }

  /** The server's RESTCONF capability URIs (RFC 8040 9.1.1), read once. */
  async capabilities(observe?: ExchangeObserver): Promise<string[]> {
    if (this.discoveredCapabilities) return this.discoveredCapabilities;
    const read = await this.read(CAPABILITIES_PATH, observe);
    let list: unknown = [];
    if (read.found) {
      try {
        list = (JSON.parse(read.body) as { 'ietf-restconf-monitoring:capabilities'?: { capability?: unknown } })['ietf-restconf-monitoring:capabilities']?.capability ?? [];
      } catch {
        throw new NeError('NE_PROTOCOL_ERROR', this.options.neId, 'the capabilities resource is not JSON');
      }
    }
    this.discoveredCapabilities = Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : [];
    return this.discoveredCapabilities;
  }

  /** GET of a data resource; a 404 is an answer (absent), not an error. `config`: configuration only (RFC 8040 4.8.1). */
  async read(path: string, observe?: ExchangeObserver, config = false): Promise<ReadResult> {
    const target = `${await this.root(observe)}/data/${path}${config ? '?content=config' : ''}`;
    const response = await this.send({ method: 'GET', path: target, headers: { accept: YANG_DATA_JSON } }, observe);
    if (response.status === 404) return { found: false };
    if (response.status !== 200) throw translateStatus(this.options.neId, `GET ${target}`, response.status, response.body);
    return { found: true, body: response.body, etag: etagOf(response) };
  }

  /** The datastore's entity tag (RFC 8040 3.4.1.2), from a HEAD: undefined when the server keeps none. */
  async datastoreEtag(observe?: ExchangeObserver): Promise<string | undefined> {
    const target = `${await this.root(observe)}/data`;
    const response = await this.send({ method: 'HEAD', path: target, headers: { accept: YANG_DATA_JSON } }, observe);
    if (response.status !== 200) throw translateStatus(this.options.neId, `HEAD ${target}`, response.status, response.body);
    return etagOf(response);
  }

  /** One YANG Patch of the datastore (RFC 8072): every edit or none. */
  async yangPatch(patchId: string, edits: Array<{ operation: string; path: string; value?: unknown }>, precondition: Precondition, observe?: ExchangeObserver): Promise<void> {
    const body = JSON.stringify({
      'ietf-yang-patch:yang-patch': {
        'patch-id': patchId,
        edit: edits.map((e, i) => ({ 'edit-id': `edit-${i + 1}`, operation: e.operation, target: `/${e.path}`, ...(e.value !== undefined ? { value: e.value } : {}) })),
      },
    });
    await this.write('PATCH', '', body, YANG_PATCH_JSON, precondition, observe);
  }

  /** A plain RFC 8040 write of one resource: PUT (4.5), PATCH (4.6.1), POST (4.4.1, to the parent) or DELETE (4.7). */
  async write(method: 'PUT' | 'PATCH' | 'POST' | 'DELETE', path: string, body: string | undefined, contentType: string, precondition: Precondition, observe?: ExchangeObserver): Promise<HttpResponse> {
    const target = `${await this.root(observe)}/data${path ? `/${path}` : ''}`;
    const headers: Record<string, string> = { accept: YANG_DATA_JSON, ...(body !== undefined ? { 'content-type': contentType } : {}) };
    if (precondition && 'ifMatch' in precondition) headers['if-match'] = precondition.ifMatch;
    if (precondition && 'ifNoneMatch' in precondition) headers['if-none-match'] = precondition.ifNoneMatch;
    const response = await this.send({ method, path: target, headers, ...(body !== undefined ? { body } : {}) }, observe);
    if (response.status < 200 || response.status > 299) throw translateStatus(this.options.neId, `${method} ${target}`, response.status, response.body);
    return response;
  }

  private async send(request: HttpRequest, observe: ExchangeObserver | undefined): Promise<HttpResponse> {
    if (this.closed) throw new NeError('NE_CONNECTION_FAILED', this.options.neId, 'the RESTCONF session is closed', { details: { applied: 'none' } });
    const startedAt = new Date();
    const report = (status: number | undefined, replyBody: string, error: NeError | undefined): void => {
      observe?.({ method: request.method, path: request.path, requestBody: request.body, status, replyBody, error, startedAt, durationMs: Date.now() - startedAt.getTime() });
    };
    let response: HttpResponse;
    try {
      response = await exchange(this.target, { ...request, headers: { ...request.headers, authorization: this.authorization } });
    } catch (error) {
      const neError = error instanceof NeError ? error : new NeError('NE_CONNECTION_FAILED', this.options.neId, String(error), { cause: error });
      // The connection is gone or cannot be trusted (cut off mid-body, a certificate refused):
      // this session ends, and the adapter's next call starts a fresh one, discovering again.
      this.close();
      report(undefined, neError.message, neError);
      throw neError;
    }
    const failed = response.status >= 400 && !(request.method === 'GET' && response.status === 404);
    report(response.status, response.body, failed ? translateStatus(this.options.neId, `${request.method} ${request.path}`, response.status, response.body) : undefined);
    return response;
  }
}

function etagOf(response: HttpResponse): string | undefined {
  const etag = response.headers.etag;
  return typeof etag === 'string' && etag.length > 0 ? etag : undefined;
}
