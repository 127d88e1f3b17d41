import { NeError } from '../../errors/ne-error.js';
import type { NetworkElement } from '../network-element.js';
import { translateSshError } from '../ssh-transport.js';
import { MAX_BUFFERED_CHARS, ShellError } from './cli-shell.js';

/**
 * Parser rejections every Cisco-like CLI prints, IOS and FRR vtysh alike, checked whatever the
 * inventory's `ssh.errorPatterns` say: no device prints these for a command it took.
 * vtysh: `% Unknown command: x`, `% Command incomplete: x`, `% Ambiguous command: x`;
 * IOS: `% Invalid input detected at '^' marker.`, `% Incomplete command.`.
 */
export const PARSER_ERROR_PATTERNS: readonly RegExp[] = [/^% ?(?:Unknown command|Invalid input|Incomplete command|Command incomplete|Ambiguous command)[^\n]*/m];

/** Translates the shell reader's failures into an NeError; the rest is the SSH transport's. */
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
  return translateSshError(error, { neId: id, connectTimeoutMs: ne.connectTimeoutMs }, when, details);
}
