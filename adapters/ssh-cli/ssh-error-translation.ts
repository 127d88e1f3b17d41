import type { ErrorCode } from '../../errors/error-codes.js';
import { NeError } from '../../errors/ne-error.js';
import type { NetworkElement } from '../network-element.js';
import { NotSshError } from '../ssh-connection.js';
import { MAX_BUFFERED_CHARS, ShellError } from './cli-shell.js';

/** The `when` of errors raised while the SSH connection is being set up. */
export const CONNECTING = 'while connecting';
// SSH_DISCONNECT_TOO_MANY_CONNECTIONS (RFC 4253 11.1), as ssh2 puts it in `code`.
const TOO_MANY_CONNECTIONS = 12;

/**
 * Parser rejections every Cisco-like CLI prints, IOS and FRR vtysh alike, checked whatever the
 * inventory's `ssh.errorPatterns` say: no device prints these for a command it took.
 * vtysh: `% Unknown command: x`, `% Command incomplete: x`, `% Ambiguous command: x`;
 * IOS: `% Invalid input detected at '^' marker.`, `% Incomplete command.`.
 */
export const PARSER_ERROR_PATTERNS: readonly RegExp[] = [/^% ?(?:Unknown command|Invalid input|Incomplete command|Command incomplete|Ambiguous command)[^\n]*/m];

/** Translates anything thrown below the adapter boundary (ssh2, sockets, the shell reader) into an NeError. */
export function toNeError(error: unknown, ne: NetworkElement, when: string, details: Record<string, unknown> = {}): NeError {
  if (error instanceof NeError) return error;
  const id = ne.id;
  if (error instanceof ShellError) {
    if (error.kind === 'timeout') return new NeError('NE_TIMEOUT', id, `no prompt within ${ne.commandTimeoutMs} ms ${when}${error.received ? ` (${error.received})` : ''}`, { details });
    if (error.kind === 'overflow') {
      return new NeError('NE_PROTOCOL_ERROR', id, `more than ${MAX_BUFFERED_CHARS} characters without a prompt ${when}`, { details });
    }
    return new NeError('NE_CONNECTION_FAILED', id, `the session dropped ${when}`, { cause: error.cause, details });
  }
  if (error instanceof NotSshError) return new NeError('NE_PROTOCOL_ERROR', id, `${error.message} ${when}`, { cause: error, details: { ...details, bytesReceived: error.bytesReceived } });
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
function classify({ message, code, level }: ErrorFacts, when: string, ne: NetworkElement): [ErrorCode, string] {
  if (level === 'client-authentication') return ['NE_AUTHENTICATION_FAILED', 'the device refused the credentials'];
  // ssh2 names the problem but never echoes key material in these messages.
  if (message.startsWith('Cannot parse privateKey') || message.includes('private key')) {
    return ['NE_AUTHENTICATION_FAILED', `the private key cannot be used (${message})`];
  }
  if (level === 'client-timeout' && when === CONNECTING) return ['NE_TIMEOUT', `no SSH handshake within ${ne.connectTimeoutMs} ms`];
  if (code === TOO_MANY_CONNECTIONS || message.startsWith('(SSH) Channel open failure')) {
    return ['NE_SESSION_LIMIT', `the device refused another session (${message})`];
  }
  if (message.startsWith('Handshake failed')) return ['NE_PROTOCOL_ERROR', `${message} (ssh.legacyAlgorithms allows older algorithms)`];
  // Refused, unreachable, reset, keepalive lost: worth another try later.
  return ['NE_CONNECTION_FAILED', `${message} ${when}`];
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
