import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '../../queues/redis-connection.js';
import { runCli, spawnCli, type CliChild } from '../support/cli-process.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { mobileBundle } from '../support/mobile-bundle.js';

/** The command line as a user meets it: each call a real `activation-fleet` process against a running fleet. */
let h: FleetHarness;
let configDir: string;
let env: NodeJS.ProcessEnv;
let redis: Redis;
const followers: CliChild[] = [];

beforeAll(async () => {
  h = await startFleetHarness();
  configDir = await mkdtemp(join(tmpdir(), 'fleet-cli-'));
  await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
  await mkdir(join(configDir, 'inventory'));
  await writeFile(join(configDir, 'inventory', 'lab.yaml'), stringify({ networkElements: h.lab.inventory.all() }));
  env = { ...process.env, REDIS_URL: h.redis.url, QUEUE_PREFIX: h.fleet.keys.base, CONFIG_DIR: configDir, LOG_LEVEL: 'silent' };
  redis = createRedisConnection(h.redis.url, 'cli-test:observer');
});
afterAll(async () => {
  for (const f of followers) if (f.child.exitCode === null) f.child.kill('SIGKILL');
  await redis?.quit();
  await h?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, env);
const orderFile = async (name: string, order: unknown): Promise<string> => {
  const file = join(configDir, `${name}.json`);
  await writeFile(file, JSON.stringify(order));
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('help and usage errors', () => {
  it('every command has its own --help; a wrong command line prints the usage, exit 64, never a stack', async () => {
    for (const command of ['start', 'submit', 'status', 'cancel', 'events', 'audit', 'dry-run', 'services', 'nes', 'lab', 'catalog', 'check-sync']) {
      const help = await cli(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^usage: activation-fleet ${command}\\b`));
    }
    const top = await cli('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('exit status:');

    const cases: Array<[string[], string]> = [
      [['submit', '--bogus', 'x.json'], "Unknown option '--bogus'"],
      [['submit'], 'missing argument'],
      [['status', 'a', 'b'], 'unexpected argument "b"'],
      [['start', '--role', 'workers'], 'unknown role workers'],
      [['audit'], 'give exactly one of --order ORDER_ID or --ne NE_ID'],
      [['check-sync'], 'give exactly one of --ne NE_ID, --service SERVICE_ID or --all'],
      [['check-sync', '--all', '--ne', 'pcrf-1'], 'give exactly one of --ne NE_ID, --service SERVICE_ID or --all'],
      [['events', '--from-start'], '--from-start goes with --follow'],
      [['services', '--state', 'asleep'], '--state must be one of'],
      [['services', '--char', 'msisdn'], '--char takes NAME=VALUE'],
      [['lab', '--ports', 'pcrf=99999'], '--ports takes NE=PORT pairs'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stderr, args.join(' ')).toContain(`usage: activation-fleet ${args[0]}`);
      noStack(r.stderr);
    }
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('submit', () => {
  it('--wait prints each item as it progresses and exits 0 when the order completed', async () => {
    const { order } = mobileBundle();
    const r = await cli('submit', await orderFile('wait-ok', order), '--wait');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^order \S+ acknowledged: 3 items; following it until it is final$/);
    for (const item of ['number-porting', 'mobile-plan', 'voicemail']) expect(r.stdout).toMatch(new RegExp(`\\+\\s*\\d+ ms  item ${item}\\s+completed`));
    expect(lines.at(-1)).toMatch(/^order \S+: completed \(\d+\.\d s\)$/);
    const orderDone = lines.findIndex((l) => /ms {2}order completed$/.test(l));
    const lastItem = lines.findLastIndex((l) => /ms {2}item \S+\s+completed$/.test(l));
    expect(orderDone, 'the order is reported completed after its last item').toBeGreaterThan(lastItem);
  });

  it('--wait exits 3 when the order ends failed, with the device\'s words under the failed item', async () => {
    const { order } = mobileBundle();
    h.lab.pcrf.failOn(/^plan /, 'plan not provisioned on this PCRF');
    try {
      const r = await cli('submit', await orderFile('wait-failed', order), '--wait');
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stdout).toMatch(/item mobile-plan\s+failed\n\s+NE_COMMAND_REJECTED: .*plan not provisioned on this PCRF/);
      expect(r.stdout.trim().split('\n').at(-1)).toMatch(/: failed \(/);
    } finally {
      h.lab.pcrf.failOn(null);
    }
  });

  it('refuses a schema-invalid order as the API does: exit 2, the fields named, nothing stored', async () => {
    const { order } = mobileBundle({ id: `cli-schema-${Date.now()}` });
    (order.serviceOrderItem[0] as { action: string }).action = 'install';
    const r = await cli('submit', await orderFile('schema', order));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a valid TMF641 ServiceOrder_Create (as the API would answer 400); nothing was stored');
    expect(r.stderr).toMatch(/serviceOrderItem\[0\]\.action: /);
    expect(await h.fleet.store.get(order.id!)).toBeUndefined();
    const bad = await cli('submit', await orderFile('not-json', 'x').then(async (f) => (await writeFile(f, '{"serviceOrderItem": ['), f)));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not JSON');
    const missing = await cli('submit', join(configDir, 'no-such-file.json'));
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('ENOENT');
  });

  it('an externalId submitted before, rejected then: says so with the earlier reasons marked as the earlier order\'s, exit 4', async () => {
    const externalId = `CRM-${Date.now()}`;
    const { order } = mobileBundle({ externalId, plan: 'platinum' });
    const first = await cli('submit', await orderFile('rejected-first', order));
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('rejected: ORDER_INVALID_CHARACTERISTIC');
    const earlierId = first.stdout.trim();

    const corrected = mobileBundle({ externalId, plan: 'gold' }).order;
    const again = await cli('submit', await orderFile('rejected-again', corrected));
    expect(again.code).toBe(4);
    expect(again.stderr).toContain(`not submitted: an order with externalId "${externalId}" already exists (an earlier submission; this file was not stored)`);
    expect(again.stderr).toMatch(new RegExp(`the earlier order ${earlierId}: rejected, ordered \\d{4}-\\d\\d-\\d\\dT`));
    expect(again.stderr).toMatch(/the earlier order was rejected for:\n\s+ORDER_INVALID_CHARACTERISTIC: .*platinum/);
    expect(again.stderr).not.toMatch(/^rejected:/m);
    expect((await h.fleet.store.get(earlierId))?.order.state).toBe('rejected');
  });
});

describe('unknown ids and bad filters', () => {
  it('exit 1 with what was not found', async () => {
    const cases: Array<[string[], string]> = [
      [['status', 'no-such-order'], 'no service order with id no-such-order'],
      [['cancel', 'no-such-order'], 'no-such-order'],
      [['audit', '--order', 'no-such-order'], 'no service order with id no-such-order'],
      [['events', '--order', 'no-such-order'], 'no service order with id no-such-order'],
      [['audit', '--ne', 'pcrf-9'], 'no NE pcrf-9'],
      [['nes', '--role', 'toaster'], 'no NE has role toaster'],
      [['services', '--spec', 'fibre-to-the-moon'], 'no service specification fibre-to-the-moon'],
      [['services', '--ne', 'pcrf-9'], 'no NE pcrf-9'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
      noStack(r.stderr);
    }
  });
});

describe('catalog check', () => {
  it('exit 0 for the shipped catalog; exit 1 naming file, action, step and line for a typo; 66 for no directory', async () => {
    const ok = await cli('catalog', 'check', 'config/catalog');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('ok bgp-neighbor 1.0: add, modify, delete (3 steps rendered)');

    const dir = join(configDir, 'typo-catalog');
    await mkdir(dir);
    const { readFile } = await import('node:fs/promises');
    const bgp = await readFile('config/catalog/bgp-neighbor.yaml', 'utf8');
    await writeFile(join(dir, 'bgp-neighbor.yaml'), bgp.replace(/(remove-bgp-neighbor[\s\S]*?)no neighbor \{\{ neighborIp \}\}/, '$1no neighbor {{ neighbourIp }}'));
    const typo = await cli('catalog', 'check', dir);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('bgp-neighbor.yaml: actions.delete.steps[0] (remove-bgp-neighbor) apply.lines[1]: undefined variable: neighbourIp');
    noStack(typo.stderr);

    expect((await cli('catalog', 'check', join(configDir, 'nowhere'))).code).toBe(66);
    expect((await cli('catalog', 'lint', dir)).code).toBe(64);
  });
});

describe('events', () => {
  /** Resolves once the follower's blocking XREAD is waiting in Redis: from then on it sees every new event. */
  const followerBlocked = async (): Promise<void> => {
    for (;;) {
      const clients = (await redis.call('CLIENT', 'LIST')) as string;
      if (clients.split('\n').some((c) => c.includes('name=activation-fleet:cli') && c.includes('cmd=xread'))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('--follow starts from now; --from-start replays first; without --follow every stored event prints', async () => {
    const { order: earlier } = mobileBundle({ id: `cli-earlier-${Date.now()}` });
    await h.fleet.producer.submitServiceOrder(earlier);
    await h.waitForFinal(earlier.id!);

    const history = await cli('events');
    expect(history.code).toBe(0);
    expect(history.stdout).toContain(`"orderId":"${earlier.id}"`);

    const follow = spawnCli(['events', '--follow'], env);
    followers.push(follow);
    await followerBlocked();
    const replay = spawnCli(['events', '--follow', '--from-start'], env);
    followers.push(replay);
    await replay.waitForLine((l) => l.includes(`"orderId":"${earlier.id}"`));

    const { order: later } = mobileBundle({ id: `cli-later-${Date.now()}` });
    await h.fleet.producer.submitServiceOrder(later);
    await h.waitForFinal(later.id!);
    const completed = (l: string) => l.includes(`"orderId":"${later.id}"`) && l.includes('completed');
    await follow.waitForLine(completed);
    await replay.waitForLine(completed);

    const events = follow.lines.map((l) => JSON.parse(l) as { orderId: string; type: string });
    expect(events.length).toBeGreaterThan(3);
    expect(events.every((e) => e.orderId === later.id), 'only events stored after it started').toBe(true);
    expect(events[0]?.type).toBe('ServiceOrderCreateEvent');
    follow.child.kill('SIGINT');
    replay.child.kill('SIGINT');
  });
});

describe('check-sync', () => {
  it('--all audits every service on the devices, exits 0 in sync, and records its counts for the fleet\'s drift gauges', async () => {
    const { order } = await h.fleet.producer.submitServiceOrder(mobileBundle().order);
    expect((await h.waitForFinal(order.id)).state).toBe('completed');
    // The lab's logins, as an operator's environment holds them (the inventory says env:LAB).
    const vms = h.lab.inventory.get('vms-1');
    const pcrf = h.lab.inventory.get('pcrf-1');
    if (!vms || !pcrf) throw new Error('no lab NEs');
    const snmp = h.lab.credentials(vms);
    const ssh = h.lab.credentials(pcrf);
    const labEnv = { ...env, LAB_USERNAME: ssh.username, LAB_PASSWORD: ssh.password, LAB_AUTH_KEY: snmp.authKey, LAB_PRIV_KEY: snmp.privKey };
    expect(snmp.username).toBe(ssh.username);
    const r = await runCli(['check-sync', '--all'], labEnv);
    expect(r.code, r.stderr).toBe(0);
    const services = (await h.fleet.services.query({ state: 'active' })).length;
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`${services} services in sync`);
    const last = await h.fleet.audits.last();
    expect(last?.bySpecification.reduce((sum, s) => sum + (s.status === 'in-sync' ? s.services : 0), 0)).toBe(services);
    expect(last?.drifted.every((d) => d.services === 0)).toBe(true);
    const text = await h.fleet.metrics.registry.metrics();
    expect(text).toMatch(/^activation_services_drifted\{specification="mobile-plan",role="pcrf"\} 0$/m);
  });
});
