import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { NetworkElementInput } from '../../inventory/network-element.js';
import { createLogger } from '../../observability/logger.js';
import type { ServiceOrder, ServiceOrderInput } from '../../orders/service-order.js';
import { loadFleetConfig } from '../../runtime/fleet-config.js';
import { freeTcpPort } from '../../runtime/free-port.js';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { HeldFault } from '../../simulators/hostile/held-fault.js';
import { startNetconfSimulator, type NetconfSimulator } from '../../simulators/netconf/netconf-simulator.js';
import { startSimulatedLab, type SimulatedLab } from '../../simulators/simulated-lab.js';
import { startSnmpSimulator, SYSTEM_OIDS, type SnmpSimulator } from '../../simulators/snmp/snmp-simulator.js';
import { startSshCliSimulator, type SshCliSimulator } from '../../simulators/ssh-cli/ssh-cli-simulator.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import { mobileBundle } from '../support/mobile-bundle.js';
import { addFigures } from './chaos-figures.js';
import { EscapedErrorTally } from './escaped-errors.js';

/**
 * Hung devices under load (issue 12). Beside the lab that serves the mobile bundles, one NE per
 * protocol hangs: it accepts connections (or takes SNMP requests) and never answers, then,
 * once that has cleared, freezes one session mid-session. The faults are event-driven: each
 * hang holds until the bundles on the other NEs are all final and at least one timeout happened
 * on it; each freeze holds for one session (SNMP: one request after the engine discovery), then
 * clears. The activation worker is a separate process of the real command, as in production.
 *
 * What must hold: the bundles complete meanwhile; no process crashes and no error escapes; each
 * hung NE's item ends completed by retry once its faults cleared, or failed with the classified
 * NE_TIMEOUT if its attempts ran out first.
 */

const BUNDLES = 12;
const HUNG_TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 2000 };
const FINAL = ['completed', 'failed', 'partial', 'cancelled', 'rejected'];

interface HungNes {
  cli: SshCliSimulator;
  netconf: NetconfSimulator;
  snmp: SnmpSimulator;
}

let redis: PrivateRedis;
let lab: SimulatedLab;
let hung: HungNes;
let fleet: FleetProcess;
let configDir: string;
let env: Record<string, string>;
const workers: ChildProcess[] = [];
const escaped = new EscapedErrorTally();
let crashes = 0;

beforeAll(async () => {
  redis = await startPrivateRedis({ appendOnly: true });
  lab = await startSimulatedLab({ maxSessions: 8, commandTimeoutMs: 3000 });
  const login = lab.credentials(lab.inventory.get('pcrf-1')!);
  const v3 = lab.credentials(lab.inventory.get('vms-1')!);
  hung = {
    cli: await startSshCliSimulator({ username: login.username!, password: login.password!, hostname: 'rtr-cli-hung' }),
    netconf: await startNetconfSimulator({ username: login.username!, password: login.password!, listKeys: { interface: 'name' } }),
    snmp: await startSnmpSimulator({ v3User: { name: v3.username!, authKey: v3.authKey!, privKey: v3.privKey! } }),
  };
  const common = { credentialsRef: 'env:LAB', maxSessions: 2, ...HUNG_TIMEOUTS };
  const hungNes: NetworkElementInput[] = [
    { id: 'rtr-cli-hung', role: 'bgp-router', protocol: 'ssh-cli', host: hung.cli.host, port: hung.cli.port, ssh: { hostKeys: [hung.cli.hostKey] }, ...common },
    { id: 'rtr-nc-hung', role: 'netconf-router', protocol: 'netconf', host: hung.netconf.host, port: hung.netconf.port, ssh: { hostKeys: [hung.netconf.hostKey] }, ...common },
    { id: 'agent-snmp-hung', role: 'snmp-agent', protocol: 'snmp', host: hung.snmp.host, port: hung.snmp.port, snmp: { version: '3' }, ...common },
  ];
  configDir = await mkdtemp(join(tmpdir(), 'fleet-hung-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements: [...lab.inventory.all(), ...hungNes] }));
  env = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `chaos-hung-${Date.now()}`,
    CONFIG_DIR: configDir,
    // Enough attempts for a hung item to outlast its faults on an unloaded machine; on a loaded
    // one it may run out first, and then it must fail with the classified timeout.
    ACTIVATION_ATTEMPTS: '8',
    ACTIVATION_BACKOFF_MS: '100',
    ACTIVATION_LOCK_MS: '10000',
    RECONCILE_INTERVAL_MS: '1000',
    RECONCILE_QUIET_MS: '8000',
    LAB_USERNAME: login.username!,
    LAB_PASSWORD: login.password!,
    LAB_AUTH_KEY: v3.authKey!,
    LAB_PRIV_KEY: v3.privKey!,
  };
  fleet = await startFleetProcess({ config: loadFleetConfig({ ...env, HTTP_PORT: '0' }), roles: ['intake', 'orchestrator', 'api'], log: createLogger({ level: 'silent' }), credentials: lab.credentials, http: false });
});

afterAll(async () => {
  addFigures({ crashes, escapedErrors: escaped.count });
  for (const worker of workers) worker.kill('SIGKILL');
  await fleet?.stop();
  await Promise.allSettled([lab?.close(), hung?.cli.close(), hung?.netconf.close(), hung?.snmp.close()]);
  await redis?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

/** The real worker command, its log (at error level, where the escaped-error guard writes) read for escapes. */
async function startWorker(): Promise<{ child: ChildProcess; opsPort: number }> {
  const opsPort = await freeTcpPort();
  const child = spawn('node', ['bin/activation-fleet.js', 'start', '--role', 'worker'], {
    env: { ...process.env, ...env, HTTP_PORT: String(opsPort), LOG_LEVEL: 'error', WORKER_CONCURRENCY: '8' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  escaped.watch(child);
  child.once('exit', (code, signal) => {
    if (signal === null && code !== 0) crashes += 1;
  });
  workers.push(child);
  return { child, opsPort };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForFinal(ids: string[], timeoutMs: number): Promise<ServiceOrder[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const orders = await Promise.all(ids.map((id) => fleet.producer.getServiceOrder(id)));
    if (orders.every((o) => FINAL.includes(o.state)) || Date.now() > deadline) return orders;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A freeze of SNMP "mid-session": the engine discovery of the fresh session is answered, the change is not. */
class AfterDiscovery extends HeldFault {
  private answered = false;
  override take(): boolean {
    if (!this.answered) {
      this.answered = true;
      return false;
    }
    return super.take();
  }
}

function order(spec: string, characteristics: Record<string, string | number | boolean>): ServiceOrderInput {
  return {
    description: `${spec} on a hung NE`,
    serviceOrderItem: [
      { id: spec, action: 'add', service: { serviceSpecification: { id: spec }, serviceCharacteristic: Object.entries(characteristics).map(([name, value]) => ({ name, value })) } },
    ],
  };
}

describe('one hung NE per protocol under a load of orders on other NEs', () => {
  it('keeps the other orders flowing, crashes nothing, lets nothing escape, and ends each hung item classified', async () => {
    let bundlesDone!: () => void;
    const bundlesFinal = new Promise<void>((resolve) => (bundlesDone = resolve));
    // Accepts and never answers: at least one timeout, and until every bundle is final.
    const hangs = { cli: new HeldFault(1, { until: bundlesFinal }), netconf: new HeldFault(1, { until: bundlesFinal }), snmp: new HeldFault(2, { until: bundlesFinal }) };
    // Then one session freezes mid-session (SNMP: one request and its retransmission go unanswered).
    const freezes = { cli: new HeldFault(1), netconf: new HeldFault(1), snmp: new AfterDiscovery(2) };
    hung.cli.hangConnections(hangs.cli);
    hung.netconf.hangConnections(hangs.netconf);
    hung.snmp.dropRequests(hangs.snmp);
    hung.cli.freezeSessions(freezes.cli);
    hung.netconf.freezeSessions(freezes.netconf);
    void hangs.snmp.cleared.then(() => hung.snmp.dropRequests(freezes.snmp));

    const { child: worker, opsPort } = await startWorker();
    const hungOrders = {
      cli: await fleet.producer.submitServiceOrder(order('bgp-neighbor', { neighborIp: '192.0.2.77', remoteAs: 64777, description: 'hung-peer' })),
      netconf: await fleet.producer.submitServiceOrder(order('network-interface', { interfaceName: 'eth77', description: 'hung uplink' })),
      snmp: await fleet.producer.submitServiceOrder(order('system-contact', { contact: 'noc@example.net', location: 'rack 77' })),
    };
    // The load starts once every hung NE has a worker stuck on it.
    await until(() => hangs.cli.hits > 0 && hangs.netconf.hits > 0 && hangs.snmp.hits > 0, 60_000, 'every hung NE tried');
    const bundles = Array.from({ length: BUNDLES }, () => mobileBundle());
    const submitted = await Promise.all(bundles.map((b) => fleet.producer.submitServiceOrder(b.order)));

    // The bundles on the healthy NEs end while every hung NE still hangs: the hangs cannot clear before.
    const bundleFinals = await waitForFinal(
      submitted.map((s) => s.order.id),
      180_000,
    );
    const hitsWhileBundlesRan = [hangs.cli, hangs.netconf, hangs.snmp].map((f) => f.hits);
    bundlesDone();
    const hungFinals = await waitForFinal(
      Object.values(hungOrders).map((s) => s.order.id),
      180_000,
    );

    // The worker process is alive, serves its ops endpoints, and its guard counted nothing.
    expect([worker.exitCode, worker.signalCode]).toEqual([null, null]);
    const health = await fetch(`http://127.0.0.1:${opsPort}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toMatch(/^activation_escaped_errors_total 0$/m);

    const summary = hungFinals.map((o) => `${o.serviceOrderItem[0]?.service.serviceSpecification?.id}: ${o.state} (${o.serviceOrderItem[0]?.errorMessage?.[0]?.code ?? 'no error'})`);
    const kinds = {
      'NE accepting and never answering': hangs.cli.hits + hangs.netconf.hits + Math.ceil(hangs.snmp.hits / 2),
      'NE frozen mid-session': freezes.cli.hits + freezes.netconf.hits + Math.ceil(freezes.snmp.hits / 2),
    };
    console.log(`hung devices: bundles ${bundleFinals.map((o) => o.state).join(',')}; hung connections/datagrams while the bundles ran ${hitsWhileBundlesRan.join('/')}; faults ${JSON.stringify(kinds)}; hung items ${summary.join('; ')}`);
    addFigures({
      ordersRun: BUNDLES + hungFinals.length,
      faultsInjected: kinds['NE accepting and never answering'] + kinds['NE frozen mid-session'],
      faultsByKind: kinds,
      ordersLost: [...bundleFinals, ...hungFinals].filter((o) => !FINAL.includes(o.state)).length,
    });

    expect(bundleFinals.map((o) => o.state)).toEqual(Array(BUNDLES).fill('completed'));
    for (const b of bundles) {
      expect(lab.npdb.runningXml()).toContain(b.msisdn);
      expect(lab.vms.mailboxes().filter((m) => m.msisdn === b.msisdn)).toHaveLength(1);
    }
    // Each hung item: completed by retry once its faults cleared, or failed with the classified timeout.
    const [cliOrder, netconfOrder, snmpOrder] = hungFinals;
    const outcome = (o: ServiceOrder | undefined) => ({ state: o?.state, code: o?.serviceOrderItem[0]?.errorMessage?.[0]?.code });
    for (const o of hungFinals) expect([{ state: 'completed', code: undefined }, { state: 'failed', code: 'NE_TIMEOUT' }]).toContainEqual(outcome(o));
    if (cliOrder?.state === 'completed') {
      expect(freezes.cli.hits).toBe(1);
      expect(hung.cli.configLines()).toContain(' neighbor 192.0.2.77 description hung-peer');
    }
    if (netconfOrder?.state === 'completed') {
      expect(freezes.netconf.hits).toBe(1);
      expect(hung.netconf.runningXml()).toContain('<name>eth77</name>');
    }
    if (snmpOrder?.state === 'completed') {
      expect(freezes.snmp.hits).toBe(2);
      expect(String(hung.snmp.get(SYSTEM_OIDS.sysContact))).toBe('noc@example.net');
    }
    expect(crashes).toBe(0);
    escaped.assertNone();
    worker.kill('SIGTERM');
  });
});
