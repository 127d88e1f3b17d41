import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { algorithmsFor, hostKeyMismatch, parsePinnedKey, parsePinnedKeys } from '../../adapters/ssh-host-keys.js';

const ed25519 = ssh2.utils.generateKeyPairSync('ed25519').public;
const ecdsa = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }).public;
const blobOf = (line: string): Buffer => Buffer.from(line.split(' ')[1] ?? '', 'base64');

describe('pinned host keys', () => {
  it('reads a public-key line, with a comment, in known_hosts and authorized_keys form', () => {
    const [type, base64] = ed25519.split(' ');
    for (const line of [ed25519, `${ed25519} pe1@lab`, `[127.0.0.1]:2222 ${ed25519}`, `pe1,10.0.0.1 ${type} ${base64} comment`, `no-pty,from="10.0.0.1" ${ed25519}`]) {
      const key = parsePinnedKey(line);
      expect(key?.type, line).toBe('ssh-ed25519');
      expect(key?.blob.equals(blobOf(ed25519)), line).toBe(true);
    }
  });

  it('pins nothing with a line ssh2 cannot read: a bare blob, a type that is not the blob\'s, garbage', () => {
    const base64 = ed25519.split(' ')[1] ?? '';
    expect(parsePinnedKeys([base64, `ssh-rsa ${base64}`, 'not a key', ''])).toEqual([]);
  });

  it('offers only the host key types pinned, and legacy ones only when asked', () => {
    expect(algorithmsFor(parsePinnedKeys([ed25519, ecdsa]), false)).toEqual({ serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256'] });
    expect(algorithmsFor([], false)).toEqual({});
    expect(algorithmsFor([{ type: 'ssh-rsa', blob: Buffer.alloc(0) }], true).serverHostKey).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it('names the refused key by fingerprint and gives the line that would pin it', () => {
    const error = hostKeyMismatch('pe-1', blobOf(ecdsa));
    expect(error.code).toBe('NE_HOST_KEY_MISMATCH');
    expect(error.message).toMatch(/SHA256:[A-Za-z0-9+/]{43} is not pinned/);
    expect(error.details.presentedKey).toBe(ecdsa.split(' ').slice(0, 2).join(' '));
  });
});
