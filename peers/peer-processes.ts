import { readFileSync } from 'node:fs';

/**
 * Whether a process runs: it exists and is not a zombie (a daemon that exited but whose parent
 * has not reaped it yet is gone for every purpose of a peer helper).
 */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Sends a signal; a process that has just ended is no error (two stops, or two sweeps, may race). */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}
