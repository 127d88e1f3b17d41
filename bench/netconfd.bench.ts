/**
 * Throughput of our NETCONF client and adapter against the real yuma123 netconfd on loopback:
 * configuration changes per second over one session, and new sessions (SSH handshake, login,
 * hello exchange, close-session) per second. Run as root: `npx tsx bench/netconfd.bench.ts`.
 * Not a test: it asserts nothing about timing. Do not run it while the netconfd peer tests run
 * (both set the password of the same local account).
 */
import { NetconfAdapter } from '../adapters/netconf/netconf-adapter.js';
import { networkElementSchema } from '../inventory/network-element.js';
import { startNetconfdPeer, type NetconfdPeer } from '../peers/netconfd-peer.js';

const IF_NS = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const IANAIFT_NS = 'urn:ietf:params:xml:ns:yang:iana-if-type';
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);

interface Result {
  name: string;
  ops: number;
  seconds: number;
  latenciesMs: number[];
}

const interfaceConfig = (name: string, description: string): string =>
  `<interfaces xmlns="${IF_NS}"><interface><name>${name}</name><type xmlns:ianaift="${IANAIFT_NS}">ianaift:ethernetCsmacd</type>` +
  `<description>${description}</description><enabled>true</enabled></interface></interfaces>`;

/** Runs `op` back to back (or `concurrency` loops of it) for `DURATION_MS`, after a short warm-up. */
async function measure(name: string, op: (i: number) => Promise<void>, concurrency = 1): Promise<Result> {
  for (let i = 0; i < 3; i++) await op(-1 - i);
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  return { name, ops: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function printTable(results: Result[]): void {
  const rows = results.map((r) => {
    const sorted = [...r.latenciesMs].sort((a, b) => a - b);
    return [r.name, String(r.ops), r.seconds.toFixed(1), (r.ops / r.seconds).toFixed(1), percentile(sorted, 50).toFixed(1), percentile(sorted, 95).toFixed(1)];
  });
  const header = ['measurement', 'ops', 's', 'ops/s', 'p50 ms', 'p95 ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  let peer: NetconfdPeer | undefined;
  try {
    peer = await startNetconfdPeer({ instance: 'netconfd-bench', logLevel: 'warn' });
    const started = peer;
    const results: Result[] = [];

    // Raw client: edit-config on the candidate and commit, nothing else.
    const client = await started.connect();
    results.push(
      await measure('edit-config + commit (client, 1 session)', async (i) => {
        await client.editConfig({ target: 'candidate', configXml: interfaceConfig('bench0', `raw change ${i}`) });
        await client.commit();
      }),
    );
    await client.closeSession();

    // The adapter's full discipline: lock running and candidate, discard, edit, commit, unlock both.
    const adapter = new NetconfAdapter(networkElementSchema.parse(started.ne), started.credentials);
    results.push(
      await measure('adapter apply: 7 RPCs (1 session)', (i) => adapter.apply({ protocol: 'netconf', configXml: interfaceConfig('bench1', `adapter change ${i}`) })),
    );
    const filterXml = `<interfaces xmlns="${IF_NS}"><interface><name>bench1</name></interface></interfaces>`;
    results.push(
      await measure('get-config, filtered (1 session)', async () => {
        await adapter.verify({ protocol: 'netconf', filterXml, contains: ['bench1'] });
      }),
    );
    await adapter.close();

    const newSession = async (): Promise<void> => {
      const session = await started.connect();
      await session.closeSession();
    };
    results.push(await measure('new session: ssh + hello + close', newSession));
    results.push(await measure('new session, 4 in parallel', newSession, 4));

    console.log(`\nyuma123 netconfd on 127.0.0.1:${started.port}, behind OpenSSH; ${DURATION_MS / 1000} s per measurement\n`);
    printTable(results);
  } finally {
    await peer?.stop();
  }
}

await main();
