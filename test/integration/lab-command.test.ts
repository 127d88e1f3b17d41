import { readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli, type CliChild } from '../support/cli-process.js';

const labs: CliChild[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const lab of labs) if (lab.child.exitCode === null) lab.child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

describe('activation-fleet lab', () => {
  it('takes free ports by default and prints them, so two labs share a host; each writes a CONFIG_DIR for the fleet', async () => {
    const env = { ...process.env, LOG_LEVEL: 'silent' };
    const first = spawnCli(['lab'], env);
    const second = spawnCli(['lab'], env);
    labs.push(first, second);
    const ports: number[][] = [];
    for (const lab of [first, second]) {
      const configLine = await lab.waitForLine((l) => l.startsWith('CONFIG_DIR='));
      const configDir = configLine.slice('CONFIG_DIR='.length);
      dirs.push(configDir);
      const listed = lab.lines.filter((l) => /^ {2}(npdb-1 NETCONF|pcrf-1 SSH CLI|vms-1 SNMPv3) 127\.0\.0\.1:\d+$/.test(l));
      expect(listed, lab.lines.join('\n')).toHaveLength(3);
      const labPorts = listed.map((l) => Number(l.split(':').at(-1)));
      ports.push(labPorts);
      const inventory = parse(await readFile(join(configDir, 'inventory', 'lab.yaml'), 'utf8')) as { networkElements: Array<{ id: string; port: number; credentialsRef: string }> };
      expect(inventory.networkElements.map((ne) => ne.port).sort()).toEqual([...labPorts].sort());
      expect(inventory.networkElements[0]?.credentialsRef).toBe(`file:${join(configDir, 'secrets')}`);
      expect(((await stat(join(configDir, 'secrets', 'password'))).mode & 0o777).toString(8)).toBe('600');
      expect((await stat(join(configDir, 'catalog', 'mobile-plan.yaml'))).isFile()).toBe(true);
      expect(lab.lines).toContain(`run the fleet against it: CONFIG_DIR=${configDir} activation-fleet start`);
      // The NETCONF and SSH NEs listen on TCP (SNMP is UDP).
      expect(await accepts(labPorts[0]!)).toBe(true);
      expect(await accepts(labPorts[1]!)).toBe(true);
    }
    expect(new Set(ports.flat()).size).toBe(6);
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
  });
});
