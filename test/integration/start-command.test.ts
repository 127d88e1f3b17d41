import { generateEd25519KeyPair } from '../../simulators/ssh-host-key.js';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';
import { runCli, spawnCli, type CliChild } from '../support/cli-process.js';

/** `activation-fleet start` as a newcomer and an SRE run it: a real process, stopped by a signal. */
let redis: PrivateRedis;
const started: CliChild[] = [];
const cleanup: string[] = [];

/** The environment of a fresh clone: no NE credentials, the repository's own config/. */
function freshEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redis.url, QUEUE_PREFIX: `start-${randomBytes(4).toString('hex')}`, HTTP_PORT: '0', LOG_LEVEL: 'info', ...extra };
  for (const name of Object.keys(env)) if (/^(NPDB1|PCRF1|VMS1|FRR1|SNMPD1|NETCONFD1)_/.test(name) || name === 'CONFIG_DIR' || name === 'SIMULATED_LAB') delete env[name];
  return { ...env, ...extra };
}

const json = (line: string): Record<string, unknown> => (line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {});

beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  await redis?.stop();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('activation-fleet start', () => {
  it('on a fresh clone runs on the simulated lab and says so; the example order completes; SIGTERM exits 0', async () => {
    const env = freshEnv({});
    const fleet = spawnCli(['start'], env);
    started.push(fleet);
    const startLine = json(await fleet.waitForLine((l) => json(l).msg?.toString().startsWith('activation-fleet ') === true));
    const labLine = json(fleet.lines.find((l) => String(json(l).msg).startsWith('simulated lab:')) ?? '{}');
    expect(labLine.msg).toMatch(/^simulated lab: no credentials are set for the sample inventory in \.\/config\/inventory \(env:NPDB1, env:PCRF1, env:VMS1/);
    expect(labLine.msg).toMatch(/npdb-1 NETCONF 127\.0\.0\.1:\d+, pcrf-1 SSH CLI 127\.0\.0\.1:\d+, vms-1 SNMPv3 127\.0\.0\.1:\d+/);
    expect(startLine).toMatchObject({ roles: ['intake', 'orchestrator', 'worker', 'api'], redis: redis.url, simulatedLab: true, tracing: false });
    expect(startLine.msg).toMatch(new RegExp(`^activation-fleet \\S+ started: roles intake, orchestrator, worker, api; HTTP on :\\d+ .*; Redis ${redis.url} prefix \\{${env.QUEUE_PREFIX}\\}; NEs: the simulated lab$`));
    const port = startLine.httpPort as number;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^activation_build_info\{version="\d+\.\d+\.\d+",commit="(?:[0-9a-f]{40}|unknown)",node_version="22\.\d+\.\d+"\} 1$/m);

    const submitted = await runCli(['submit', 'examples/orders/mobile-bundle.json', '--wait'], env);
    expect(submitted.code, submitted.stdout + submitted.stderr).toBe(0);
    expect(submitted.stdout.trim().split('\n').at(-1)).toMatch(/^order \S+: completed \(/);

    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(0);
    expect(fleet.lines.some((l) => json(l).msg === 'stopped')).toBe(true);
  });

  it('with SIMULATED_LAB=off never starts the lab, even on the sample inventory without credentials', async () => {
    const env = freshEnv({ SIMULATED_LAB: 'off' });
    const fleet = spawnCli(['start', '--role', 'intake'], env);
    started.push(fleet);
    const startLine = json(await fleet.waitForLine((l) => String(json(l).msg).startsWith('activation-fleet ')));
    expect(startLine).toMatchObject({ roles: ['intake'], simulatedLab: false });
    expect(startLine.msg).toMatch(/HTTP on :\d+ \(\/healthz \/readyz \/metrics\); Redis/);
    expect(fleet.lines.some((l) => String(json(l).msg).startsWith('simulated lab'))).toBe(false);
    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(0);
  });

  it('logs human-readable lines on a terminal (pino-pretty), JSON lines when piped', async () => {
    const env = freshEnv({ SIMULATED_LAB: 'off' });
    // script(1) gives the process a pseudo-terminal as stdout, as an operator's shell would.
    const command = `exec ${JSON.stringify(process.execPath)} bin/activation-fleet.js start --role intake`;
    const { spawn } = await import('node:child_process');
    const tty = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    const started = new Promise<void>((resolve) =>
      tty.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/activation-fleet \S+ started/.test(output)) resolve();
      }),
    );
    await started;
    const plain = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: activation-fleet \S+ started: roles intake; HTTP on :\d+/m);
    expect(plain).not.toMatch(/^\{"level"/m);
    const exited = new Promise((resolve) => tty.once('exit', resolve));
    tty.kill('SIGTERM');
    await exited;
  });

  it('honours SHUTDOWN_TIMEOUT_MS: a job still running at the deadline is left to BullMQ, exit 1', async () => {
    // An NE that accepts TCP and never says a word: the item's job hangs in its SSH handshake (with
    // a key pinned: an NE with none is refused before any connection).
    const sockets: Socket[] = [];
    let connected: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => (connected = resolve));
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
      connected();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const configDir = await mkdtemp(join(tmpdir(), 'fleet-shutdown-'));
    cleanup.push(configDir);
    await cp('config/catalog', join(configDir, 'catalog'), { recursive: true });
    await mkdir(join(configDir, 'inventory'));
    const ne = { id: 'pcrf-1', role: 'pcrf', protocol: 'ssh-cli', host: '127.0.0.1', port: (silent.address() as AddressInfo).port, credentialsRef: 'env:PCRF1', connectTimeoutMs: 300_000, ssh: { hostKeys: [generateEd25519KeyPair().public] } };
    await writeFile(join(configDir, 'inventory', 'silent.yaml'), stringify({ networkElements: [ne] }));
    const env = freshEnv({ CONFIG_DIR: configDir, SHUTDOWN_TIMEOUT_MS: '1500', PCRF1_USERNAME: 'fleet', PCRF1_PASSWORD: 'not-used' });
    const fleet = spawnCli(['start', '--role', 'orchestrator,worker'], env);
    started.push(fleet);
    await fleet.waitForLine((l) => String(json(l).msg).startsWith('activation-fleet '));
    const order = { serviceOrderItem: [{ id: 'plan', action: 'add', service: { serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'msisdn', value: '447700900555' }, { name: 'plan', value: 'gold' }] } }] };
    const file = join(configDir, 'order.json');
    await writeFile(file, JSON.stringify(order));
    expect((await runCli(['submit', file], env)).code).toBe(0);
    await hanging;

    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(1);
    const messages = fleet.lines.map((l) => String(json(l).msg));
    expect(messages.some((m) => m.startsWith('simulated lab')), 'a CONFIG_DIR of its own never gets the lab').toBe(false);
    expect(messages).toContain('SIGTERM: shutting down, no new jobs; running ones have 1500 ms to finish');
    expect(messages).toContain('shutdown deadline passed; exiting with jobs still running');
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});
