/**
 * Host key pinning for every SSH driver. ssh2 accepts any host key unless told otherwise; the
 * inventory pins OpenSSH public-key lines (`ssh-ed25519 AAAA... comment`, or authorized_keys and
 * known_hosts lines around one), read with ssh2's own key parser, and only those keys will do.
 */
import { createHash } from 'node:crypto';
import ssh2, { type Algorithms, type ServerHostKeyAlgorithm } from 'ssh2';
import { NeError } from '../errors/ne-error.js';

/** Host key algorithms to offer for each pinned key type, so negotiation picks a key we can check. */
const HOST_KEY_ALGORITHMS: Record<string, { modern: ServerHostKeyAlgorithm[]; legacy: ServerHostKeyAlgorithm[] }> = {
  'ssh-ed25519': { modern: ['ssh-ed25519'], legacy: [] },
  'ecdsa-sha2-nistp256': { modern: ['ecdsa-sha2-nistp256'], legacy: [] },
  'ecdsa-sha2-nistp384': { modern: ['ecdsa-sha2-nistp384'], legacy: [] },
  'ecdsa-sha2-nistp521': { modern: ['ecdsa-sha2-nistp521'], legacy: [] },
  'ssh-rsa': { modern: ['rsa-sha2-512', 'rsa-sha2-256'], legacy: ['ssh-rsa'] },
  'ssh-dss': { modern: [], legacy: ['ssh-dss'] },
};

/** SHA-1 key exchange and CBC ciphers: only for devices too old for anything else. */
const LEGACY_ALGORITHMS: Algorithms = {
  kex: { append: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1'], prepend: [], remove: [] },
  cipher: { append: ['aes128-cbc', 'aes256-cbc'], prepend: [], remove: [] },
};

export interface PinnedKey {
  /** The key type as ssh2 names it: `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`... */
  type: string;
  /** The public key in SSH wire format, as the server presents it. */
  blob: Buffer;
}

/**
 * Reads an OpenSSH public-key line. authorized_keys lines may start with options and known_hosts
 * lines with host patterns, so the key is where ssh2 first parses one, field by field.
 */
export function parsePinnedKey(line: string): PinnedKey | undefined {
  const fields = line.trim().split(/\s+/);
  for (let i = 0; i + 1 < fields.length; i += 1) {
    const parsed = ssh2.utils.parseKey(fields.slice(i).join(' '));
    if (!(parsed instanceof Error)) return { type: parsed.type, blob: parsed.getPublicSSH() };
  }
  return undefined;
}

/** The pinned lines ssh2 can read; the others pin nothing. */
export function parsePinnedKeys(lines: readonly string[]): PinnedKey[] {
  return lines.map(parsePinnedKey).filter((key) => key !== undefined);
}

/** The algorithms to offer: only host key types we hold a pin for, plus legacy ones if allowed. */
export function algorithmsFor(pinned: PinnedKey[], legacy: boolean): Algorithms {
  const hostKeys = [...new Set(pinned.flatMap(({ type }) => [...(HOST_KEY_ALGORITHMS[type]?.modern ?? []), ...(legacy ? (HOST_KEY_ALGORITHMS[type]?.legacy ?? []) : [])]))];
  return {
    ...(legacy ? LEGACY_ALGORITHMS : {}),
    // Offer only the types we hold a pin for; with none usable, let ssh2 negotiate and the verifier refuse.
    ...(hostKeys.length > 0 ? { serverHostKey: hostKeys } : {}),
  };
}

/** The refusal of a presented key, with its fingerprint and the line that would pin it. */
export function hostKeyMismatch(neId: string, presented: Buffer): NeError {
  const fingerprint = `SHA256:${createHash('sha256').update(presented).digest('base64').replace(/=+$/, '')}`;
  const parsed = ssh2.utils.parseKey(presented);
  const type = parsed instanceof Error ? 'unknown' : parsed.type;
  return new NeError('NE_HOST_KEY_MISMATCH', neId, `host key ${fingerprint} is not pinned in the inventory (ssh.hostKeys)`, {
    details: { fingerprint, presentedKey: `${type} ${presented.toString('base64')}` },
  });
}
