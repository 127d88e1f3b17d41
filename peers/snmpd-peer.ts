import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NeCredentials, NetworkElementInput } from '../inventory/network-element.js';

export interface SnmpdPeerOptions {
  /**
   * UDP port on 127.0.0.1. With none, a free one is picked, and another if snmpd loses the race for it.
   * @defaultValue a free port
   */
  port?: number;
  /** @defaultValue 3000 */
  commandTimeoutMs?: number;
  /** @defaultValue 2 */
  maxSessions?: number;
  /** How long snmpd may take to answer its first GET. @defaultValue 15000 */
  startTimeoutMs?: number;
  /** @defaultValue /usr/sbin/snmpd, else snmpd from PATH */
  binary?: string;
}

export interface SnmpdPeer {
  /** SNMPv3 authPriv (SHA/AES) view of the agent, as the resource inventory would hold it. */
  ne: NetworkElementInput;
  /** The same agent through its v2c community. */
  neV2c: NetworkElementInput;
  /** Random per start: the v3 user with its keys, and the community. */
  credentials: NeCredentials;
  port: number;
  /** Temporary directory with the configs, the persistent USM state and `snmpd.log`. */
  dir: string;
  /** The value at `oid` as the `snmpget` CLI prints it (v3 authPriv), strings unquoted. Independent of net-snmp. */
  get(oid: string): Promise<string>;
  /**
   * Stops and starts snmpd on the same port. By default it keeps its state (same engine id,
   * snmpEngineBoots + 1), as after a reboot; `newEngineId` wipes it, as a replaced device would.
   */
  restart(options?: { newEngineId?: boolean }): Promise<void>;
  /** Stops snmpd (SIGTERM, then SIGKILL) and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

export const SYSTEM_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
} as const;

const STOP_GRACE_MS = 3000;

/**
 * Starts the real Net-SNMP agent on loopback for one test file. Only our config is read (the
 * search path is our directory alone, never /etc/snmp), and it leaves sysContact and sysLocation
 * out so they stay writable. The persistent USM state (engine id, boots, users) lives in the
 * temporary directory, so runs never share it.
 */
export async function startSnmpdPeer(options: SnmpdPeerOptions = {}): Promise<SnmpdPeer> {
  const binary = options.binary ?? (existsSync('/usr/sbin/snmpd') ? '/usr/sbin/snmpd' : 'snmpd');
  const dir = await mkdtemp(join(tmpdir(), 'activation-fleet-snmpd-'));
  const credentials: Required<Pick<NeCredentials, 'username' | 'authKey' | 'privKey' | 'community'>> = {
    username: `fleet-${randomBytes(3).toString('hex')}`,
    // net-snmp (the library) refuses USM passphrases shorter than 8 characters.
    authKey: randomBytes(12).toString('hex'),
    privKey: randomBytes(12).toString('hex'),
    community: `c${randomBytes(10).toString('hex')}`,
  };
  const paths = {
    agent: join(dir, 'agent'),
    conf: join(dir, 'agent', 'snmpd.conf'),
    persist: join(dir, 'persist'),
    log: join(dir, 'snmpd.log'),
    pid: join(dir, 'snmpd.pid'),
    client: join(dir, 'client'),
    clientPersist: join(dir, 'client-persist'),
  };
  await mkdir(paths.persist, { mode: 0o700 });
  await mkdir(paths.agent, { mode: 0o700 });
  await mkdir(paths.client, { mode: 0o700 });
  await writeFile(
    paths.conf,
    [
      `rwcommunity ${credentials.community} 127.0.0.1`,
      `createUser ${credentials.username} SHA ${credentials.authKey} AES ${credentials.privKey}`,
      `rwuser ${credentials.username} priv`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  // The CLI reads the v3 user from its own config, so no key shows in a process list.
  await writeFile(
    join(paths.client, 'snmp.conf'),
    [
      'defVersion 3',
      `defSecurityName ${credentials.username}`,
      'defSecurityLevel authPriv',
      'defAuthType SHA',
      `defAuthPassphrase ${credentials.authKey}`,
      'defPrivType AES',
      `defPrivPassphrase ${credentials.privKey}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const clientEnv = { ...process.env, SNMPCONFPATH: paths.client, SNMP_PERSISTENT_DIR: paths.clientPersist };
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;

  let port = options.port ?? 0;
  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };

  const snmpget = (target: number, oid: string, timeoutSeconds: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const args = ['-m', '', '-Oqv', '-t', String(timeoutSeconds), '-r', '0', `udp:127.0.0.1:${target}`, oid];
      execFile('snmpget', args, { env: clientEnv, timeout: (timeoutSeconds + 2) * 1000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`snmpget ${oid} failed: ${stderr.trim() || error.message}`, { cause: error }));
        else resolve(unquote(stdout.trim()));
      });
    });

  const launch = async (target: number): Promise<ChildProcess> => {
    // A search path of our own rather than `-C -c`: -C also skips the persistent state, and with
    // it the engine id and snmpEngineBoots a restart must keep. The persistent directory must be
    // on the path too, or snmpd writes its state there but never reads it back.
    const args = ['-f', '-m', '', '-A', '-Lf', paths.log, '-p', paths.pid, `udp:127.0.0.1:${target}`];
    const env = { ...process.env, SNMPCONFPATH: `${paths.agent}:${paths.persist}`, SNMP_PERSISTENT_DIR: paths.persist };
    const spawned = spawn(binary, args, { stdio: 'ignore', env });
    const exited = new Promise<never>((_, reject) => {
      spawned.once('error', (error) => reject(new Error(`cannot start snmpd (${error.message}): run peers/install-peers.sh`)));
      spawned.once('exit', (code, signal) => reject(new Error(`snmpd exited (${signal ?? `code ${code}`}) before answering`)));
    });
    exited.catch(() => undefined);
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      try {
        await Promise.race([snmpget(target, SYSTEM_OIDS.sysUpTime, 1), exited]);
        return spawned;
      } catch (error) {
        if (spawned.exitCode !== null || spawned.signalCode !== null || Date.now() > deadline) {
          spawned.kill('SIGKILL');
          const log = await readFile(paths.log, 'utf8').catch(() => '');
          throw new Error(`${(error as Error).message}; snmpd.log: ${log.trim().split('\n').slice(-5).join(' | ')}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  const start = async (): Promise<void> => {
    const attempts = options.port === undefined && port === 0 ? 5 : 1;
    for (let attempt = 1; ; attempt++) {
      const target = port || (await freeUdpPort());
      try {
        child = await launch(target);
        port = target;
        return;
      } catch (error) {
        // Another process may have taken the free port between our probe and snmpd's bind.
        if (attempt >= attempts) throw error;
      }
    }
  };

  const halt = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  process.once('exit', killOnExit);
  try {
    await start();
  } catch (error) {
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const commandTimeoutMs = options.commandTimeoutMs ?? 3000;
  const ne: NetworkElementInput = {
    id: 'snmpd-1',
    role: 'snmp-agent',
    vendor: 'net-snmp',
    platform: 'snmpd',
    protocol: 'snmp',
    host: '127.0.0.1',
    port,
    maxSessions: options.maxSessions ?? 2,
    credentialsRef: 'env:SNMPD1',
    commandTimeoutMs,
    snmp: { version: '3' },
  };
  let stopped = false;
  return {
    ne,
    neV2c: { ...ne, snmp: { version: '2c' } },
    credentials,
    port,
    dir,
    get: (oid) => snmpget(port, oid, Math.max(1, Math.ceil(commandTimeoutMs / 1000))),
    async restart(restartOptions = {}) {
      await halt();
      if (restartOptions.newEngineId) {
        await rm(paths.persist, { recursive: true, force: true });
        await mkdir(paths.persist, { mode: 0o700 });
      }
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      process.removeListener('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A UDP port that was free a moment ago on 127.0.0.1. */
async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.unref();
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** `snmpget -Oqv` prints strings in double quotes with `\"` and `\\` escaped. */
function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return text;
}
