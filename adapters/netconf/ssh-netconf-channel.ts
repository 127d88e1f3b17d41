/**
 * Opens an SSH session and its `netconf` subsystem (RFC 6242). Every ssh2 or socket failure
 * leaves here as an NeError with the code the retry policy needs.
 */
import type { ClientChannel } from 'ssh2';
import { NeError } from '../../errors/index.js';
import { NotSshError, SshChannelTimeout, SshConnection } from '../ssh-connection.js';
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
  /** TCP connect plus SSH handshake and authentication; also bounds the netconf subsystem request. */
  connectTimeoutMs: number;
  /** How long closing waits for the server to hang up before the socket is destroyed. @defaultValue 5000 */
  closeTimeoutMs?: number;
  /** @defaultValue 15000 */
  keepaliveIntervalMs?: number;
  /** @defaultValue 3 */
  keepaliveCountMax?: number;
}

export interface SshNetconfChannel {
  connection: SshConnection;
  channel: ClientChannel;
}

interface Ssh2Error extends Error {
  level?: string;
  code?: string;
}

function translate(error: Ssh2Error, options: SshNetconfOptions, hostKeyRejected: boolean): NeError {
  const { neId } = options;
  if (hostKeyRejected) {
    return new NeError('NE_HOST_KEY_MISMATCH', neId, 'SSH host key is not one of the pinned keys', { cause: error });
  }
  if (error.level === 'client-authentication') {
    return new NeError('NE_AUTHENTICATION_FAILED', neId, 'SSH authentication failed', { cause: error });
  }
  if (error instanceof NotSshError) return new NeError('NE_PROTOCOL_ERROR', neId, error.message, { cause: error, details: { bytesReceived: error.bytesReceived } });
  if (error.level === 'client-timeout') {
    return new NeError('NE_TIMEOUT', neId, `no SSH handshake and login within ${options.connectTimeoutMs} ms (${error.message})`, { cause: error });
  }
  return new NeError('NE_CONNECTION_FAILED', neId, `SSH connection failed: ${error.message}`, { cause: error });
}

/** Connects, logs in and opens the netconf subsystem. On failure nothing is left open on either side. */
export async function openSshNetconfChannel(options: SshNetconfOptions): Promise<SshNetconfChannel> {
  const { neId } = options;
  if (options.hostKeys.length === 0) {
    // Refuse before any traffic: trust-on-first-use is not an option for a device we configure.
    throw new NeError('NE_HOST_KEY_MISMATCH', neId, 'no pinned SSH host key for this network element');
  }
  let hostKeyRejected = false;
  let connection: SshConnection;
  try {
    connection = await SshConnection.open({
      host: options.host,
      port: options.port,
      connectTimeoutMs: options.connectTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs ?? 5000,
      ...(options.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: options.keepaliveIntervalMs } : {}),
      ...(options.keepaliveCountMax !== undefined ? { keepaliveCountMax: options.keepaliveCountMax } : {}),
      login: {
        username: options.username,
        ...(options.password !== undefined ? { password: options.password } : {}),
        ...(options.privateKey !== undefined ? { privateKey: options.privateKey } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        hostVerifier: (key: Buffer): boolean => {
          const ok = hostKeyMatches(options.hostKeys, key);
          hostKeyRejected = !ok;
          return ok;
        },
      },
    });
  } catch (error) {
    throw translate(error as Ssh2Error, options, hostKeyRejected);
  }
  try {
    const channel = await connection.openChannel((callback) => connection.client.subsys('netconf', callback), options.connectTimeoutMs);
    return { connection, channel };
  } catch (error) {
    const lost = connection.lost;
    await connection.close();
    if (error instanceof SshChannelTimeout) throw new NeError('NE_TIMEOUT', neId, `no answer to the netconf subsystem request within ${error.timeoutMs} ms`);
    if (lost) throw translate(lost, options, false);
    throw new NeError('NE_UNSUPPORTED', neId, `netconf subsystem refused: ${(error as Error).message}`, { cause: error });
  }
}
