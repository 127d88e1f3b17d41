import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { freeTcpPort } from '../runtime/free-port.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshCliAdapter } from '../adapters/ssh-cli/ssh-cli-adapter.js';
import { networkElementSchema, type NeCredentials, type NetworkElementInput } from '../inventory/network-element.js';
import { alive, signal } from './peer-processes.js';

export interface FrrPeerOptions {
  /** The router's hostname, so its prompt is `frr-1#`. @defaultValue 'frr-1' */
  hostname?: string;
  /** The AS of the `router bgp` block the router starts with. @defaultValue 65001 */
  localAs?: number;
  /** The NE's `maxSessions` (the pool's limit); sshd itself allows more. @defaultValue 2 */
  maxSessions?: number;
  /** @defaultValue 15000 */
  commandTimeoutMs?: number;
  /** How long the daemons and the first login may take. @defaultValue 30000 */
  startTimeoutMs?: number;
}

export interface FrrPeer {
  /** The router as the resource inventory would hold it: sshd's host key pinned, FRR's error patterns. */
  ne: NetworkElementInput;
  /** Random per start; only ever in memory. */
  credentials: NeCredentials;
  /** Temporary directory with the configs, the logs and the host key. */
  dir: string;
  /** `show running-config`, read locally through vtysh, independent of the adapter under test. */
  runningConfig(): Promise<string>;
  /** CLI sessions open on the router: vtysh processes of the login user, bar vtysh's own short-lived forks. */
  sessionCount(): Promise<number>;
  /** Stops sshd and its sessions, the daemons, removes the user and the directories. Idempotent. */
  stop(): Promise<void>;
}

const RUN_ROOT = '/var/run/frr';
const RUN_PREFIX = 'fleet-peer-';
const STAGING_PREFIX = '.staging-';
const FRR_BIN = '/usr/lib/frr';
const VTYSH = '/usr/bin/vtysh';
const SSHD = '/usr/sbin/sshd';
const STOP_GRACE_MS = 3_000;

/** What stop(), or a later run after a crash, needs to find everything a run left. */
interface RunRecord {
  ownerPid: number;
  pathspace: string;
  user: string;
  dir: string;
  sshdPid?: number;
}

/**
 * Starts real FRRouting (zebra and bgpd) behind a real OpenSSH sshd on loopback, for one test file.
 *
 * Every run is private: the daemons use a pathspace of their own (`-N`, so their vty sockets and
 * pidfiles live in /var/run/frr/<pathspace>/, no TCP vty, no BGP listener) and run in a network
 * namespace of their own holding only a downed loopback, so a configured neighbor can never send
 * a packet anywhere. The login user is created for the run; its shell runs vtysh on that
 * pathspace. sshd runs with its own config and host key on a free 127.0.0.1 port. A run that
 * crashed is cleaned up by the next start: its daemons are found by pidfile, never by name.
 */
export async function startFrrPeer(options: FrrPeerOptions = {}): Promise<FrrPeer> {
  if (process.getuid?.() !== 0) throw new Error('the FRR peer needs root (it creates a user and starts zebra, bgpd and sshd)');
  for (const binary of [`${FRR_BIN}/zebra`, `${FRR_BIN}/bgpd`, VTYSH, SSHD]) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: run peers/install-peers.sh`);
  }
  await sweepStaleRuns();

  const hostname = options.hostname ?? 'frr-1';
  const localAs = options.localAs ?? 65001;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const id = randomBytes(4).toString('hex');
  const pathspace = `${RUN_PREFIX}${id}`;
  const stateDir = join(RUN_ROOT, pathspace);
  const dir = await mkdtemp(join(tmpdir(), 'activation-fleet-frr-'));
  const record: RunRecord = { ownerPid: process.pid, pathspace, user: `fleet-frr-${id}`, dir };
  const credentials = { username: record.user, password: randomBytes(18).toString('base64url') };
  const children: ChildProcess[] = [];
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await cleanUpRun(record, children);
  };

  try {
    await chmod(dir, 0o755);
    await mkdir(RUN_ROOT, { recursive: true });
    await chownFrr(RUN_ROOT);
    // Prepared under a name the sweep skips and renamed into place with its record inside: a
    // concurrent start's sweep never sees this run's directory without its record (and took it
    // for a crashed run's, deleting it under us).
    const staging = stagingDir(pathspace);
    await mkdir(staging);
    await saveRecord(record, staging);
    await chownFrr(staging);
    await rename(staging, stateDir);

    // --- FRR: zebra, then bgpd, in one private network namespace ---
    await writeConfig(join(dir, 'zebra.conf'), `hostname ${hostname}\n`);
    await writeConfig(join(dir, 'bgpd.conf'), `hostname ${hostname}\nrouter bgp ${localAs}\n bgp router-id 10.255.0.1\nexit\n`);
    // vtysh reads <config_dir>/<pathspace>/vtysh.conf; without one it complains at every login.
    await mkdir(join(dir, pathspace));
    await writeConfig(join(dir, pathspace, 'vtysh.conf'), `service integrated-vtysh-config\nhostname ${hostname}\n`);
    const daemonArgs = (daemon: string): string[] => [
      ...['-F', 'traditional', '-N', pathspace, '-f', join(dir, `${daemon}.conf`), '-i', join(stateDir, `${daemon}.pid`)],
      ...['--log', `file:${join(dir, `${daemon}.log`)}`, '-A', '127.0.0.1', '-P', '0'],
    ];
    // unshare execs zebra, so the child is zebra itself, in a new network namespace.
    const zebra = spawnDaemon('/usr/bin/unshare', ['--net', '--', `${FRR_BIN}/zebra`, ...daemonArgs('zebra')], children);
    await waitFor(() => existsSync(join(stateDir, 'zserv.api')) && existsSync(join(stateDir, 'zebra.vty')), startTimeoutMs, 'zebra', zebra);
    const bgpd = spawnDaemon('/usr/bin/nsenter', [`--net=/proc/${zebra.pid}/ns/net`, '--', `${FRR_BIN}/bgpd`, ...daemonArgs('bgpd'), '-p', '0'], children);
    await waitFor(() => existsSync(join(stateDir, 'bgpd.vty')), startTimeoutMs, 'bgpd', bgpd);
    const vtysh = (command: string): Promise<string> => run(VTYSH, ['--config_dir', dir, '-N', pathspace, '-c', command]);
    await waitFor(async () => (await vtysh('show running-config').catch(() => '')).includes(`router bgp ${localAs}`), startTimeoutMs, 'bgpd config', bgpd);

    // --- the login user: vtysh on our pathspace as its shell ---
    const shell = join(dir, 'vtysh-login');
    await writeFile(shell, `#!/bin/sh\nexec ${VTYSH} --config_dir ${dir} -N ${pathspace} "$@"\n`, { mode: 0o755 });
    const home = join(dir, 'home');
    await ensureUser(record.user, shell, home);
    await run('/usr/sbin/chpasswd', [], `${credentials.username}:${credentials.password}\n`);

    // --- sshd on a free loopback port ---
    await mkdir('/run/sshd', { recursive: true });
    const hostKeyPath = join(dir, 'ssh_host_ed25519_key');
    await run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${hostname}@activation-fleet`, '-f', hostKeyPath]);
    const hostKey = (await readFile(`${hostKeyPath}.pub`, 'utf8')).trim();
    const { port, pid: sshdPid } = await startSshd(dir, record.user, hostKeyPath, children, startTimeoutMs);
    record.sshdPid = sshdPid;
    await saveRecord(record, stateDir);

    const ne: NetworkElementInput = {
      id: 'frr-1',
      role: 'bgp-router',
      vendor: 'frrouting',
      platform: 'frr-vtysh',
      protocol: 'ssh-cli',
      host: '127.0.0.1',
      port,
      maxSessions: options.maxSessions ?? 2,
      credentialsRef: 'env:FRR1',
      connectTimeoutMs: 10_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 15_000,
      // No errorPatterns: the frr-vtysh platform profile knows how vtysh says no.
      ssh: { hostKeys: [hostKey] },
    };
    const sessionCount = async (): Promise<number> => countSessions(await run('/usr/bin/ps', ['-u', record.user, '-o', 'pid=,ppid=,comm=']).catch(() => ''));
    await waitForLogin(ne, credentials, startTimeoutMs);
    // The probe's vtysh exits with its channel; tests counting sessions start from zero.
    await waitFor(async () => (await sessionCount()) === 0, startTimeoutMs, 'the login probe to end', undefined);

    return { ne, credentials, dir, runningConfig: () => vtysh('show running-config'), sessionCount, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Sessions in `ps -o pid=,ppid=,comm=` output: the login user's vtysh processes whose parent is not
 * a vtysh. vtysh 8.4 forks a copy of itself for a few milliseconds while a session starts; that
 * child is not a session, and counting it shows three sessions where the device holds two.
 */
export function countSessions(psOutput: string): number {
  const vtysh = psOutput
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, , comm]) => comm === 'vtysh')
    .map(([pid, ppid]) => ({ pid: Number(pid), ppid: Number(ppid) }));
  const pids = new Set(vtysh.map((p) => p.pid));
  return vtysh.filter((p) => !pids.has(p.ppid)).length;
}

// --- processes ---

function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: 15_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The last words of each daemon on stderr, for the error when it does not come up. */
const stderrTails = new WeakMap<ChildProcess, string>();

function spawnDaemon(file: string, args: string[], children: ChildProcess[]): ChildProcess {
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (data: Buffer) => stderrTails.set(child, `${stderrTails.get(child) ?? ''}${data.toString()}`.slice(-2000)));
  child.on('error', (error) => stderrTails.set(child, error.message));
  children.push(child);
  return child;
}

function tail(child: ChildProcess | undefined): string {
  const text = (child && stderrTails.get(child)?.trim()) ?? '';
  return text ? `: ${text}` : '';
}

async function waitFor(ready: () => boolean | Promise<boolean>, timeoutMs: number, what: string, child: ChildProcess | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}${tail(child)}`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms${tail(child)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startSshd(dir: string, user: string, hostKeyPath: string, children: ChildProcess[], timeoutMs: number): Promise<{ port: number; pid: number }> {
  const configPath = join(dir, 'sshd_config');
  // The port was free a moment ago; another process may take it first, so try a few.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freeTcpPort();
    await writeFile(
      configPath,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKeyPath}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'UsePAM no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication yes',
        'PubkeyAuthentication no',
        'PermitRootLogin no',
        `AllowUsers ${user}`,
        'MaxSessions 4',
        // Many logins at once in the tests: none may be dropped before authentication.
        'MaxStartups 64:30:128',
        'MaxAuthTries 3',
        'LoginGraceTime 30',
        'UseDNS no',
        'PrintMotd yes',
        'PrintLastLog no',
        'X11Forwarding no',
        'AllowTcpForwarding no',
        'AllowAgentForwarding no',
        'PermitTunnel no',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const sshd = spawnDaemon(SSHD, ['-f', configPath, '-D', '-e'], children);
    try {
      await waitFor(() => sshdListening(port), timeoutMs, 'sshd', sshd);
      return { port, pid: sshd.pid ?? 0 };
    } catch (error) {
      await stopChild(sshd);
      if (attempt >= 3) throw error;
    }
  }
}

async function sshdListening(port: number): Promise<boolean> {
  const ss = await run('/usr/bin/ss', ['-Hltn', `sport = :${port}`]).catch(() => '');
  return ss.includes(`127.0.0.1:${port}`);
}

/** Logs in the way the fleet will, until the vtysh prompt shows up. */
async function waitForLogin(input: NetworkElementInput, credentials: NeCredentials, timeoutMs: number): Promise<void> {
  const ne = networkElementSchema.parse(input);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const adapter = new SshCliAdapter(ne, credentials);
    try {
      await adapter.open();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no vtysh login within ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await adapter.close();
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await gone;
  clearTimeout(timer);
}

/** SIGTERM, then SIGKILL, to a process that is not our child (a crashed run's), if it is what we think. */
async function stopPid(pid: number, cmdlineMustInclude: string): Promise<void> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.split('\0').join(' ').includes(cmdlineMustInclude)) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (alive(pid)) signal(pid, 'SIGKILL');
}

/** Every process below `pid`, children first found by their parent id in /proc. */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name may hold spaces and parentheses: the parent id follows the last `)`.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

// --- users, files, cleanup ---

async function ensureUser(user: string, shell: string, home: string): Promise<void> {
  const exists = await run('/usr/bin/id', ['-u', user]).then(
    () => true,
    () => false,
  );
  if (exists) await run('/usr/sbin/usermod', ['-s', shell, '-d', home, '-G', 'frrvty,frr', user]);
  else await run('/usr/sbin/useradd', ['-M', '-d', home, '-s', shell, '-G', 'frrvty,frr', user]);
  await mkdir(home, { recursive: true });
  const uid = Number((await run('/usr/bin/id', ['-u', user])).trim());
  const gid = Number((await run('/usr/bin/id', ['-g', user])).trim());
  await chown(home, uid, gid);
}

async function chownFrr(path: string): Promise<void> {
  const uid = Number((await run('/usr/bin/id', ['-u', 'frr'])).trim());
  const gid = Number((await run('/usr/bin/id', ['-g', 'frr'])).trim());
  await chown(path, uid, gid);
}

async function writeConfig(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o644 });
}

/** Written whole or not at all (a temporary file renamed over it): another start's sweep may read it any time. */
async function saveRecord(record: RunRecord, stateDir: string): Promise<void> {
  const path = join(stateDir, 'run.json');
  await writeFile(`${path}.tmp`, JSON.stringify(record), { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

async function readPid(path: string): Promise<number | undefined> {
  const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Stops everything one run started, in the order that lets each part go: sessions, sshd, user, daemons. */
async function cleanUpRun(record: RunRecord, children: ChildProcess[]): Promise<void> {
  const stateDir = join(RUN_ROOT, record.pathspace);
  // A run that crashed before recording sshd's pid still left sshd's own pidfile.
  const sshdPid = record.sshdPid ?? (await readPid(join(record.dir, 'sshd.pid')));
  if (sshdPid) {
    // sshd's per-connection processes outlive the listener: end them (and their vtysh) first.
    const sessions = await descendants(sshdPid);
    for (const pid of sessions.reverse()) signal(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (sessions.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const child = children.find((c) => c.pid === sshdPid);
    if (child) await stopChild(child);
    else await stopPid(sshdPid, join(record.dir, 'sshd_config'));
  }
  await run('/usr/sbin/userdel', [record.user]).catch(() => run('/usr/sbin/userdel', ['-f', record.user]).catch(() => undefined));
  for (const daemon of ['bgpd', 'zebra']) {
    const pid = await readPid(join(stateDir, `${daemon}.pid`));
    const child = children.find((c) => c.pid !== undefined && c.pid === pid);
    if (child) await stopChild(child);
    else if (pid !== undefined) await stopPid(pid, record.pathspace);
  }
  await Promise.all(children.map(stopChild));
  await rm(stateDir, { recursive: true, force: true });
  await rm(stagingDir(record.pathspace), { recursive: true, force: true });
  await rm(record.dir, { recursive: true, force: true });
}

/** Where a start prepares its state directory before renaming it into place. */
function stagingDir(pathspace: string): string {
  return join(RUN_ROOT, `${STAGING_PREFIX}${pathspace}`);
}

/** Runs whose owning process is gone (a crashed or killed test): stop what they left. */
async function sweepStaleRuns(): Promise<void> {
  const entries = await readdir(RUN_ROOT).catch(() => []);
  for (const entry of entries) {
    const staged = entry.startsWith(STAGING_PREFIX);
    const pathspace = staged ? entry.slice(STAGING_PREFIX.length) : entry;
    if (!pathspace.startsWith(RUN_PREFIX)) continue;
    const text = await readFile(join(RUN_ROOT, entry, 'run.json'), 'utf8').catch(() => undefined);
    const record = parseRecord(text);
    if (record && alive(record.ownerPid)) continue;
    // A staging directory without a record is being written by a start this very moment.
    if (staged && !record) continue;
    await cleanUpRun(record ?? { ownerPid: 0, pathspace, user: `fleet-frr-${pathspace.slice(RUN_PREFIX.length)}`, dir: '/nonexistent' }, []);
  }
}

function parseRecord(text: string | undefined): RunRecord | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RunRecord;
  } catch {
    return undefined;
  }
}
