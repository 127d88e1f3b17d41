import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which of `pids` owns the TCP socket bound to local port `port` (Linux: /proc/net/tcp{,6} give
 * the socket's inode, /proc/<pid>/fd the process holding it). A simulator sees a client's port;
 * this says which fleet process that client is, so a test can pause exactly the process that is
 * writing to the device.
 */
export function socketOwner(port: number, pids: number[]): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readOrEmpty(table).split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[9]) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  for (const pid of pids) {
    for (const fd of fdsOf(pid)) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function fdsOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // exited
  }
}
