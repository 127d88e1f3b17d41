/**
 * The last line of defence of a fleet process. An error that escapes every handler (an
 * 'uncaughtException', an 'unhandledRejection') is a bug in the fleet, never a device's or a
 * caller's fault: those are translated where they happen. Node's default is to end the process,
 * which takes every job in flight on every NE down with it (a hung device once cost 53 of 123
 * API calls that way). The guard logs the error at error level with the `err` key, counts it in
 * `activation_escaped_errors_total` (alert on any increase), and lets the process go on serving;
 * the test harnesses fail when the count moves.
 *
 * One set of process listeners, however many fleet processes run in this OS process (tests start
 * several): each installation adds its logger, and the listeners go when the last one leaves.
 */
import type { Logger } from 'pino';

/** The `msg` of the guard's log line: harnesses look for it in a child's log. */
export const ESCAPED_ERROR_MESSAGE = 'escaped error: a bug in the fleet, logged and counted; the process keeps serving';

export type EscapedErrorKind = 'uncaughtException' | 'unhandledRejection';

export interface EscapedError {
  kind: EscapedErrorKind;
  error: unknown;
  at: Date;
}

/** Kept for a failing test's message; the count is what matters. */
const RECENT_KEPT = 20;

const loggers = new Set<Logger>();
const recent: EscapedError[] = [];
let count = 0;

function report(kind: EscapedErrorKind, error: unknown): void {
  count += 1;
  recent.push({ kind, error, at: new Date() });
  if (recent.length > RECENT_KEPT) recent.shift();
  for (const log of loggers) {
    try {
      log.error({ err: error, kind }, ESCAPED_ERROR_MESSAGE);
    } catch {
      // A logger that throws must not turn the guard into a second escape.
    }
  }
  if (loggers.size === 0) process.stderr.write(`${ESCAPED_ERROR_MESSAGE} (${kind}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

const onUncaught = (error: Error): void => report('uncaughtException', error);
const onRejection = (reason: unknown): void => report('unhandledRejection', reason);

export interface EscapedErrorGuard {
  /** Removes this installation's logger; the process listeners go with the last one. Idempotent. */
  uninstall(): void;
}

/** Installs the guard for a fleet process (once per process: later calls only add their logger). */
export function installEscapedErrorGuard(log: Logger): EscapedErrorGuard {
  if (loggers.size === 0) {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onRejection);
  }
  loggers.add(log);
  let installed = true;
  return {
    uninstall() {
      if (!installed) return;
      installed = false;
      loggers.delete(log);
      if (loggers.size === 0) {
        process.off('uncaughtException', onUncaught);
        process.off('unhandledRejection', onRejection);
      }
    },
  };
}

/** Errors that escaped in this OS process while a guard was installed. */
export function escapedErrorCount(): number {
  return count;
}

/** The last few escaped errors, newest last. */
export function recentEscapedErrors(): readonly EscapedError[] {
  return [...recent];
}
