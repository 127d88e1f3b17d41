import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ESCAPED_ERROR_MESSAGE } from '../../observability/escaped-error-guard.js';
import { EscapedErrorTally } from '../chaos/escaped-errors.js';

interface LogLine {
  msg?: string;
  level?: number;
  kind?: string;
  err?: { message?: string; stack?: string };
  metric?: string;
}

function runChild(tally?: EscapedErrorTally): Promise<{ code: number | null; lines: LogLine[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/escaped-error-child.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    tally?.watch(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, lines: stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine) }));
  });
}

describe('the escaped-error guard', () => {
  it('logs an uncaught exception and an unhandled rejection with their stacks, counts both, and the process keeps serving', async () => {
    const { code, lines, stderr } = await runChild();
    expect(stderr).toBe('');
    const escaped = lines.filter((l) => l.msg === ESCAPED_ERROR_MESSAGE);
    expect(escaped.map((l) => [l.kind, l.level, l.err?.message])).toEqual([
      ['uncaughtException', 50, 'a listener that throws'],
      ['unhandledRejection', 50, 'a promise nobody awaits'],
    ]);
    expect(escaped.every((l) => l.err?.stack?.includes('escaped-error-child'))).toBe(true);
    // After both, the process still ran its timers and its metrics show the count.
    expect(lines.at(-1)).toEqual({ msg: 'still serving', metric: 'activation_escaped_errors_total 2' });
    expect(code).toBe(0);
  });

  it("is seen by the chaos suite's tally in a child's log, which then fails the run", async () => {
    const tally = new EscapedErrorTally();
    await runChild(tally);
    expect(tally.count).toBe(2);
    expect(() => tally.assertNone()).toThrow(/2 error\(s\) escaped every handler.*uncaughtException: a listener that throws.*unhandledRejection: a promise nobody awaits/);
  });
});
