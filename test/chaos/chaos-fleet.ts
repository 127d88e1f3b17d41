import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder } from '../../orders/service-order.js';
import { loadFleetConfig, type Role } from '../../runtime/fleet-config.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { addFigures } from './chaos-figures.js';

export interface ChaosFleet {
  redis: PrivateRedis;
  lab: SimulatedLab;
  /** Intake and orchestration in this process; activation only in worker processes. */
  fleet: FleetProcess;
  startWorker(): Promise<ChildProcess>;
  waitForFinal(ids: string[], timeoutMs: number): Promise<ServiceOrder[]>;
  stop(): Promise<void>;
}

const FINAL = ['completed', 'failed', 'partial', 'cancelled', 'rejected'];

export interface ChaosFleetOptions {
  /**
   * The NPDB's `netconf.confirmedCommit: true`: each mobile bundle then runs inside its order's
   * window (one pending confirmed commit on the NPDB, confirmed when the order ends well).
   */
  npdbConfirmedCommit?: boolean;
}

/**
 * A fleet whose activation workers are separate OS processes (the real command), so a test can
 * kill -9 them, on a private Redis (AOF on) that a test can restart.
 */
export async function startChaosFleet(env: Record<string, string> = {}, options: ChaosFleetOptions = {}): Promise<ChaosFleet> {
  const redis = await startPrivateRedis({ appendOnly: true });
  const lab = await startSimulatedLab({ maxSessions: 8, commandTimeoutMs: 3000 });
  const configDir = await mkdtemp(join(tmpdir(), 'fleet-chaos-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  // Plain commits under the default (`auto`): these orders' only NETCONF NE is the NPDB, and a
  // window needs several (orders/window-scope.ts), unless the NPDB is set to `true`.
  const networkElements = lab.inventory.all().map((ne) => (options.npdbConfirmedCommit && ne.id === 'npdb-1' ? { ...ne, netconf: { confirmedCommit: true } } : ne));
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements }));
  const common = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `chaos-${Date.now()}`,
    CONFIG_DIR: configDir,
    ACTIVATION_ATTEMPTS: '5',
    ACTIVATION_BACKOFF_MS: '100',
    // Short locks so a killed worker's jobs are taken over within seconds, yet long enough that a
    // live worker starved of CPU still renews its lock (two runs of one item would double-apply).
    ACTIVATION_LOCK_MS: '10000',
    RECONCILE_INTERVAL_MS: '1000',
    RECONCILE_QUIET_MS: '8000',
    ...env,
  };
  const roles: Role[] = ['intake', 'orchestrator', 'api'];
  const fleet = await startFleetProcess({ config: loadFleetConfig({ ...common, HTTP_PORT: '0' }), roles, log: createLogger({ level: 'silent' }), credentials: lab.credentials, http: false });
  const workers = new Set<ChildProcess>();
  let crashes = 0;
  const pcrf = lab.credentials(lab.inventory.get('pcrf-1')!);
  const vms = lab.credentials(lab.inventory.get('vms-1')!);

  return {
    redis,
    lab,
    fleet,
    async startWorker() {
      // CHAOS_LOG_DIR keeps each worker's log (level info) there: what a failed run is read from.
      const logDir = process.env.CHAOS_LOG_DIR;
      const child = spawn('node', ['bin/activation-fleet.js', 'start', '--role', 'worker'], {
        env: { ...process.env, ...common, HTTP_PORT: '0', LOG_LEVEL: logDir ? 'info' : 'error', WORKER_CONCURRENCY: '8', LAB_USERNAME: pcrf.username, LAB_PASSWORD: pcrf.password, LAB_AUTH_KEY: vms.authKey, LAB_PRIV_KEY: vms.privKey },
        stdio: ['ignore', logDir ? 'pipe' : 'ignore', logDir ? 'pipe' : 'ignore'],
      });
      if (logDir) {
        const out = createWriteStream(join(logDir, `worker-${child.pid}.log`));
        child.stdout?.pipe(out);
        child.stderr?.pipe(out);
      }
      workers.add(child);
      child.once('exit', (code, signal) => {
        workers.delete(child);
        // A worker that ends by itself (not by our SIGKILL/SIGTERM) crashed.
        if (signal === null && code !== 0) crashes += 1;
      });
      return child;
    },
    async waitForFinal(ids, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const done = new Map<string, ServiceOrder>();
      while (done.size < ids.length && Date.now() < deadline) {
        for (const id of ids) {
          if (done.has(id)) continue;
          const order = await fleet.producer.getServiceOrder(id);
          if (FINAL.includes(order.state)) done.set(id, order);
        }
        if (done.size < ids.length) await new Promise((r) => setTimeout(r, 200));
      }
      return Promise.all(ids.map(async (id) => done.get(id) ?? fleet.producer.getServiceOrder(id)));
    },
    async stop() {
      addFigures({ crashes });
      for (const child of workers) child.kill('SIGKILL');
      await fleet.stop();
      await lab.close();
      await redis.stop();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}
