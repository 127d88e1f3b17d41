import type { ChildProcess } from 'node:child_process';
import { ESCAPED_ERROR_MESSAGE, escapedErrorCount } from '../../observability/escaped-error-guard.js';

/**
 * Counts the errors that escaped every handler in fleet processes: in child processes from the
 * escaped-error guard's log line on their stdout (pino JSON; the guard logs at error level, so
 * LOG_LEVEL=error keeps it), and in this process from the guard's own count. With the guard in
 * place an escaped error no longer crashes a worker, so the crash count alone cannot see it.
 */
export class EscapedErrorTally {
  private readonly escaped: string[] = [];
  private readonly inProcessBefore = escapedErrorCount();

  /** Reads a child's stdout (spawned with `stdio: ['ignore', 'pipe', ...]`) to its end. */
  watch(child: ChildProcess): void {
    const stdout = child.stdout;
    if (!stdout) throw new Error('watch() needs the child spawned with stdout piped');
    let partial = '';
    stdout.setEncoding('utf8');
    stdout.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.read(line, child.pid);
    });
    stdout.on('end', () => this.read(partial, child.pid));
  }

  /** Escaped errors in the watched children and in this process so far. */
  get count(): number {
    return this.escaped.length + escapedErrorCount() - this.inProcessBefore;
  }

  /** Throws, naming each one, if any error escaped. */
  assertNone(): void {
    const inProcess = escapedErrorCount() - this.inProcessBefore;
    if (this.escaped.length === 0 && inProcess === 0) return;
    throw new Error(`${this.count} error(s) escaped every handler (activation_escaped_errors_total moved): ${[...this.escaped, ...(inProcess > 0 ? [`${inProcess} in this process`] : [])].join('; ')}`);
  }

  private read(line: string, pid: number | undefined): void {
    if (!line.includes(ESCAPED_ERROR_MESSAGE)) return;
    try {
      const entry = JSON.parse(line) as { msg?: string; kind?: string; err?: { message?: string } };
      if (entry.msg === ESCAPED_ERROR_MESSAGE) this.escaped.push(`pid ${pid ?? '?'} ${entry.kind ?? ''}: ${entry.err?.message ?? ''}`);
    } catch {
      this.escaped.push(`pid ${pid ?? '?'}: ${line.slice(0, 200)}`);
    }
  }
}
