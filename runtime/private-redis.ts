import { spawn, type ChildProcess } from 'node:child_process';
import { freeTcpPort } from './free-port.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: it flushes its AOF) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a hung
   * host or a black-holed network. `resume` (SIGCONT) lets it go on where it stopped.
   */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}


/** Whether something answers Redis PING at the URL within the timeout. */
export async function redisReachable(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * Starts a private redis-server from PATH on a free loopback port, in a temporary directory,
 * for one test run or one demo: nothing it does can collide with another Redis user.
 */
export async function startPrivateRedis(options: { appendOnly?: boolean; binary?: string } = {}): Promise<PrivateRedis> {
  const port = await freeTcpPort();
  const dir = await mkdtemp(join(tmpdir(), 'activation-fleet-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.appendOnly ? 'yes' : 'no', '--protected-mode', 'yes'];
  const url = `redis://127.0.0.1:${port}`;
  const launch = async (): Promise<ChildProcess> => {
    let child: ChildProcess;
    try {
      child = spawn(options.binary ?? 'redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(`cannot start redis-server: ${(error as Error).message}`, { cause: error });
    }
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (error) =>
        reject(new Error(`cannot start redis-server (${(error as NodeJS.ErrnoException).code ?? error.message}): install it (Debian: apt-get install redis-server) or set REDIS_URL`)),
      );
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
    });
    const ready = (async () => {
      for (let i = 0; i < 100; i++) {
        if (await redisReachable(url, 200)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('redis-server did not answer within 5 s');
    })();
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
    return child;
  };
  const halt = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  };
  let child = await launch();
  return {
    url,
    port,
    async restart() {
      await halt(child);
      child = await launch();
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
    async stop() {
      // A frozen server would never act on SIGTERM.
      child.kill('SIGCONT');
      await halt(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
