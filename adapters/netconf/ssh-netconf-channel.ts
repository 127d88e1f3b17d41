/**
 * Opens the SSH transport and its `netconf` subsystem (RFC 6242). Every ssh2 or socket failure
 * leaves here as an NeError with the code the retry policy needs.
 */
import type { ClientChannel } from 'ssh2';
import { NeError } from '../../errors/index.js';
import type { SshConnection } from '../ssh-connection.js';
import { openSshTransport, translateSshError, type SshTransportOptions } from '../ssh-transport.js';

export interface SshNetconfOptions extends Omit<SshTransportOptions, 'closeTimeoutMs'> {
  /** How long closing waits for the server to hang up before the socket is destroyed. @defaultValue 5000 */
  closeTimeoutMs?: number;
}

export interface SshNetconfChannel {
  connection: SshConnection;
  channel: ClientChannel;
}

const OPENING_SUBSYSTEM = 'while opening the netconf subsystem';

/** Connects, logs in and opens the netconf subsystem. On failure nothing is left open on either side. */
export async function openSshNetconfChannel(options: SshNetconfOptions): Promise<SshNetconfChannel> {
  const connection = await openSshTransport({ ...options, closeTimeoutMs: options.closeTimeoutMs ?? 5000 });
  try {
    // The connect timeout also bounds the subsystem request: it is part of getting a session.
    const channel = await connection.openChannel((callback) => connection.client.subsys('netconf', callback), options.connectTimeoutMs);
    return { connection, channel };
  } catch (error) {
    const lost = connection.lost;
    await connection.close();
    if (lost) throw translateSshError(lost, options, OPENING_SUBSYSTEM);
    const neError = translateSshError(error, options, OPENING_SUBSYSTEM);
    // A plain refusal of the subsystem: the server does not do NETCONF.
    if (neError.code === 'NE_CONNECTION_FAILED') throw new NeError('NE_UNSUPPORTED', options.neId, `netconf subsystem refused: ${(error as Error).message}`, { cause: error });
    throw neError;
  }
}
