/**
 * Where a bench run spent its CPU, from V8 profiles: `node --cpu-prof` writes one .cpuprofile
 * per process (the bench and its worker processes alike). Each sample is charged to the first
 * frame of this repository found walking up from the leaf, so JSON, Lua calls, socket writes
 * and library code count for the product code that asked for them.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run.ts --quick --only 1
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
 */
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The repository-relative path of a frame's file, or undefined for libraries, Node and V8. */
function productFile(url: string): string | undefined {
  // The bench's round-trip counter wraps every ioredis call: charge through it to its caller.
  if (!url || url.includes('node_modules') || url.startsWith('node:') || url.includes('round-trips')) return undefined;
  const match = /(?:^|\/)((?:adapters|api|catalog|inventory|observability|orders|queues|runtime|workers|bench|test)\/[^?]+)/.exec(url);
  return match?.[1];
}

function library(url: string): string {
  if (!url) return '(V8: GC, idle, natives)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return `npm:${match[1]}`;
  return url.startsWith('node:') ? 'node internals' : url;
}

export async function summarize(paths: string[], top = 25): Promise<string> {
  const byProduct = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const path of paths) {
    const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // The nearest repository frame at or above a node: [file, function], or undefined.
    const found = new Map<number, [string, string] | null>();
    const productFrame = (id: number): [string, string] | undefined => {
      const cached = found.get(id);
      if (cached !== undefined) return cached ?? undefined;
      const frame = (nodes.get(id) as ProfileNode).callFrame;
      const file = productFile(frame.url);
      const up = parent.get(id);
      const result: [string, string] | undefined = file ? [file, frame.functionName || '(anonymous)'] : up === undefined ? undefined : productFrame(up);
      found.set(id, result ?? null);
      return result;
    };
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0;
      const frame = (nodes.get(id) as ProfileNode).callFrame;
      if (frame.functionName === '(idle)') {
        idle += us;
        return;
      }
      total += us;
      // No repository frame on the stack (GC, socket reads, parsing replies): charge the leaf's library.
      const [file, fn] = productFrame(id) ?? [library(frame.url), ''];
      const where = fn ? `${file} ${fn}` : file;
      byProduct.set(where, (byProduct.get(where) ?? 0) + us);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
    });
  }
  const list = (m: Map<string, number>): string =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`)
      .join('\n');
  return [
    `busy CPU ${(total / 1e6).toFixed(1)} s (idle ${(idle / 1e6).toFixed(1)} s) over ${paths.length} profile(s)`,
    '',
    'by file (library, GC and Node time charged to the repository code that called it):',
    list(byFile),
    '',
    'by function:',
    list(byProduct),
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    console.error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile...');
    process.exit(2);
  }
  console.log(await summarize(paths));
}
