/**
 * Opens an SSH session and its `netconf` subsystem (RFC 6242). Every ssh2 or socket failure
 * leaves here as an NeError with the code the retry policy needs.
 */
import { Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { Client as SshClient, ClientChannel } from 'ssh2';
import { NeError } from '../../errors/index.js';
import { hostKeyMatches } from './host-key.js';

export interface SshNetconfOptions {
  neId: string;
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
  /** Pinned OpenSSH public-key lines; with none, every connection is refused. */
  hostKeys: readonly string[];
  /** TCP connect plus SSH handshake and authentication. */
  connectTimeoutMs: number;
  /** @defaultValue 15000 */
  keepaliveIntervalMs?: number;
  /** @defaultValue 3 */
  keepaliveCountMax?: number;
}

export interface SshNetconfChannel {
  ssh: SshClient;
  channel: ClientChannel;
}

interface Ssh2Error extends Error {
  level?: string;
  code?: string;
}

function translate(error: Ssh2Error, neId: string, hostKeyRejected: boolean): NeError {
  if (hostKeyRejected) {
    return new NeError('NE_HOST_KEY_MISMATCH', neId, 'SSH host key is not one of the pinned keys', { cause: error });
  }
  if (error.level === 'client-authentication') {
    return new NeError('NE_AUTHENTICATION_FAILED', neId, 'SSH authentication failed', { cause: error });
  }
  if (error.level === 'client-timeout') return new NeError('NE_TIMEOUT', neId, error.message, { cause: error });
  return new NeError('NE_CONNECTION_FAILED', neId, `SSH connection failed: ${error.message}`, { cause: error });
}

export async function openSshNetconfChannel(options: SshNetconfOptions): Promise<SshNetconfChannel> {
  const { neId } = options;
  if (options.hostKeys.length === 0) {
    // Refuse before any traffic: trust-on-first-use is not an option for a device we configure.
    throw new NeError('NE_HOST_KEY_MISMATCH', neId, 'no pinned SSH host key for this network element');
  }
  const socket = new Socket();
  socket.setNoDelay(true);
  socket.connect({ host: options.host, port: options.port });
  const ssh = new ssh2.Client();
  let hostKeyRejected = false;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Ssh2Error): void => {
      cleanup();
      socket.destroy();
      reject(translate(error, neId, hostKeyRejected));
    };
    const onClose = (): void => {
      cleanup();
      reject(new NeError('NE_CONNECTION_FAILED', neId, 'connection closed during SSH handshake'));
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      ssh.off('error', onError).off('close', onClose).off('ready', onReady);
    };
    ssh.on('error', onError).on('close', onClose).on('ready', onReady);
    ssh.connect({
      sock: socket,
      username: options.username,
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.privateKey !== undefined ? { privateKey: options.privateKey } : {}),
      ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
      hostVerifier: (key: Buffer): boolean => {
        const ok = hostKeyMatches(options.hostKeys, key);
        hostKeyRejected = !ok;
        return ok;
      },
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
    });
  });

  // Errors after the handshake are reported by the client through the channel's close.
  ssh.on('error', () => undefined);
  try {
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      const timer = setTimeout(() => reject(new NeError('NE_TIMEOUT', neId, 'no answer to the netconf subsystem request')), options.connectTimeoutMs);
      ssh.subsys('netconf', (error, stream) => {
        clearTimeout(timer);
        if (error) reject(new NeError('NE_UNSUPPORTED', neId, `netconf subsystem refused: ${error.message}`, { cause: error }));
        else resolve(stream);
      });
    });
    return { ssh, channel };
  } catch (error) {
    ssh.end();
    throw error;
  }
}
