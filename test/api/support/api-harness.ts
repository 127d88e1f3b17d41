import type { AddressInfo } from 'node:net';
import { loadFleetConfig } from '../../../runtime/fleet-config.js';
import { startFleetProcess, type FleetProcess } from '../../../runtime/fleet-process.js';
import { startFleetHarness, type FleetHarness } from '../../support/fleet-harness.js';
import { OpenApiConformance } from './openapi-conformance.js';
import { loadServiceCatalog } from '../../../runtime/loading/catalog-files.js';

/** Tokens of the test clients: one that may order, one that may only read, one that may only order. */
export const TOKENS = {
  order: 'test-order-token-0123456789abcdef',
  read: 'test-read-token-0123456789abcdef',
  orderOnly: 'test-orderonly-token-0123456789ab',
} as const;

export const BASES = {
  ordering: '/tmf-api/serviceOrdering/v4',
  activation: '/tmf-api/ServiceActivationAndConfiguration/v4',
  inventory: '/tmf-api/serviceInventory/v4',
} as const;

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  /** Bearer token; null sends none. Default: the order+read token. */
  token?: string | null;
  body?: unknown;
  /** Sent as is (for malformed JSON and size limits). */
  rawBody?: string;
  contentType?: string;
  /** More request headers (e.g. prefer). */
  headers?: Record<string, string>;
}

export interface ApiHarness {
  fleet: FleetHarness;
  /** A second process with only the api role, on the same Redis and prefix, serving HTTP. */
  api: FleetProcess;
  baseUrl: string;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** One more api-role process on the same fleet (stopped with the harness). */
  startAnotherApi(): Promise<{ process: FleetProcess; baseUrl: string }>;
  stop(): Promise<void>;
}

function urlOf(process: FleetProcess): string {
  return `http://127.0.0.1:${(process.http?.server.address() as AddressInfo).port}`;
}

/**
 * A whole fleet (every role, no HTTP) plus an api-role process serving the TMF APIs on a random
 * port: the API talks to the rest of the fleet only through Redis, as it does in production.
 */
export async function startApiHarness(env: Record<string, string> = {}, options: { logLevel?: string } = {}): Promise<ApiHarness> {
  const fleet = await startFleetHarness(options.logLevel ? { logLevel: options.logLevel } : {});
  const config = loadFleetConfig({
    REDIS_URL: fleet.redis.url,
    // The same fleet: its prefix, without the Redis Cluster hash tag the config adds itself.
    QUEUE_PREFIX: fleet.fleet.keys.name,
    HTTP_PORT: '0',
    API_TOKENS: `bss ${TOKENS.order} read,order; viewer ${TOKENS.read} read; robot ${TOKENS.orderOnly} order`,
    NOTIFY_BACKOFF_MS: '50',
    NOTIFY_MAX_BACKOFF_MS: '200',
    NOTIFY_ATTEMPTS: '1000',
    NOTIFY_TIMEOUT_MS: '2000',
    ...env,
  });
  const catalog = await loadServiceCatalog('config/catalog');
  const startApi = () => startFleetProcess({ config, roles: ['api'], log: fleet.log, catalog, inventory: fleet.lab.inventory, credentials: fleet.lab.credentials });
  const api = await startApi();
  const others: FleetProcess[] = [];
  const baseUrl = urlOf(api);

  // Every answer is checked against the served OpenAPI description; stop() fails on a mismatch.
  const conformance = new OpenApiConformance((await (await fetch(`${baseUrl}/tmf-api/openapi.json`)).json()) as Record<string, any>);

  const call: ApiHarness['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? TOKENS.order : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (the docs page): the text itself.
    }
    conformance.check(method, path, response.status, response.headers.get('content-type'), parsed);
    return { status: response.status, headers: response.headers, body: parsed as any };
  };

  return {
    fleet,
    api,
    baseUrl,
    call,
    async startAnotherApi() {
      const process = await startApi();
      others.push(process);
      return { process, baseUrl: urlOf(process) };
    },
    async stop() {
      await Promise.all(others.map((p) => p.stop()));
      await api.stop();
      await fleet.stop();
      if (conformance.violations.length > 0) {
        throw new Error(`answers the OpenAPI description does not document:\n  ${[...new Set(conformance.violations)].join('\n  ')}`);
      }
    },
  };
}

/** Polls `read` until `done` holds (or fails with the last value). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last: ${JSON.stringify(last, null, 1).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  return last;
}

/** A TMF Error body with the given status, whose message mentions `field`. */
export function expectTmfError(response: ApiResponse, status: number, field?: string): void {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  const body = response.body as Record<string, unknown>;
  for (const key of ['code', 'reason', 'message', 'status']) if (typeof body[key] !== 'string') throw new Error(`TMF Error lacks ${key}: ${JSON.stringify(body)}`);
  if (body['@type'] !== 'Error' || body.status !== String(status)) throw new Error(`not a TMF Error for ${status}: ${JSON.stringify(body)}`);
  if (field !== undefined && !String(body.message).includes(field)) throw new Error(`message does not name ${field}: ${String(body.message)}`);
}
