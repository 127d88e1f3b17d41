import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { freeTcpPort } from '../runtime/free-port.js';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetconfClient } from '../adapters/netconf/netconf-client.js';
import type { NeCredentials, NetworkElementInput } from '../inventory/network-element.js';

export interface NetconfdPeerOptions {
  /**
   * Names the instance and its state directory (`$TMPDIR/activation-fleet-netconfd-<instance>`).
   * The directory is fixed, not random, so the next start finds a crashed run's processes by
   * their pidfiles and ends them. @defaultValue 'netconfd-1'
   */
  instance?: string;
  /** TCP port of the sshd in front of netconfd, on 127.0.0.1. @defaultValue a free port */
  port?: number;
  /** Local account the fleet logs in as; created when missing, given a new random password each start. @defaultValue 'netconf-fleet' */
  username?: string;
  /** YANG modules netconfd loads. @defaultValue ['iana-if-type', 'ietf-interfaces', 'ietf-system'] */
  modules?: string[];
  /** @defaultValue 4 */
  maxSessions?: number;
  /** @defaultValue 10000 */
  commandTimeoutMs?: number;
  /** How long both daemons may take until a NETCONF hello succeeds. @defaultValue 30000 */
  startTimeoutMs?: number;
  /** netconfd --log-level (error, warn, info, debug, ...). @defaultValue 'info' */
  logLevel?: string;
}

export interface NetconfdPeer {
  /** The NE as the resource inventory would hold it, with the sshd host key pinned. */
  ne: NetworkElementInput;
  /** The login of this start (random password). */
  credentials: NeCredentials;
  port: number;
  /** State directory: configs, host key, pidfiles, the ncxserver socket, `netconfd.log`, `sshd.log`. */
  dir: string;
  /** A fresh session of our own client; the caller closes it (`closeSession()`). */
  connect(): Promise<NetconfClient>;
  /** get-config on running (optionally with a subtree filter) over a session of its own. */
  runningConfig(filterXml?: string): Promise<string>;
  /** The tail of netconfd's log, for a failing test's message. */
  logTail(lines?: number): Promise<string>;
  /** Stops sshd and netconfd (SIGTERM, then SIGKILL) and removes the state directory. Idempotent. */
  stop(): Promise<void>;
}

const NETCONFD = '/usr/sbin/netconfd';
const SSHD = '/usr/sbin/sshd';
const SUBSYSTEM = '/usr/sbin/netconf-subsystem';
const STOP_GRACE_MS = 3000;


function run(file: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Running, not merely a zombie waiting for an init that reaps slowly. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Ends a process a crashed run left behind, named by a pidfile in `dir`. The pid is only trusted
 * while its command line still names `dir`: after a reboot or a long pause it may belong to
 * anything.
 */
async function killStale(pidFile: string, dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return; // gone already
  }
  if (!cmdline.includes(dir)) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < STOP_GRACE_MS && alive(pid); waited += 50) await sleep(50);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

function hasChildren(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** The account exists with a login shell and the given password; sshd checks it against /etc/shadow (UsePAM no). */
async function ensureUser(username: string, password: string): Promise<void> {
  try {
    await run('id', ['-u', username]);
  } catch {
    await run('useradd', ['--create-home', '--shell', '/bin/bash', username]);
  }
  await run('chpasswd', [], `${username}:${password}\n`);
}

/**
 * Starts the real yuma123 netconfd behind its own OpenSSH sshd on loopback, for peer tests and
 * benchmarks. sshd runs the `netconf` subsystem (`netconf-subsystem`), which hands the session to
 * netconfd over a unix socket private to this instance; netconfd only accepts sessions arriving
 * on the port it was started with. Needs root (sshd, useradd) and the packages from
 * peers/install-peers.sh.
 */
export async function startNetconfdPeer(options: NetconfdPeerOptions = {}): Promise<NetconfdPeer> {
  for (const binary of [NETCONFD, SSHD, SUBSYSTEM]) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: run peers/install-peers.sh`);
  }
  if (process.getuid?.() !== 0) throw new Error('the netconfd peer needs root (it runs sshd and manages a local account)');
  const instance = options.instance ?? 'netconfd-1';
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(instance)) throw new Error(`invalid instance name ${instance}`);
  const dir = join(tmpdir(), `activation-fleet-netconfd-${instance}`);
  const paths = {
    sshdConfig: join(dir, 'sshd_config'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    sshdPid: join(dir, 'sshd.pid'),
    netconfdPid: join(dir, 'netconfd.pid'),
    socket: join(dir, 'ncxserver.sock'),
    netconfdLog: join(dir, 'netconfd.log'),
    yumaHome: join(dir, 'yuma-home'),
    startup: join(dir, 'yuma-home', 'data', 'startup-cfg.xml'),
    sshdLog: join(dir, 'sshd.log'),
  };

  // A crashed run may still hold the port, the socket or the account's sessions.
  await killStale(paths.sshdPid, dir);
  await killStale(paths.netconfdPid, dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // netconf-subsystem runs as the logged-in user and must reach the socket in here.
  await chmod(dir, 0o755);

  const port = options.port ?? (await freeTcpPort());
  const username = options.username ?? 'netconf-fleet';
  const credentials = { username, password: randomBytes(18).toString('base64url') };
  await ensureUser(username, credentials.password);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `activation-fleet-${instance}`, '-f', paths.hostKey]);
  const hostKey = (await readFile(`${paths.hostKey}.pub`, 'utf8')).trim();
  await writeFile(
    paths.sshdConfig,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${paths.hostKey}`,
      `PidFile ${paths.sshdPid}`,
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${username}`,
      'X11Forwarding no',
      'AllowTcpForwarding no',
      'PrintMotd no',
      'MaxStartups 100:30:200',
      'MaxSessions 50',
      // The subsystem maps the port the client came in on to the netconfd socket of this instance.
      `Subsystem netconf "${SUBSYSTEM} --ncxserver-sockname=${port}@${paths.socket}"`,
      '',
    ].join('\n'),
  );
  await mkdir(join(paths.yumaHome, 'data'), { recursive: true });
  await writeFile(paths.startup, `<?xml version="1.0" encoding="UTF-8"?>\n<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>\n`);
  await mkdir('/run/sshd', { recursive: true }); // sshd's privilege-separation directory

  const logLevel = options.logLevel ?? 'info';
  const modules = options.modules ?? ['iana-if-type', 'ietf-interfaces', 'ietf-system'];
  const children: ChildProcess[] = [];
  const exitedEarly: Array<Promise<never>> = [];
  // YUMA_HOME keeps netconfd's startup transaction-id file in here too (else ~/.yuma of root).
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, YUMA_HOME: paths.yumaHome };
  /** Starts a daemon in the foreground; its stderr goes to `stderrLog` and, while starting, into the error of a failed start. */
  const launch = (name: string, file: string, args: string[], stderrLog: string, pidFile?: string): void => {
    const child = spawn(file, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr: string[] = [];
    child.stderr?.on('data', (data: Buffer) => {
      stderr.push(data.toString());
      if (stderr.length > 50) stderr.shift();
    });
    child.stderr?.pipe(createWriteStream(stderrLog, { flags: 'a' }));
    children.push(child);
    exitedEarly.push(
      new Promise<never>((_, reject) => {
        child.once('error', (error) => reject(new Error(`cannot start ${name}: ${error.message}`)));
        child.once('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code}) during start: ${stderr.join('').trim().slice(-2000)}`)));
      }),
    );
    // Written at once: a run that crashes a moment later must still leave it for the next start.
    if (pidFile && child.pid) writeFileSync(pidFile, `${child.pid}\n`);
  };
  const killOnExit = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    // netconfd first: its end ends every netconf-subsystem and so every sshd session process.
    // The listener goes last, once it has reaped them, so none is left behind as a zombie.
    const [netconfd, sshd] = children;
    await stopChild(netconfd);
    for (let waited = 0; sshd?.pid !== undefined && waited < STOP_GRACE_MS && hasChildren(sshd.pid); waited += 50) await sleep(50);
    await stopChild(sshd);
    await rm(dir, { recursive: true, force: true });
  };

  const ne: NetworkElementInput = {
    id: 'netconfd-1',
    role: 'netconf-router',
    vendor: 'yuma123',
    platform: 'netconfd',
    protocol: 'netconf',
    host: '127.0.0.1',
    port,
    maxSessions: options.maxSessions ?? 4,
    credentialsRef: 'env:NETCONFD1',
    connectTimeoutMs: 10_000,
    commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
    ssh: { hostKeys: [hostKey] },
  };
  const connect = (): Promise<NetconfClient> =>
    NetconfClient.connect({
      neId: ne.id,
      host: ne.host,
      port,
      ...credentials,
      hostKeys: [hostKey],
      connectTimeoutMs: 10_000,
      rpcTimeoutMs: options.commandTimeoutMs ?? 10_000,
    });

  try {
    launch(
      'netconfd',
      NETCONFD,
      [
        `--superuser=${username}`,
        ...modules.map((m) => `--module=${m}`),
        // An empty startup file of our own rather than --no-startup: netconfd saves running to its
        // startup file after every commit, by default in the ~/.yuma of the account it runs as.
        `--startup=${paths.startup}`,
        `--port=${port}`,
        `--ncxserver-sockname=${paths.socket}`,
        `--log=${paths.netconfdLog}`,
        `--log-level=${logLevel}`,
      ],
      join(dir, 'netconfd.stderr'),
      paths.netconfdPid,
    );
    // sshd writes its own pidfile; -e sends its log to stderr.
    launch('sshd', SSHD, ['-f', paths.sshdConfig, '-D', '-e'], paths.sshdLog);

    const startTimeoutMs = options.startTimeoutMs ?? 30_000;
    const ready = (async () => {
      const deadline = Date.now() + startTimeoutMs;
      let last: unknown;
      while (Date.now() < deadline) {
        try {
          const client = await connect();
          await client.closeSession();
          return;
        } catch (error) {
          last = error;
          await sleep(200);
        }
      }
      throw new Error(`netconfd did not answer a NETCONF hello within ${startTimeoutMs} ms: ${last instanceof Error ? last.message : String(last)}`);
    })();
    await Promise.race([ready, ...exitedEarly]);
  } catch (error) {
    const tail = await readFile(paths.netconfdLog, 'utf8').catch(() => '');
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nnetconfd.log:\n${tail.split('\n').slice(-30).join('\n')}`, { cause: error });
  } finally {
    for (const promise of exitedEarly) promise.catch(() => undefined);
  }

  return {
    ne,
    credentials,
    port,
    dir,
    connect,
    async runningConfig(filterXml?: string) {
      const client = await connect();
      try {
        return await client.getConfig('running', filterXml);
      } finally {
        await client.closeSession();
      }
    },
    async logTail(lines = 40) {
      const text = await readFile(paths.netconfdLog, 'utf8').catch(() => '');
      return text.split('\n').slice(-lines).join('\n');
    },
    stop,
  };
}
