import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redisReachable } from '../../runtime/private-redis.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface RedisCluster {
  /** A seed node. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

/** A real 3-master Redis Cluster on loopback (redis-server cluster-enabled + redis-cli --cluster create). */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-redis-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const nodes: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    ),
  );
  for (const port of ports) {
    for (let i = 0; i < 100 && !(await redisReachable(`redis://127.0.0.1:${port}`, 200)); i++) await new Promise((r) => setTimeout(r, 50));
  }
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
  // Wait until every slot is served.
  for (let i = 0; i < 100; i++) {
    const { stdout } = await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']);
    if (stdout.includes('cluster_state:ok')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${ports[0]}`,
    ports,
    async stop() {
      await Promise.all(
        nodes.map((node) => {
          if (node.exitCode !== null) return Promise.resolve();
          const gone = new Promise((r) => node.once('exit', r));
          node.kill('SIGTERM');
          return gone;
        }),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
