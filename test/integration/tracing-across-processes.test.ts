import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';

/**
 * One trace across two processes, exported by OTLP/HTTP as in production (configured by OTEL_*
 * variables only) to a receiver in this test: an HTTP request to a Fastify API, its ioredis
 * commands and a BullMQ add in the first process; the BullMQ job, its ioredis commands and the
 * fleet's spans in the second.
 */
const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

let redis: PrivateRedis;
let receiver: OtlpReceiver;
const children: ChildProcess[] = [];
const workerLines: string[] = [];

function startTraced(program: string, service: string, env: NodeJS.ProcessEnv, lines: string[] = []): Promise<{ child: ChildProcess; ready: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/tracing/traced-entry.ts', program], {
    env: { ...env, OTEL_SERVICE_NAME: service },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${service} exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('READY')) resolve({ child, ready: line });
    });
  });
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  receiver = await startOtlpReceiver();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await receiver?.close();
  await redis?.stop();
});

describe('tracing across processes', () => {
  it('shows the HTTP request, its Redis commands and the BullMQ job in another process as one trace', async () => {
    const env = {
      ...process.env,
      REDIS_URL: redis.url,
      QUEUE_NAME: `tracing-${randomBytes(4).toString('hex')}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_LOG_LEVEL: 'warn',
    };
    const intake = await startTraced('./order-intake-app.ts', 'fleet-api', env);
    await startTraced('./activation-worker-app.ts', 'fleet-worker', env, workerLines);
    const port = Number(intake.ready.split(' ')[1]);
    const orderId = `order-${randomBytes(4).toString('hex')}`;

    const response = await fetch(`http://127.0.0.1:${port}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId }) });
    expect(response.status).toBe(201);

    const byOrder = (s: ReceivedSpan) => s.attributes['activation.order.id'] === orderId;
    // Each process exports on its own schedule: wait for the api's intake span too, not only the worker's.
    const spans = await receiver.waitFor(
      (all) => all.filter(byOrder).some((s) => s.name === 'activation.item') && all.filter(byOrder).some((s) => s.name === 'order.intake') && all.some((s) => s.service === 'fleet-worker' && s.kind === SPAN_KIND.consumer),
      50_000,
    );
    const intakeSpan = spans.find((s) => s.name === 'order.intake' && byOrder(s));
    expect(intakeSpan, 'the intake span').toBeDefined();
    const traceId = intakeSpan!.traceId;
    const trace = spans.filter((s) => s.traceId === traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (s: ReceivedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const describeTrace = trace.map((s) => `${s.service} ${s.name} kind=${s.kind} parent=${parentOf(s)?.name ?? '-'}`).join('\n');

    // SHOW_TRACE=1 prints the tree (service, span, kind, parent), handy when extending this test.
    if (process.env.SHOW_TRACE) console.log(describeTrace);
    // Process 1: the HTTP server span is the root; Fastify's request span, our intake span under it.
    const server = trace.find((s) => s.service === 'fleet-api' && s.kind === SPAN_KIND.server);
    expect(server, describeTrace).toBeDefined();
    expect(server!.parentSpanId, 'the HTTP request starts the trace').toBeUndefined();
    expect(server!.attributes['http.route'] ?? server!.attributes['url.path'] ?? server!.name).toMatch(/orders/);
    const ancestors = (s: ReceivedSpan): ReceivedSpan[] => {
      const parent = parentOf(s);
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    expect(ancestors(intakeSpan!)).toContain(server);
    const intakeRedis = trace.filter((s) => s.service === 'fleet-api' && s.scope.includes('ioredis'));
    expect(intakeRedis.map((s) => s.attributes['db.statement'] ?? s.attributes['db.query.text'])).toContain(`set tracing-test:order:${orderId}`);
    expect(intakeRedis.every((s) => ancestors(s).includes(intakeSpan!)), describeTrace).toBe(true);
    const producer = trace.find((s) => s.service === 'fleet-api' && s.kind === SPAN_KIND.producer);
    expect(producer, describeTrace).toBeDefined();
    expect(ancestors(producer!)).toContain(intakeSpan);

    // Process 2: BullMQ's consumer span continues the producer's trace; the fleet's spans and
    // the job's Redis commands are under it.
    const consumer = trace.find((s) => s.service === 'fleet-worker' && s.kind === SPAN_KIND.consumer);
    expect(consumer, describeTrace).toBeDefined();
    expect(ancestors(consumer!)).toContain(producer);
    const item = trace.find((s) => s.service === 'fleet-worker' && s.name === 'activation.item');
    expect(item?.attributes).toMatchObject({ 'activation.order.id': orderId, 'activation.item.id': 'mobile-plan', 'activation.outcome': 'completed' });
    expect(ancestors(item!)).toContain(consumer);
    const workerRedis = trace.filter((s) => s.service === 'fleet-worker' && s.scope.includes('ioredis') && ancestors(s).includes(item!));
    expect(workerRedis.map((s) => s.attributes['db.statement'] ?? s.attributes['db.query.text'])).toEqual(expect.arrayContaining([`get tracing-test:order:${orderId}`, `set tracing-test:order:${orderId}`]));
    const exchanges = trace.filter((s) => s.name === 'ne.exchange');
    expect(exchanges.map((s) => [s.kind, s.attributes['activation.ne.id'], s.attributes['activation.protocol'], s.attributes['activation.outcome'], s.status])).toEqual([
      [SPAN_KIND.client, 'pcrf-1', 'ssh-cli', 'success', 0],
      [SPAN_KIND.client, 'pcrf-1', 'ssh-cli', 'NE_COMMAND_REJECTED', 2],
    ]);
    expect(exchanges.every((s) => parentOf(s) === item)).toBe(true);

    // Nothing secret in any span, and the worker's log line names the trace.
    expect(JSON.stringify(receiver.spans)).not.toContain('hunter2-secret');
    const logLine = workerLines.map((l) => (l.startsWith('{') ? (JSON.parse(l) as Record<string, string>) : undefined)).find((l) => l?.msg === 'activating');
    expect(logLine).toMatchObject({ trace_id: traceId, span_id: item!.spanId });
  });
});
