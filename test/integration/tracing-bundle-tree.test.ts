import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { spawnCli, type CliChild } from '../support/cli-process.js';
import type { ExportedSpan } from '../support/tracing/in-memory-fleet.js';

/**
 * The whole trace of the mobile bundle (examples/orders/mobile-bundle.json) through a fleet of
 * real processes (api, orchestrator, two workers), each tracing into the SDK's in-memory exporter:
 * the TMF641 POST, the intake and the first item job's add in the api process; each item job,
 * its steps and its NE exchanges in whichever worker process took it, each later item's job
 * added by the worker that completed the item it relies on; on the simulated NEs of
 * `activation-fleet lab`.
 */
const KIND = { internal: 0, server: 1, client: 2, producer: 3, consumer: 4 } as const;
const TOKEN = randomBytes(24).toString('base64url');

interface FleetChild {
  role: string;
  child: ChildProcess;
  lines: string[];
  httpPort: number;
}

let redis: PrivateRedis;
let lab: CliChild;
let configDir: string;
const fleet: FleetChild[] = [];

const json = (line: string): Record<string, unknown> => {
  try {
    return line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

function fleetEnv(service: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_')) delete env[name];
  return { ...env, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, CONFIG_DIR: configDir, SIMULATED_LAB: 'off', HTTP_PORT: '0', API_TOKENS: `tester ${TOKEN} read,order`, LOG_LEVEL: 'info', OTEL_SERVICE_NAME: service, ...extra };
}
const prefix = `trace-${randomBytes(4).toString('hex')}`;

/** `activation-fleet start --role ROLE` with the in-memory exporter; resolves on its start-up line. */
function startRole(role: string, service: string, extra: Record<string, string> = {}): Promise<FleetChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/tracing/in-memory-fleet.ts', 'start', '--role', role], { env: fleetEnv(service, extra), stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${service} exited with ${code} before it started:\n${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const started = json(line);
      if (String(started.msg).startsWith('activation-fleet ') && typeof started.httpPort === 'number') {
        const entry = { role: service, child, lines, httpPort: started.httpPort };
        fleet.push(entry);
        resolve(entry);
      }
    });
  });
}

/** Every span each process finished so far, asked over its IPC channel. */
async function collectSpans(): Promise<ExportedSpan[]> {
  const parts = await Promise.all(
    fleet.map(
      ({ child }) =>
        new Promise<ExportedSpan[]>((resolve) => {
          child.once('message', (message) => resolve((message as { spans: ExportedSpan[] }).spans));
          child.send('spans');
        }),
    ),
  );
  return parts.flat();
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  lab = spawnCli(['lab'], { ...process.env, LOG_LEVEL: 'silent' });
  configDir = (await lab.waitForLine((l) => l.startsWith('CONFIG_DIR='))).slice('CONFIG_DIR='.length);
});

afterAll(async () => {
  for (const { child } of fleet) if (child.exitCode === null) child.kill('SIGKILL');
  if (lab && lab.child.exitCode === null) lab.child.kill('SIGTERM');
  await redis?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

describe('the trace of a bundle across fleet processes', () => {
  it('API request -> intake -> each item job -> each step -> each NE exchange, one trace; logs carry its ids', async () => {
    const [api] = await Promise.all([
      startRole('api', 'fleet-api'),
      startRole('orchestrator', 'fleet-orchestrator'),
      // Two worker processes, at one job at a time each: the items of the bundle go to whichever is free.
      startRole('worker', 'fleet-worker-1', { LOG_LEVEL: 'debug', WORKER_CONCURRENCY: '1' }),
      startRole('worker', 'fleet-worker-2', { LOG_LEVEL: 'debug', WORKER_CONCURRENCY: '1' }),
    ]);
    const base = `http://127.0.0.1:${api.httpPort}/tmf-api/serviceOrdering/v4/serviceOrder`;
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const body = await readFile('examples/orders/mobile-bundle.json', 'utf8');
    const created = await fetch(base, { method: 'POST', headers, body });
    expect(created.status).toBe(201);
    const orderId = ((await created.json()) as { id: string }).id;
    for (let state = ''; state !== 'completed'; ) {
      state = ((await (await fetch(`${base}/${orderId}`, { headers })).json()) as { state: string }).state;
      expect(['acknowledged', 'inProgress', 'completed'], `order ${orderId}`).toContain(state);
      if (state !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }

    // A span is exported when it ends: BullMQ's consumer span ends just after the job's work,
    // so ask until the three item jobs' consumer spans are there.
    let spans: ExportedSpan[];
    const itemSpans = (all: ExportedSpan[]) => all.filter((s) => s.name === 'activation.activate' && s.attributes['activation.order.id'] === orderId);
    for (;;) {
      spans = await collectSpans();
      const items = itemSpans(spans);
      const ids = new Set(spans.map((s) => s.spanId));
      const parentsIn = items.every((s) => s.parentSpanId !== undefined && ids.has(s.parentSpanId));
      if (items.length === 3 && parentsIn) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const intake = spans.find((s) => s.name === 'order.intake' && s.attributes['activation.order.id'] === orderId);
    expect(intake, 'the intake span names the order').toBeDefined();
    const trace = spans.filter((s) => s.traceId === intake!.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (s: ExportedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const ancestors = (s: ExportedSpan): ExportedSpan[] => {
      const parent = parentOf(s);
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    const label = (s: ExportedSpan) =>
      `${s.service} ${s.name} kind=${s.kind}${s.attributes['activation.item.id'] ? ` item=${String(s.attributes['activation.item.id'])}` : ''}${s.attributes['activation.ne.id'] ? ` ne=${String(s.attributes['activation.ne.id'])}` : ''}`;
    const render = (s: ExportedSpan, indent: string): string[] => [`${indent}${label(s)}`, ...trace.filter((c) => c.parentSpanId === s.spanId).flatMap((c) => render(c, `${indent}  `))];
    const tree = trace.filter((s) => parentOf(s) === undefined).flatMap((s) => render(s, '')).join('\n');
    // SHOW_TRACE=1 prints the tree (service, span, kind, item, NE).
    if (process.env.SHOW_TRACE) console.log(tree);

    // One root: the HTTP request to the TMF641 API; every other span of the order hangs under it.
    const roots = trace.filter((s) => parentOf(s) === undefined);
    expect(roots.map((s) => [s.service, s.kind]), tree).toEqual([['fleet-api', KIND.server]]);
    const [request] = roots;
    expect(ancestors(intake!)).toContain(request);

    // Each item: a job consumed by a worker process, its activation span, its steps, its NE exchanges.
    const items = trace.filter((s) => s.name === 'activation.activate');
    expect(items.map((s) => s.attributes['activation.item.id']).sort()).toEqual(['mobile-plan', 'number-porting', 'voicemail']);
    const expected: Record<string, { ne: string; protocol: string }> = {
      'number-porting': { ne: 'npdb-1', protocol: 'netconf' },
      'mobile-plan': { ne: 'pcrf-1', protocol: 'ssh-cli' },
      voicemail: { ne: 'vms-1', protocol: 'snmp' },
    };
    for (const item of items) {
      const itemId = String(item.attributes['activation.item.id']);
      expect(item.service).toMatch(/^fleet-worker-[12]$/);
      expect(item.attributes).toMatchObject({ 'activation.order.id': orderId, 'activation.outcome': 'completed', 'activation.action': 'add' });
      // BullMQ's consumer span, in the worker process, continues the producer span of whoever added the job.
      const job = parentOf(item);
      expect(job?.kind, tree).toBe(KIND.consumer);
      expect(job?.service).toBe(item.service);
      expect(parentOf(job!)?.kind, tree).toBe(KIND.producer);
      const steps = trace.filter((s) => s.name === 'activation.step' && parentOf(s) === item);
      expect(steps.length, `${itemId}: its steps\n${tree}`).toBeGreaterThanOrEqual(1);
      const exchanges = trace.filter((s) => s.name === 'ne.exchange' && steps.includes(parentOf(s)!));
      expect(exchanges.length, `${itemId}: its NE exchanges\n${tree}`).toBeGreaterThanOrEqual(1);
      for (const exchange of exchanges) {
        expect(exchange.kind).toBe(KIND.client);
        expect(exchange.attributes).toMatchObject({ 'activation.order.id': orderId, 'activation.item.id': itemId, 'activation.ne.id': expected[itemId]!.ne, 'activation.protocol': expected[itemId]!.protocol });
      }
    }
    // The plan relies on the porting, and voicemail on the plan: each item job was added by the
    // one before it, in whichever worker process ran it.
    const itemOf = (id: string) => items.find((s) => s.attributes['activation.item.id'] === id)!;
    expect(ancestors(itemOf('mobile-plan'))).toContain(itemOf('number-porting'));
    expect(ancestors(itemOf('voicemail'))).toContain(itemOf('mobile-plan'));
    // The first item, due at once, was added by the intake itself, in the api process.
    expect(parentOf(parentOf(itemOf('number-porting'))!)?.service).toBe('fleet-api');
    expect(ancestors(itemOf('number-porting'))).toContain(intake);
    // The api process and one worker process at least (both workers when they shared the items).
    const processes = new Set(trace.map((s) => s.pid));
    expect(processes.size, tree).toBeGreaterThanOrEqual(2);
    // Span names stay short: an anonymous Fastify plugin would otherwise name its hooks' spans with its whole source.
    expect(trace.filter((s) => s.name.length > 120).map((s) => s.name.slice(0, 60)), 'overlong span names').toEqual([]);
    console.log(`bundle trace: ${trace.length} spans in ${processes.size} processes; items on ${items.map((s) => `${String(s.attributes['activation.item.id'])}@${s.service}`).join(', ')}`);

    // Nothing secret in any span: the lab's NE password and the API token.
    const password = (await readFile(`${configDir}/secrets/password`, 'utf8')).trim();
    const everything = JSON.stringify(spans);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(TOKEN);

    // The workers' log lines made inside an item's span carry its trace and span ids.
    for (const item of items) {
      const worker = fleet.find((f) => f.role === item.service)!;
      const line = worker.lines.map(json).find((l) => l.msg === 'activating item' && l.itemId === item.attributes['activation.item.id'] && l.orderId === orderId);
      expect(line, `${item.service}: the 'activating item' line`).toMatchObject({ trace_id: item.traceId, span_id: item.spanId });
    }
    // Four fleet processes compile the sources through tsx as they start: on a machine running two
    // or three CI runs at once that alone took 40-60 s, so the default 60 s was not enough.
  }, 240_000);
});
