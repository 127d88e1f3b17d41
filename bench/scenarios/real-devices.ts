import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createAdapterFactory } from '../../adapters/adapter-factory.js';
import { AdapterPool } from '../../adapters/adapter-pool.js';
import { NetconfAdapter } from '../../adapters/netconf/netconf-adapter.js';
import { networkElementSchema } from '../../inventory/network-element.js';
import { startFrrPeer } from '../../peers/frr-peer.js';
import { startNetconfdPeer } from '../../peers/netconfd-peer.js';
import { BENCH_DIR } from '../support/bench-fleet.js';
import { fmt, type Row, type ScenarioResult } from '../support/report.js';

export interface RealDevicesOptions {
  /** Pushes by the fleet (fast: the clock needs many). */
  pushes: number;
  /** Pushes by tools at a few per second: Netmiko with fast_cli, ncclient edit-config + commit. */
  midPushes: number;
  /** Pushes by tools at a second or more each: Netmiko as it comes, ncclient with locks, Ansible (its long run). */
  slowPushes: number;
  /** Why the scenario does not run, when it does not. */
  skip?: string;
}

/** Debian's python3 (the Debian python3-netmiko and python3-ncclient live there), not a pyenv shim. */
const PYTHON = '/usr/bin/python3';
const ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';
const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const IANAIFT_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';
const NEIGHBORS = { fleet: '192.0.2.99', netmiko: '192.0.2.88', ansible: '192.0.2.77' };

interface DriverResult {
  pushes: number;
  connect_s: number;
  push_s: number;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.slice(0, 2).join(' ')}... failed: ${(stderr || stdout).trim().split('\n').slice(-5).join(' | ')}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

async function python(script: string, args: Array<string | number>, password: string): Promise<DriverResult> {
  const out = await run(PYTHON, [`${BENCH_DIR}drivers/${script}`, ...args.map(String)], { BENCH_PASSWORD: password });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as DriverResult;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

const interfaceConfig = (name: string, description: string): string =>
  `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name><type xmlns:ianaift="${IANAIFT_NS}">ianaift:ethernetCsmacd</type>` +
  `<description>${description}</description><enabled>true</enabled></interface></interfaces>`;

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root (the peers create users and start sshd, FRR and netconfd)';
  const need = ['/usr/lib/frr/bgpd', '/usr/sbin/sshd', '/usr/sbin/netconfd', PYTHON, ANSIBLE_PLAYBOOK].filter((f) => !existsSync(f));
  return need.length > 0 ? `missing ${need.join(', ')} (sudo bash peers/install-peers.sh; apt-get install ansible python3-netmiko python3-ncclient)` : undefined;
}

/** The same pushes, on the same real FRR and netconfd, by the fleet's adapters and by the tools operators use today. */
export async function realDevices(o: RealDevicesOptions): Promise<ScenarioResult> {
  const why = o.skip ?? missing();
  if (why) return { rows: [{ scenario: '4', measure: 'real devices', value: 'skipped', reference: why }], notes: [] };
  const rows: Row[] = [];
  const notes: string[] = [];
  const rate = (pushes: number, seconds: number): number => pushes / seconds;

  const frr = await startFrrPeer({ maxSessions: 2 });
  try {
    const password = frr.credentials.password ?? '';
    const user = frr.credentials.username ?? '';
    const one = networkElementSchema.parse({ ...frr.ne, maxSessions: 1 });
    const two = networkElementSchema.parse({ ...frr.ne, maxSessions: 2 });
    const pool = new AdapterPool(createAdapterFactory(() => frr.credentials));
    const lines = (neighbor: string, description: string): string[] => ['router bgp 65001', `neighbor ${neighbor} description ${description}`, 'exit'];
    // The neighbors every tool describes, and a warm session (its login is not a push).
    await pool.withAdapter(one, (a) => a.apply({ protocol: 'ssh-cli', lines: ['router bgp 65001', ...Object.entries(NEIGHBORS).map(([, ip], i) => `neighbor ${ip} remote-as ${65090 + i}`), 'exit'] }));
    const fleetOne = await timed(async () => {
      for (let i = 0; i < o.pushes; i++) await pool.withAdapter(one, (a) => a.apply({ protocol: 'ssh-cli', lines: lines(NEIGHBORS.fleet, `fleet-${i}`) }));
    });
    await pool.close();
    const pool2 = new AdapterPool(createAdapterFactory(() => frr.credentials));
    await Promise.all([0, 1].map(() => pool2.withAdapter(two, (a) => a.apply({ protocol: 'ssh-cli', lines: lines(NEIGHBORS.fleet, 'warm') }))));
    let next = 0;
    const fleetTwo = await timed(() =>
      Promise.all(
        [0, 1].map(async () => {
          while (next < o.pushes) {
            const i = next++;
            await pool2.withAdapter(two, (a) => a.apply({ protocol: 'ssh-cli', lines: lines(NEIGHBORS.fleet, `fleet2-${i}`) }));
          }
        }),
      ),
    );
    await pool2.close();
    const netmikoFast = await python('netmiko_push.py', [frr.ne.host, frr.ne.port, user, o.midPushes, NEIGHBORS.netmiko, 'fast'], password);
    const netmiko = await python('netmiko_push.py', [frr.ne.host, frr.ne.port, user, o.slowPushes, NEIGHBORS.netmiko, 'default'], password);
    const playbook = (pushes: number): Promise<number> =>
      timed(() =>
        run(ANSIBLE_PLAYBOOK, ['-i', `${frr.ne.host},`, '-e', `ansible_port=${frr.ne.port}`, '-e', `ansible_user=${user}`, '-e', `pushes=${pushes}`, '-e', `neighbor=${NEIGHBORS.ansible}`, `${BENCH_DIR}drivers/ansible/frr-push.yml`], {
          BENCH_PASSWORD: password,
          ANSIBLE_HOST_KEY_CHECKING: 'False',
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_PYTHON_INTERPRETER: PYTHON,
        }),
      );
    const ansibleOne = await playbook(1);
    const ansibleMany = await playbook(o.slowPushes);
    const ansibleMarginal = rate(o.slowPushes - 1, ansibleMany - ansibleOne);
    const config = await frr.runningConfig();
    if (!config.includes(`description ansible-${o.slowPushes - 1}`) || !config.includes(`description netmiko-default-${o.slowPushes - 1}`)) {
      notes.push('4: WARNING: the last Ansible or Netmiko change is not in the running config');
    }

    const fleetRate = rate(o.pushes, fleetOne);
    const netmikoRate = rate(netmiko.pushes, netmiko.push_s);
    const netmikoFastRate = rate(netmikoFast.pushes, netmikoFast.push_s);
    rows.push(
      {
        scenario: '4',
        measure: 'FRR/ssh pushes/s: fleet, 1 pooled session',
        value: fmt(fleetRate, 1),
        reference: `Netmiko ${fmt(netmikoRate, 1)}/s (fast_cli ${fmt(netmikoFastRate, 1)}/s)`,
        ratio: `${(fleetRate / netmikoRate).toFixed(0)}x (${(fleetRate / netmikoFastRate).toFixed(0)}x)`,
      },
      { scenario: '4', measure: 'FRR/ssh pushes/s: fleet, 2 pooled sessions', value: fmt(rate(o.pushes, fleetTwo), 1), reference: `Netmiko fast_cli ${fmt(netmikoFastRate, 1)}/s`, ratio: `${(rate(o.pushes, fleetTwo) / netmikoFastRate).toFixed(0)}x` },
      {
        scenario: '4',
        measure: 'FRR/ssh pushes/s: fleet, 1 session vs Ansible',
        value: fmt(fleetRate, 1),
        reference: `Ansible ${fmt(ansibleMarginal, 1)}/s (${fmt(o.slowPushes / ansibleMany, 1)}/s with start-up)`,
        ratio: `${(fleetRate / ansibleMarginal).toFixed(0)}x`,
      },
    );
    notes.push(
      `4: FRRouting ${frr.ne.host}:${frr.ne.port} (vtysh as the login shell behind OpenSSH). One push = configure terminal, router bgp 65001, neighbor X description Y, exit, end. Fleet: AdapterPool + SshCliAdapter (session opened before the clock), ${o.pushes} pushes, sequential on 1 session, then 2 callers on 2 sessions. Netmiko 2.4 (bench/drivers/netmiko_push.py, cisco_ios driver, send_config_set over 1 session, connect not counted): ${o.slowPushes} pushes as it comes (it waits for the channel to go quiet after each set), ${o.midPushes} with fast_cli=True.`,
      `4: Ansible: bench/drivers/ansible/frr-push.yml, ansible.netcommon.cli_config with network_os frr.frr.frr over network_cli (paramiko), default forks; it reads show running-config before each push. Marginal rate = ${o.slowPushes - 1} pushes / (time of a ${o.slowPushes}-push run - time of a 1-push run) = ${o.slowPushes - 1} / (${fmt(ansibleMany, 1)} - ${fmt(ansibleOne, 1)}) s; "with start-up" is the ${o.slowPushes}-push run's wall time.`,
    );
  } finally {
    await frr.stop();
  }

  const netconfd = await startNetconfdPeer({ instance: 'netconfd-bench', logLevel: 'warn' });
  try {
    const password = netconfd.credentials.password ?? '';
    const user = netconfd.credentials.username ?? '';
    const adapter = new NetconfAdapter(networkElementSchema.parse(netconfd.ne), netconfd.credentials);
    await adapter.apply({ protocol: 'netconf', configXml: interfaceConfig('bench1', 'warm') });
    const adapterSeconds = await timed(async () => {
      for (let i = 0; i < o.pushes; i++) await adapter.apply({ protocol: 'netconf', configXml: interfaceConfig('bench1', `fleet change ${i}`) });
    });
    await adapter.close();
    const client = await netconfd.connect();
    const clientSeconds = await timed(async () => {
      for (let i = 0; i < o.pushes; i++) {
        await client.editConfig({ target: 'candidate', configXml: interfaceConfig('bench0', `raw change ${i}`) });
        await client.commit();
      }
    });
    await client.closeSession();
    const plain = await python('ncclient_push.py', [netconfd.ne.host, netconfd.port, user, o.midPushes, 'plain'], password);
    const locked = await python('ncclient_push.py', [netconfd.ne.host, netconfd.port, user, o.slowPushes, 'locked'], password);
    const fleetPlain = rate(o.pushes, clientSeconds);
    const fleetLocked = rate(o.pushes, adapterSeconds);
    rows.push(
      { scenario: '4', measure: 'netconfd edit-config+commit/s: fleet client', value: fmt(fleetPlain, 1), reference: `ncclient ${fmt(rate(plain.pushes, plain.push_s), 1)}/s`, ratio: `${(fleetPlain / rate(plain.pushes, plain.push_s)).toFixed(1)}x` },
      {
        scenario: '4',
        measure: 'netconfd changes/s with locks (7 RPCs): fleet adapter',
        value: fmt(fleetLocked, 1),
        reference: `ncclient ${fmt(rate(locked.pushes, locked.push_s), 1)}/s`,
        ratio: `${(fleetLocked / rate(locked.pushes, locked.push_s)).toFixed(1)}x`,
      },
    );
    notes.push(
      `4: yuma123 netconfd behind OpenSSH on ${netconfd.ne.host}:${netconfd.port}, changes of one ietf-interfaces entry over one session per tool (opened before the clock; fleet ${o.pushes}, ncclient ${o.midPushes} plain and ${o.slowPushes} locked): edit-config on the candidate + commit; and the fleet NetconfAdapter's discipline (lock running and candidate, discard-changes, edit-config, commit, unlock both), which bench/drivers/ncclient_push.py repeats in mode "locked". ncclient 0.6.13 connect not counted; its session thread polls its send queue every 0.1 s (select TICK), so each RPC waits up to 100 ms.`,
    );
  } finally {
    await netconfd.stop();
  }
  return { rows, notes };
}
