import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { freeTcpPort } from '../runtime/free-port.js';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetconfClient } from '../adapters/netconf/netconf-client.js';
import { NeError } from '../errors/index.js';
import type { NeCredentials, NetworkElementInput } from '../inventory/network-element.js';
import { alive, signal } from './peer-processes.js';


/** How long the peer's NE and the tests' own sessions wait for a reply (RPC) by default. */
const RPC_TIMEOUT_MS = 30_000;

export interface NetconfdPeerOptions {
  /**
   * Names the instance in its state directory (`$TMPDIR/activation-fleet-netconfd-<instance>-<run id>`).
   * Every start gets a directory and a login account of its own, so instances (and whole test
   * runs) can overlap; a crashed run is found by its run record and cleaned up by the next start.
   * @defaultValue 'netconfd-1'
   */
  instance?: string;
  /** TCP port of the sshd in front of netconfd, on 127.0.0.1. @defaultValue a free port */
  port?: number;
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
  /** The login of this start: an account created for it (`fleet-netconf-<run id>`), random password. */
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
  /** Stops sshd and netconfd (SIGTERM, then SIGKILL), deletes the account and removes the state directory. Idempotent. */
  stop(): Promise<void>;
}

const NETCONFD = '/usr/sbin/netconfd';
const SSHD = '/usr/sbin/sshd';
const SUBSYSTEM = '/usr/sbin/netconf-subsystem';
const STOP_GRACE_MS = 3000;
/**
 * One record per running instance, machine-wide (not under TMPDIR, so a start with another TMPDIR
 * still finds a crashed run): who owns it, its account and its state directory.
 */
const RUN_ROOT = '/run/activation-fleet-netconfd';
// sun_path holds 108 bytes with its terminating NUL.
const MAX_SOCKET_PATH = 107;

interface RunRecord {
  ownerPid: number;
  user: string;
  dir: string;
}


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
  signal(pid, 'SIGTERM');
  for (let waited = 0; waited < STOP_GRACE_MS && alive(pid); waited += 50) await sleep(50);
  if (alive(pid)) signal(pid, 'SIGKILL');
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

/**
 * Creates this run's own account, with a login shell, its home in the state directory and the
 * given password; sshd checks it against /etc/shadow (UsePAM no). No other instance shares it, so
 * setting the password disturbs nobody's sessions.
 */
async function createUser(username: string, home: string, password: string): Promise<void> {
  await run('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/bash', username]);
  await mkdir(home, { recursive: true });
  await chown(home, Number((await run('id', ['-u', username])).trim()), Number((await run('id', ['-g', username])).trim()));
  await run('chpasswd', [], `${username}:${password}\n`);
}

async function deleteUser(username: string): Promise<void> {
  // -f only if a session process still lingers: the account is this run's alone.
  await run('userdel', [username]).catch(() => run('userdel', ['-f', username]).catch(() => undefined));
}

const recordPath = (dir: string): string => join(RUN_ROOT, `${dir.slice(dir.lastIndexOf('-') + 1)}.json`);

/**
 * Ends what a run left behind: its daemons by their pidfiles (netconfd first, as in stop), its
 * account, its state directory and its record.
 */
async function cleanUpRun(record: RunRecord): Promise<void> {
  await killStale(join(record.dir, 'netconfd.pid'), record.dir);
  await killStale(join(record.dir, 'sshd.pid'), record.dir);
  await deleteUser(record.user);
  await rm(record.dir, { recursive: true, force: true });
  await rm(recordPath(record.dir), { force: true });
}

/** Runs whose owning process is gone (a crashed or killed test): clean up what they left. */
async function sweepStaleRuns(): Promise<void> {
  for (const entry of await readdir(RUN_ROOT).catch(() => [])) {
    if (!entry.endsWith('.json')) continue;
    const text = await readFile(join(RUN_ROOT, entry), 'utf8').catch(() => undefined);
    if (text === undefined) continue; // swept by another start meanwhile
    let record: RunRecord;
    try {
      record = JSON.parse(text) as RunRecord;
    } catch {
      await rm(join(RUN_ROOT, entry), { force: true });
      continue;
    }
    if (!alive(record.ownerPid)) await cleanUpRun(record);
  }
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
  const runId = randomBytes(4).toString('hex');
  const dir = join(tmpdir(), `activation-fleet-netconfd-${instance}-${runId}`);
  const paths = {
    sshdConfig: join(dir, 'sshd_config'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    sshdPid: join(dir, 'sshd.pid'),
    netconfdPid: join(dir, 'netconfd.pid'),
    socket: join(dir, 'ncxserver.sock'),
    netconfdLog: join(dir, 'netconfd.log'),
    yumaHome: join(dir, 'yuma-home'),
    home: join(dir, 'home'),
    startup: join(dir, 'yuma-home', 'data', 'startup-cfg.xml'),
    sshdLog: join(dir, 'sshd.log'),
  };

  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) throw new Error(`the ncxserver socket path ${paths.socket} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter TMPDIR or instance`);

  // A crashed run may still hold a port, its daemons and its account.
  await sweepStaleRuns();
  const username = `fleet-netconf-${runId}`;
  const record: RunRecord = { ownerPid: process.pid, user: username, dir };
  // Recorded before anything exists, so a crash at any later point is found by the next start.
  await mkdir(RUN_ROOT, { recursive: true });
  // Whole or not at all: another start's sweep deletes a record it cannot parse.
  await writeFile(`${recordPath(dir)}.tmp`, JSON.stringify(record), { mode: 0o644 });
  await rename(`${recordPath(dir)}.tmp`, recordPath(dir));

  const port = options.port ?? (await freeTcpPort());
  const credentials = { username, password: randomBytes(18).toString('base64url') };
  let hostKey: string;
  try {
    await mkdir(dir, { recursive: true });
    // netconf-subsystem runs as the logged-in user and must reach the socket in here.
    await chmod(dir, 0o755);
    await createUser(username, paths.home, credentials.password);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `activation-fleet-${instance}`, '-f', paths.hostKey]);
    hostKey = (await readFile(`${paths.hostKey}.pub`, 'utf8')).trim();
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
  } catch (error) {
    await cleanUpRun(record);
    throw error;
  }

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
    // The account goes once its sessions have; the record last, so a crash before still leaves it found.
    await deleteUser(username);
    await rm(dir, { recursive: true, force: true });
    await rm(recordPath(dir), { force: true });
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
    // netconfd is one process answering one RPC at a time: with two CI runs' peers on two cores
    // a <lock> once went unanswered for 10 s, a fact about the machine, not the device.
    commandTimeoutMs: options.commandTimeoutMs ?? RPC_TIMEOUT_MS,
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
      rpcTimeoutMs: options.commandTimeoutMs ?? RPC_TIMEOUT_MS,
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
      // What the device holds is the answer a test counts: a get-config netconfd leaves
      // unanswered past the timeout (a loaded machine, a rollback in progress) is asked again on
      // a fresh session. Bounded: the third timeout goes up.
      for (let attempt = 1; ; attempt++) {
        const client = await connect();
        try {
          return await client.getConfig('running', filterXml);
        } catch (error) {
          if (!(error instanceof NeError && error.code === 'NE_TIMEOUT') || attempt >= 3) throw error;
        } finally {
          await client.closeSession().catch(() => undefined);
        }
      }
    },
    async logTail(lines = 40) {
      const text = await readFile(paths.netconfdLog, 'utf8').catch(() => '');
      return text.split('\n').slice(-lines).join('\n');
    },
    stop,
  };
}
