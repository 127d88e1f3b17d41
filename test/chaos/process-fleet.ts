import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ServiceOrder } from '../../orders/service-order.js';
import { openServiceOrderClient, type ServiceOrderClient } from '../../runtime/service-order-client.js';
import { freeTcpPort } from '../../runtime/free-port.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';

/** The API tokens of the processes' TMF API. */
export const CHAOS_TOKENS = { order: 'chaos-order-token-0123456789abcdef', read: 'chaos-read-token-0123456789abcdef' } as const;

/** One fleet process: the real command (`activation-fleet start --role ...`) as an OS process. */
export interface FleetChild {
  roles: string;
  child: ChildProcess;
  baseUrl: string;
  /** Everything it wrote (JSON log lines), stdout and stderr. */
  output(): string;
  /** The log lines it wrote at error level or above. */
  errorLines(): Array<{ msg: string; code?: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ProcessFleet {
  redis: PrivateRedis;
  lab: SimulatedLab;
  prefix: string;
  /** The producer side on a fail-fast connection of the test's own (reads and submissions). */
  client: ServiceOrderClient;
  spawnRole(roles: string, env?: Record<string, string>): Promise<FleetChild>;
  children: FleetChild[];
  /** Processes that ended by themselves (not by a signal the test sent): crashes. */
  crashes(): number;
  /** Every secret the fleet holds: API tokens and NE credentials. */
  secrets: string[];
  waitForFinal(ids: string[], timeoutMs: number): Promise<ServiceOrder[]>;
  stop(): Promise<void>;
}

export const FINAL = ['completed', 'failed', 'partial', 'cancelled', 'rejected'];

/** Polls a fleet process's /readyz (or any path) until `done` holds. */
export async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    let failed: unknown;
    try {
      value = await read();
      if (done(value)) return value;
    } catch (error) {
      failed = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last: ${failed ? String(failed) : JSON.stringify(value)?.slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A fleet whose every role runs as a separate OS process of the real command, each with its
 * own HTTP port, on a private Redis the test can freeze, restart or wipe, against the
 * simulated NEs. The test's own connection is fail-fast, so reading never hangs in an outage.
 */
export async function startProcessFleet(options: { appendOnly: boolean; env?: Record<string, string> }): Promise<ProcessFleet> {
  const redis = await startPrivateRedis({ appendOnly: options.appendOnly });
  const lab = await startSimulatedLab({ maxSessions: 8, commandTimeoutMs: 3000 });
  const configDir = await mkdtemp(join(tmpdir(), 'fleet-process-chaos-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await cp('config/policies.yaml', join(configDir, 'policies.yaml'));
  await mkdir(join(configDir, 'inventory'));
  // Plain commits under the default (`auto`): these orders' only NETCONF NE is the NPDB, and a
  // window needs several (orders/window-scope.ts).
  const networkElements = lab.inventory.all();
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements }));
  const prefix = `chaos-${Date.now()}`;
  const pcrf = lab.credentials(lab.inventory.get('pcrf-1')!);
  const vms = lab.credentials(lab.inventory.get('vms-1')!);
  const common: Record<string, string> = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    CONFIG_DIR: configDir,
    LOG_LEVEL: 'info',
    ACTIVATION_ATTEMPTS: '5',
    ACTIVATION_BACKOFF_MS: '100',
    ACTIVATION_LOCK_MS: '10000',
    RECONCILE_INTERVAL_MS: '1000',
    RECONCILE_QUIET_MS: '8000',
    WORKER_CONCURRENCY: '8',
    API_TOKENS: `bss ${CHAOS_TOKENS.order} read,order; viewer ${CHAOS_TOKENS.read} read`,
    LAB_USERNAME: pcrf.username ?? '',
    LAB_PASSWORD: pcrf.password ?? '',
    LAB_AUTH_KEY: vms.authKey ?? '',
    LAB_PRIV_KEY: vms.privKey ?? '',
    ...options.env,
  };
  const client = await openServiceOrderClient({ redisUrl: redis.url, configDir, inventory: lab.inventory, prefix });
  const children: FleetChild[] = [];
  const signalled = new WeakSet<ChildProcess>();
  let crashes = 0;

  const spawnRole = async (roles: string, env: Record<string, string> = {}): Promise<FleetChild> => {
    const port = await freeTcpPort();
    const child = spawn('node', ['bin/activation-fleet.js', 'start', '--role', roles], {
      env: { ...process.env, ...common, HTTP_PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: string[] = [];
    child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => chunks.push(d.toString()));
    const kill = child.kill.bind(child);
    child.kill = (signal?: NodeJS.Signals | number) => {
      signalled.add(child);
      return kill(signal);
    };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        if (!signalled.has(child)) crashes += 1;
        resolve({ code, signal });
      }),
    );
    const output = () => chunks.join('');
    const entry: FleetChild = {
      roles,
      child,
      baseUrl: `http://127.0.0.1:${port}`,
      output,
      errorLines: () =>
        output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { level: number; msg: string; code?: string })
          .filter((l) => l.level >= 50),
      exited,
    };
    children.push(entry);
    // Started: every role wired, the API mounted (its last log line at start).
    await poll(async () => output().includes('"msg":"fleet process started"'), (started) => started, 60_000, 100);
    return entry;
  };

  return {
    redis,
    lab,
    prefix,
    client,
    spawnRole,
    children,
    crashes: () => crashes,
    secrets: [CHAOS_TOKENS.order, CHAOS_TOKENS.read, ...lab.secrets],
    async waitForFinal(ids, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const done = new Map<string, ServiceOrder>();
      while (done.size < ids.length && Date.now() < deadline) {
        for (const id of ids) {
          if (done.has(id)) continue;
          const record = await client.store.get(id).catch(() => undefined);
          if (record && FINAL.includes(record.order.state)) done.set(id, record.order);
        }
        if (done.size < ids.length) await new Promise((r) => setTimeout(r, 250));
      }
      return Promise.all(ids.map(async (id) => done.get(id) ?? (await client.store.get(id))?.order ?? ({ id, state: 'missing' } as unknown as ServiceOrder)));
    },
    async stop() {
      for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await client.close();
      await lab.close();
      await redis.stop();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}

/** Applies of the PCRF's subscriber blocks without an undo between them: double applies, from the device's own history. */
export function pcrfDuplicateApplies(lab: SimulatedLab): number {
  const net = new Map<string, number>();
  for (const line of lab.pcrf.configHistory()) {
    if (line.startsWith('subscriber ')) net.set(line, (net.get(line) ?? 0) + 1);
    if (line.startsWith('no subscriber ')) net.set(line.slice(3), (net.get(line.slice(3)) ?? 0) - 1);
  }
  return [...net.values()].filter((n) => n > 1).length;
}

/** A TMF API call on a fleet process, with the order token. */
export async function apiCall(child: FleetChild, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${child.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${CHAOS_TOKENS.order}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, ms: Date.now() - started };
}
