import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetMetrics } from '../../observability/fleet-metrics.js';
import { createLogger } from '../../observability/logger.js';
import { startOpsServer } from '../../observability/ops-server.js';
import { startApiHarness, TOKENS, type ApiHarness } from './support/api-harness.js';

const HEADERS_MS = 600;
const REQUEST_MS = 1200;
const KEEP_ALIVE_MS = 400;
// Node checks for expired requests on an interval (set from the headers timeout), and the
// machine may be busy: a slow client must be cut well before it could do harm, not to the ms.
const SLACK_MS = 3000;

let t: ApiHarness;
let port: number;
beforeAll(async () => {
  t = await startApiHarness({ HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS), HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS), HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS) });
  port = (t.api.http?.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await t?.stop();
});

/** Opens a raw connection and resolves, once the server closes it, with what it answered and when. */
function rawClient(): { socket: Socket; closed: Promise<{ afterMs: number; answer: string }>; connected: Promise<void> } {
  const socket = connect({ host: '127.0.0.1', port });
  let answer = '';
  let openedAt = Date.now();
  const connected = new Promise<void>((resolve) =>
    socket.once('connect', () => {
      openedAt = Date.now();
      resolve();
    }),
  );
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) => socket.once('close', () => resolve({ afterMs: Date.now() - openedAt, answer })));
  return { socket, closed, connected };
}

/** Writes a byte every `everyMs` until the socket closes: a client that never finishes. */
function trickle(socket: Socket, everyMs: number, byte = 'a'): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(timer);
    else socket.write(byte);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

describe('slow clients', () => {
  it('a client trickling its headers is cut after the headers timeout', async () => {
    const { socket, closed, connected } = rawClient();
    await connected;
    socket.write('GET /tmf-api/serviceOrdering/v4/serviceOrder HTTP/1.1\r\nHost: fleet\r\nX-Slow: ');
    trickle(socket, 100);
    const { afterMs, answer } = await closed;
    console.log(`headers trickled: cut after ${afterMs} ms (HTTP_HEADERS_TIMEOUT_MS ${HEADERS_MS}): ${answer.split('\r\n')[0] || '(closed without an answer)'}`);
    expect(afterMs).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(afterMs).toBeLessThan(HEADERS_MS + SLACK_MS);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('a client trickling its body is cut after the request timeout, and nothing is stored', async () => {
    const before = await t.fleet.fleet.store.list({ limit: 10_000 });
    const { socket, closed, connected } = rawClient();
    await connected;
    socket.write(
      `POST /tmf-api/serviceOrdering/v4/serviceOrder HTTP/1.1\r\nHost: fleet\r\nAuthorization: Bearer ${TOKENS.order}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"serviceOrderItem":[`,
    );
    trickle(socket, 100, ' ');
    const { afterMs, answer } = await closed;
    console.log(`body trickled: cut after ${afterMs} ms (HTTP_REQUEST_TIMEOUT_MS ${REQUEST_MS}): ${answer.split('\r\n')[0] || '(closed without an answer)'}`);
    expect(afterMs).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(afterMs).toBeLessThan(REQUEST_MS + SLACK_MS);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
    expect(await t.fleet.fleet.store.list({ limit: 10_000 })).toEqual(before);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { socket, closed, connected } = rawClient();
    await connected;
    socket.write('GET /healthz HTTP/1.1\r\nHost: fleet\r\nConnection: keep-alive\r\n\r\n');
    const answered = Date.now();
    const { answer } = await closed;
    const idleMs = Date.now() - answered;
    console.log(`keep-alive: idle connection closed ${idleMs} ms after the request (HTTP_KEEP_ALIVE_TIMEOUT_MS ${KEEP_ALIVE_MS})`);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(idleMs).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 50);
    expect(idleMs).toBeLessThan(KEEP_ALIVE_MS + SLACK_MS);
  });

  it('serves a well-behaved client as before', async () => {
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    expect((await t.call('GET', '/tmf-api/serviceOrdering/v4/serviceOrder?limit=1')).status).toBe(200);
  });
});

describe('the bind address', () => {
  it('is loopback unless HTTP_HOST says otherwise', () => {
    expect((t.api.http?.server.address() as AddressInfo).address).toBe('127.0.0.1');
  });

  it('binds every interface when a container sets HTTP_HOST=0.0.0.0', async () => {
    const server = await startOpsServer({ port: 0, host: '0.0.0.0', metrics: new FleetMetrics({ defaultMetrics: false }), log: createLogger({ level: 'silent' }), ready: async () => undefined });
    try {
      const address = server.server.address() as AddressInfo;
      expect(address.address).toBe('0.0.0.0');
      expect((await fetch(`http://127.0.0.1:${address.port}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
