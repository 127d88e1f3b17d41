/**
 * The SSH transport of every SSH driver (CLI and NETCONF): the connection (TCP_NODELAY,
 * keepalives, bounded waits: ssh-connection.ts), the pinned host key, the login, and one
 * translation of whatever ssh2 or the socket throws into an NeError. A driver adds its channel
 * (a shell, a subsystem) and what it speaks over it.
 */
import type { ErrorCode } from '../errors/error-codes.js';
import { NeError } from '../errors/ne-error.js';
import { algorithmsFor, hostKeyMismatch, parsePinnedKeys } from './ssh-host-keys.js';
import { NotSshError, SshChannelTimeout, SshConnection } from './ssh-connection.js';

/** The `when` of errors raised while the SSH connection is being set up. */
export const CONNECTING = 'while connecting';
// SSH_DISCONNECT_TOO_MANY_CONNECTIONS (RFC 4253 11.1), as ssh2 puts it in `code`.
const TOO_MANY_CONNECTIONS = 12;

export interface SshTransportOptions {
  neId: string;
  host: string;
  port: number;
  username: string;
  password?: string | undefined;
  privateKey?: string | undefined;
  passphrase?: string | undefined;
  /** Pinned OpenSSH public-key lines; with none, the connection is refused before any traffic. */
  hostKeys: readonly string[];
  /** Also offer SHA-1 key exchange, CBC ciphers and legacy host key types. @defaultValue false */
  legacyAlgorithms?: boolean;
  /** TCP connect, SSH handshake and login together. */
  connectTimeoutMs: number;
  /** How long closing waits for the device to hang up before the socket is destroyed. */
  closeTimeoutMs: number;
  /** @defaultValue 15000 */
  keepaliveIntervalMs?: number;
  /** @defaultValue 3 */
  keepaliveCountMax?: number;
}

/** Connects and logs in. Every failure is an NeError, and leaves nothing open on either side. */
export async function openSshTransport(options: SshTransportOptions): Promise<SshConnection> {
  const { neId, password } = options;
  const pinned = parsePinnedKeys(options.hostKeys);
  if (pinned.length === 0) {
    // Refuse before any traffic: trust-on-first-use is not an option for a device we configure.
    throw new NeError('NE_HOST_KEY_MISMATCH', neId, 'no pinned SSH host key for this network element (ssh.hostKeys)');
  }
  let refusedKey: Buffer | undefined;
  try {
    return await SshConnection.open({
      host: options.host,
      port: options.port,
      connectTimeoutMs: options.connectTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs,
      ...(options.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: options.keepaliveIntervalMs } : {}),
      ...(options.keepaliveCountMax !== undefined ? { keepaliveCountMax: options.keepaliveCountMax } : {}),
      login: {
        username: options.username,
        ...(password !== undefined ? { password, tryKeyboard: true } : {}),
        ...(options.privateKey !== undefined ? { privateKey: options.privateKey } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        algorithms: algorithmsFor(pinned, options.legacyAlgorithms ?? false),
        // Only a pinned key will do.
        hostVerifier: (presented: Buffer): boolean => {
          const known = pinned.some((key) => key.blob.equals(presented));
          if (!known) refusedKey = presented;
          return known;
        },
      },
      // Keyboard-interactive is how many devices ask for the password: answer each prompt with it.
      ...(password !== undefined ? { keyboardInteractive: (prompts) => prompts.map(() => password) } : {}),
    });
  } catch (error) {
    throw refusedKey ? hostKeyMismatch(neId, refusedKey) : translateSshError(error, options, CONNECTING);
  }
}

/** What the translation needs to know of the NE. */
export interface SshErrorContext {
  neId: string;
  connectTimeoutMs: number;
}

/** Translates anything ssh2 or the socket threw (`when`: `while connecting`, `after "show run"`...) into an NeError. */
export function translateSshError(error: unknown, ne: SshErrorContext, when: string, details: Record<string, unknown> = {}): NeError {
  if (error instanceof NeError) return error;
  const id = ne.neId;
  if (error instanceof NotSshError) return new NeError('NE_PROTOCOL_ERROR', id, `${error.message} ${when}`, { cause: error, details: { ...details, bytesReceived: error.bytesReceived } });
  if (error instanceof SshChannelTimeout) return new NeError('NE_TIMEOUT', id, `${error.message} ${when}`, { cause: error, details });
  const facts = errorFacts(error);
  const [code, text] = classify(facts, when, ne);
  const cause = facts.code === undefined ? {} : { cause: facts.code };
  return new NeError(code, id, text, { cause: error, details: { ...details, ...cause } });
}

interface ErrorFacts {
  message: string;
  /** errno name (`ECONNREFUSED`) or SSH disconnect reason. */
  code: string | number | undefined;
  /** Where ssh2 saw the error: `client-authentication`, `client-timeout`, `client-socket`, `handshake`... */
  level: string | undefined;
}

/** The fleet error code and message for an ssh2 or socket error. */
function classify({ message, code, level }: ErrorFacts, when: string, ne: SshErrorContext): [ErrorCode, string] {
  if (level === 'client-authentication') return ['NE_AUTHENTICATION_FAILED', 'the device refused the credentials'];
  // ssh2 names the problem but never echoes key material in these messages.
  if (message.startsWith('Cannot parse privateKey') || message.includes('private key')) {
    return ['NE_AUTHENTICATION_FAILED', `the private key cannot be used (${message})`];
  }
  if (level === 'client-timeout' && when === CONNECTING) return ['NE_TIMEOUT', `no SSH handshake and login within ${ne.connectTimeoutMs} ms`];
  if (code === TOO_MANY_CONNECTIONS || message.startsWith('(SSH) Channel open failure')) {
    return ['NE_SESSION_LIMIT', `the device refused another session (${message})`];
  }
  if (message.startsWith('Handshake failed')) return ['NE_PROTOCOL_ERROR', `${message} (ssh.legacyAlgorithms allows older algorithms)`];
  // Refused, unreachable, reset, keepalive lost: worth another try later.
  return ['NE_CONNECTION_FAILED', `SSH connection failed: ${message} ${when}`];
}

function errorFacts(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) return { message: String(error), code: undefined, level: undefined };
  const fields = error as Error & { code?: unknown; level?: unknown };
  return {
    message: error.message,
    code: typeof fields.code === 'string' || typeof fields.code === 'number' ? fields.code : undefined,
    level: typeof fields.level === 'string' ? fields.level : undefined,
  };
}
