import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../../runtime/private-redis.js';

/**
 * The README's "Using it" as a newcomer runs it, on a copy of the repository's files (what git
 * tracks, or would: a clone of this working tree, with no dist/ and no config of its own):
 * `npm start` builds dist/ and runs every role on the simulated lab; then
 * `npx activation-fleet submit examples/orders/mobile-bundle.json --wait` ends `completed`.
 * `npm install` is the one step left out: the copy links this checkout's node_modules.
 */
const run = promisify(execFile);
const repo = resolve('.');
let clone: string;
let redis: PrivateRedis;
let fleet: ChildProcess | undefined;

/** A newcomer's shell: no NE credentials, no CONFIG_DIR, no tracing, nothing forcing a build. */
function newcomerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(NPDB1|PCRF1|VMS1|FRR1|SNMPD1|NETCONFD1)_/.test(name) || name.startsWith('OTEL_') || name.startsWith('npm_')) delete env[name];
  }
  for (const name of ['CONFIG_DIR', 'SIMULATED_LAB', 'ACTIVATION_FLEET_BUILD', 'NODE_ENV', 'LOG_FORMAT']) delete env[name];
  return { ...env, REDIS_URL: redis.url, QUEUE_PREFIX: `fresh-${randomBytes(4).toString('hex')}`, HTTP_PORT: '0' };
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  clone = await mkdtemp(join(tmpdir(), 'fleet-clone-'));
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
  const files = stdout.split('\0').filter((f) => f && f !== 'node_modules' && existsSync(join(repo, f)));
  for (const file of files) {
    await mkdir(dirname(join(clone, file)), { recursive: true });
    await copyFile(join(repo, file), join(clone, file));
  }
  await symlink(join(repo, 'node_modules'), join(clone, 'node_modules'));
});

afterAll(async () => {
  // npm start runs node under a shell: stop the whole group.
  if (fleet?.pid && fleet.exitCode === null) process.kill(-fleet.pid, 'SIGKILL');
  await redis?.stop();
  if (clone) await rm(clone, { recursive: true, force: true });
});

describe('a fresh clone', () => {
  it('npm start builds and runs the fleet on the simulated lab; the mobile bundle example then completes', { timeout: 300_000 }, async () => {
    expect(existsSync(join(clone, 'dist')), 'a clone has no build').toBe(false);
    const env = newcomerEnv();
    fleet = spawn('npm', ['start'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const lines: string[] = [];
    const started = new Promise<Record<string, unknown>>((resolvePromise, reject) => {
      fleet!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${lines.join('\n')}`)));
      for (const stream of [fleet!.stdout!, fleet!.stderr!])
        createInterface({ input: stream }).on('line', (line) => {
          lines.push(line);
          const parsed = line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : {};
          if (String(parsed.msg).startsWith('activation-fleet ') && 'httpPort' in parsed) resolvePromise(parsed);
        });
    });
    const startLine = await started;
    expect(existsSync(join(clone, 'dist', 'build-info.json')), 'npm start built dist/').toBe(true);
    expect(lines.join('\n')).not.toContain('running the sources');
    expect(startLine).toMatchObject({ roles: ['intake', 'orchestrator', 'worker', 'api'], simulatedLab: true });
    expect(lines.some((l) => l.includes('simulated lab: no credentials are set for the sample inventory'))).toBe(true);

    const submitted = await run('npx', ['activation-fleet', 'submit', 'examples/orders/mobile-bundle.json', '--wait'], { cwd: clone, env, timeout: 120_000 }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`submit --wait exited ${error.code}:\n${error.stdout}\n${error.stderr}`);
    });
    const out = submitted.stdout.trim().split('\n');
    expect(out.at(-1), submitted.stdout).toMatch(/^order \S+: completed \(/);
    for (const item of ['number-porting', 'mobile-plan', 'voicemail']) expect(submitted.stdout).toMatch(new RegExp(`${item}.*completed`));

    // SIGTERM to the fleet's process (its pid is in every log line), as a supervisor sends it:
    // it stops cleanly, and npm start ends with its status.
    const exited = new Promise<number | null>((r) => fleet!.once('exit', r));
    process.kill(Number(startLine.pid), 'SIGTERM');
    expect(await exited, lines.slice(-5).join('\n')).toBe(0);
    expect(lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });
});
