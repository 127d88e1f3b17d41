/**
 * How fast the SSH CLI adapter drives real FRRouting vtysh behind real OpenSSH on loopback:
 * commands per second over one pooled session, and new sessions per second. Not a test: it
 * prints numbers and asserts nothing. Needs root and the packages of peers/install-peers.sh.
 *
 *   npx tsx bench/frr-cli.bench.ts
 */
import { createAdapterFactory } from '../adapters/adapter-factory.js';
import { AdapterPool } from '../adapters/adapter-pool.js';
import type { AuditEntry, OperationContext } from '../adapters/audit.js';
import { SshCliAdapter } from '../adapters/ssh-cli/ssh-cli-adapter.js';
import { networkElementSchema } from '../inventory/network-element.js';
import { startFrrPeer } from '../peers/frr-peer.js';

const NEIGHBOR = '192.0.2.99';
const BULK_LINES = 200;
const SMALL_APPLIES = 50;
const VERIFIES = 50;
const SESSIONS = 20;

interface Row {
  scenario: string;
  operations: number;
  commands: number;
  seconds: number;
}

/** Counts what the adapter sent, from its own audit trail. */
function counter(): { ctx: OperationContext; commands: () => number } {
  const entries: AuditEntry[] = [];
  return { ctx: { audit: (entry) => entries.push(entry) }, commands: () => entries.filter((e) => e.operation === 'cli-command').length };
}

async function timed(scenario: string, operations: number, work: (ctx: OperationContext) => Promise<void>): Promise<Row> {
  const { ctx, commands } = counter();
  const started = performance.now();
  await work(ctx);
  return { scenario, operations, commands: commands(), seconds: (performance.now() - started) / 1000 };
}

function print(rows: Row[]): void {
  const header = ['scenario', 'ops', 'commands', 'seconds', 'ops/s', 'commands/s'];
  const table = rows.map((r) => [r.scenario, String(r.operations), String(r.commands), r.seconds.toFixed(3), (r.operations / r.seconds).toFixed(1), (r.commands / r.seconds).toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
}

const peer = await startFrrPeer();
try {
  const ne = networkElementSchema.parse({ ...peer.ne, maxSessions: 1 });
  const pool = new AdapterPool(createAdapterFactory(() => peer.credentials));
  const rows: Row[] = [];
  // Warm up: the session opens here, so the rows below measure commands on an open session.
  await pool.withAdapter(ne, (adapter) => adapter.apply({ protocol: 'ssh-cli', lines: ['router bgp 65001', `neighbor ${NEIGHBOR} remote-as 65099`, 'exit'] }));

  rows.push(
    await timed(`1 apply of ${BULK_LINES} description lines`, 1, (ctx) =>
      pool.withAdapter(ne, (adapter) =>
        adapter.apply({ protocol: 'ssh-cli', lines: ['router bgp 65001', ...Array.from({ length: BULK_LINES }, (_, i) => `neighbor ${NEIGHBOR} description bulk-${i}`), 'exit'] }, ctx),
      ),
    ),
  );
  rows.push(
    await timed(`${SMALL_APPLIES} small applies, one session`, SMALL_APPLIES, async (ctx) => {
      for (let i = 0; i < SMALL_APPLIES; i += 1) {
        await pool.withAdapter(ne, (adapter) => adapter.apply({ protocol: 'ssh-cli', lines: ['router bgp 65001', `neighbor ${NEIGHBOR} description small-${i}`, 'exit'] }, ctx));
      }
    }),
  );
  rows.push(
    await timed(`${VERIFIES} show running-config`, VERIFIES, async (ctx) => {
      for (let i = 0; i < VERIFIES; i += 1) {
        await pool.withAdapter(ne, (adapter) => adapter.verify({ protocol: 'ssh-cli', command: 'show running-config', contains: NEIGHBOR }, ctx));
      }
    }),
  );
  await pool.withAdapter(ne, (adapter) => adapter.apply({ protocol: 'ssh-cli', lines: ['router bgp 65001', `no neighbor ${NEIGHBOR}`, 'exit'] }));
  await pool.close();

  rows.push(
    await timed(`${SESSIONS} sessions opened and closed`, SESSIONS, async (ctx) => {
      for (let i = 0; i < SESSIONS; i += 1) {
        const adapter = new SshCliAdapter(ne, peer.credentials);
        // One command per session, so the login, the prompt and the paging command all count.
        await adapter.verify({ protocol: 'ssh-cli', command: 'show version', contains: 'FRRouting' }, ctx);
        await adapter.close();
      }
    }),
  );

  console.log(`SSH CLI adapter -> OpenSSH ${peer.ne.host}:${peer.ne.port} -> vtysh (FRRouting), Node ${process.version}`);
  print(rows);
  console.log('commands include `configure terminal`, `end`, and per new session `terminal length 0`.');
} finally {
  await peer.stop();
}
