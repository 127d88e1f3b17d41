import { describe, expect, it } from 'vitest';
import { AdapterPool } from '../../adapters/adapter-pool.js';
import type { NeAdapter } from '../../adapters/ne-adapter.js';
import { NeError } from '../../errors/index.js';
import { networkElementSchema, type NetworkElement } from '../../inventory/network-element.js';

/**
 * The pool against a fake device that counts sessions the way a real one does: a session exists
 * from the moment the device accepts it until the device has finished closing it, which takes a
 * while after the client said goodbye (vtysh exiting, a NETCONF session being torn down).
 */
class FakeDevice {
  sessions = 0;
  peak = 0;
  constructor(readonly closeDelayMs: number) {}
  accept(): void {
    this.sessions += 1;
    this.peak = Math.max(this.peak, this.sessions);
  }
  async hangUp(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.closeDelayMs));
    this.sessions -= 1;
  }
}

interface FakeOptions {
  /** The device accepts the session, then the login fails. */
  failOpen?: boolean;
  /** The session breaks on its first use (as after a timeout): the pool must replace it. */
  breakOnUse?: boolean;
}

function fakeAdapter(ne: NetworkElement, device: FakeDevice, options: FakeOptions = {}): NeAdapter {
  let state: 'new' | 'open' | 'broken' | 'closed' = 'new';
  let hangingUp: Promise<void> | undefined;
  const hangUp = (): Promise<void> => (hangingUp ??= device.hangUp());
  return {
    ne,
    async open() {
      if (state !== 'new') return;
      await new Promise((resolve) => setTimeout(resolve, 2));
      device.accept();
      if (options.failOpen) {
        state = 'broken';
        throw new NeError('NE_AUTHENTICATION_FAILED', ne.id, 'login refused');
      }
      state = 'open';
    },
    async apply() {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (options.breakOnUse) {
        state = 'broken';
        throw new NeError('NE_TIMEOUT', ne.id, 'no prompt');
      }
    },
    async verify() {
      return { passed: true, observed: '' };
    },
    isOpen: () => state === 'open',
    async close() {
      if (state === 'new' || state === 'closed') return;
      state = 'closed';
      // Resolves only once the device has let go of the session, as the real adapters' close does.
      await hangUp();
    },
  };
}

const ne = networkElementSchema.parse({ id: 'ne-1', role: 'test', protocol: 'ssh-cli', host: '127.0.0.1', port: 22, credentialsRef: 'env:X', maxSessions: 2, ssh: { hostKeys: [] } });
const change = { protocol: 'ssh-cli' as const, lines: ['x'] };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('AdapterPool accounting as the device counts', () => {
  it('counts a session it is closing until the device let go of it, so replacements never exceed maxSessions', async () => {
    const device = new FakeDevice(30);
    const pool = new AdapterPool(() => fakeAdapter(ne, device, { breakOnUse: true }));
    // Callers keep arriving while earlier sessions are still closing, not only as waiters.
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => sleep(i * 7).then(() => pool.withAdapter(ne, (adapter) => adapter.apply(change)))));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as NeError).code === 'NE_TIMEOUT')).toBe(true);
    await pool.close();
    expect(device.peak).toBe(2);
    expect(device.sessions).toBe(0);
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 0, inUse: 0, closing: 0 });
  });

  it('counts a session whose open failed until the adapter has closed what the device accepted', async () => {
    const device = new FakeDevice(30);
    const pool = new AdapterPool(() => fakeAdapter(ne, device, { failOpen: true }));
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => sleep(i * 7).then(() => pool.withAdapter(ne, (adapter) => adapter.apply(change)))));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as NeError).code === 'NE_AUTHENTICATION_FAILED')).toBe(true);
    // Every rejection came after the device had closed the half-open session.
    expect(device.sessions).toBe(0);
    expect(device.peak).toBeLessThanOrEqual(2);
    await pool.close();
  });

  it('closes idle sessions on close() and resolves only once the device let go of them', async () => {
    const device = new FakeDevice(40);
    const pool = new AdapterPool(() => fakeAdapter(ne, device));
    await Promise.all([pool.withAdapter(ne, (a) => a.apply(change)), pool.withAdapter(ne, (a) => a.apply(change))]);
    expect(pool.sessionCounts()['ne-1']).toEqual({ idle: 2, inUse: 0, closing: 0 });
    expect(device.sessions).toBe(2);
    await pool.close();
    expect(device.sessions).toBe(0);
  });
});
