import { NeError, type ErrorCode } from '../../errors/index.js';

/** The longest device text an error message carries. */
const MAX_ERROR_TEXT = 600;

/** One `error` of an RFC 8040 `ietf-restconf:errors` body (7.1). */
export interface RestconfErrorFields {
  errorType?: string;
  errorTag?: string;
  errorAppTag?: string;
  errorPath?: string;
  errorMessage?: string;
}

/** Error tags that another attempt later can get past: someone else holds or uses the data (RFC 8040 7). */
const TRANSIENT_TAGS = new Set(['in-use', 'lock-denied', 'resource-denied']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The errors a body holds, whether an `ietf-restconf:errors` body or a YANG Patch status (RFC 8072 2.3). */
export function parseErrors(body: string): RestconfErrorFields[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const found: RestconfErrorFields[] = [];
  const collect = (errors: unknown): void => {
    const list = (errors as { error?: unknown } | undefined)?.error;
    if (!Array.isArray(list)) return;
    for (const e of list as Array<Record<string, unknown>>) {
      found.push({
        errorType: text(e['error-type']),
        errorTag: text(e['error-tag']),
        errorAppTag: text(e['error-app-tag']),
        errorPath: text(e['error-path']),
        errorMessage: text(e['error-message']),
      });
    }
  };
  const root = parsed as Record<string, unknown> | null;
  collect(root?.['ietf-restconf:errors']);
  const status = root?.['ietf-yang-patch:yang-patch-status'] as { errors?: unknown; edit?: Array<{ errors?: unknown }> } | undefined;
  collect(status?.errors);
  for (const edit of status?.edit ?? []) collect(edit.errors);
  return found;
}

function describe(errors: RestconfErrorFields[], body: string): string {
  const words = errors.length
    ? errors.map((e) => `${e.errorTag ?? 'error'}${e.errorPath ? ` at ${e.errorPath}` : ''}${e.errorMessage ? `: ${e.errorMessage}` : ''}`).join('; ')
    : body.replace(/\s+/g, ' ').trim();
  return words.length > MAX_ERROR_TEXT ? `${words.slice(0, MAX_ERROR_TEXT)}...` : words;
}

/**
 * What an HTTP status means to the retry policy. `write` is whether the request changes the
 * device: a 404 on a read is an answer (the resource is absent), not an error, and is never
 * passed here.
 *
 * | status | code | transient |
 * |---|---|---|
 * | 400, 404 (write), 413 | NE_COMMAND_REJECTED | no |
 * | 401, 403 | NE_AUTHENTICATION_FAILED | no |
 * | 405, 406, 415, 501 | NE_UNSUPPORTED | no |
 * | 409 in-use, lock-denied, resource-denied | NE_LOCKED | yes |
 * | 409 other (data-exists, data-missing, ...) | NE_COMMAND_REJECTED | no |
 * | 412 (the resource changed since it was read) | NE_COMMAND_REJECTED | yes: a retry reads it again |
 * | 429, 503 | NE_SESSION_LIMIT | yes |
 * | other 5xx | NE_COMMAND_REJECTED | yes |
 */
export function translateStatus(neId: string, where: string, status: number, body: string): NeError {
  const errors = parseErrors(body);
  const words = describe(errors, body);
  const reject = (code: ErrorCode, transient?: boolean): NeError =>
    new NeError(code, neId, `${where}: HTTP ${status}${words ? ` ${words}` : ''}`, {
      ...(transient !== undefined ? { transient } : {}),
      // A refused request changed nothing (RFC 8040 and 8072 apply a request all or nothing);
      // a server that failed may not know itself.
      details: { httpStatus: status, applied: status >= 500 ? 'unknown' : 'none', restconfErrors: errors.slice(0, 8) },
    });
  if (status === 401 || status === 403) return reject('NE_AUTHENTICATION_FAILED');
  if (status === 409) return errors.length > 0 && errors.every((e) => TRANSIENT_TAGS.has(e.errorTag ?? '')) ? reject('NE_LOCKED') : reject('NE_COMMAND_REJECTED');
  if (status === 412) return reject('NE_COMMAND_REJECTED', true);
  if ([405, 406, 415, 501].includes(status)) return reject('NE_UNSUPPORTED');
  if (status === 429 || status === 503) return reject('NE_SESSION_LIMIT');
  if (status >= 500) return reject('NE_COMMAND_REJECTED', true);
  return reject('NE_COMMAND_REJECTED');
}
