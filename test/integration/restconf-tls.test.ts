import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestconfAdapter } from '../../adapters/restconf/restconf-adapter.js';
import { restconfProfileSchema } from '../../adapters/restconf/restconf-profile.js';
import { startRestconfSimulator, type RestconfSimulator } from '../../simulators/restconf/restconf-simulator.js';
import { failure } from '../support/device-faults.js';

/** HTTPS: the server's certificate must chain to the NE's pinned CA and carry its name; nothing skips that. */

const dir = mkdtempSync(join(tmpdir(), 'restconf-tls-'));
let sim: RestconfSimulator;
let ca: string;
let otherCa: string;

function selfSigned(name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=restconf-sim', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:restconf-sim', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

beforeAll(async () => {
  const pair = selfSigned('sim');
  ca = pair.cert;
  otherCa = selfSigned('other').cert;
  sim = await startRestconfSimulator({ users: { fleet: 'pw-tls-123' }, tls: pair, data: { 'example-porting:ported-numbers': {} } });
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function adapter(profile: Record<string, unknown>): RestconfAdapter {
  const ne = { id: 'rc-tls', host: '127.0.0.1', port: sim.port, connectTimeoutMs: 2000, commandTimeoutMs: 2000 } as any;
  return new RestconfAdapter(ne, { username: 'fleet', password: 'pw-tls-123' }, restconfProfileSchema.parse(profile));
}

describe('RESTCONF over HTTPS', () => {
  it('talks to a server whose certificate chains to the pinned CA', async () => {
    const a = adapter({ ca });
    expect(await a.verify({ protocol: 'restconf', path: 'example-porting:ported-numbers', absent: false, contains: [] })).toMatchObject({ passed: true });
    await a.close();
  });

  it('refuses a certificate from another CA, or with another name: NE_HOST_KEY_MISMATCH, permanent, nothing sent', async () => {
    for (const profile of [{ ca: otherCa }, { ca, serverName: 'some-other-name' }, {}]) {
      const before = sim.log.length;
      const a = adapter(profile);
      const { error } = await failure(() => a.verify({ protocol: 'restconf', path: 'example-porting:ported-numbers', contains: [] }));
      expect({ code: error.code, transient: error.transient }).toEqual({ code: 'NE_HOST_KEY_MISMATCH', transient: false });
      expect(sim.log.length).toBe(before);
      await a.close();
    }
  });
});
