// Fails when the top-level folders (orders/, catalog/, adapters/, ...) import each other in a cycle.
// eslint's no-restricted-imports can ban one arrow but cannot see a cycle that spans several files,
// and dependency-cruiser's folder scope works on every nested folder (api/http vs api/routes), not on
// the layers we mean; the TypeScript compiler we already depend on lists each file's imports, and the
// rest is 60 lines. Run by `npm run lint`, so CI runs it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Arrows that close a cycle and are known, each with the reason it is left: they are skipped, so
 * any other cycle fails. None today; remove a line when its arrow is gone (the check says so).
 * runtime/ is the top layer (the process wiring): eslint.config.js bans importing it from below.
 */
const PENDING_ARROWS = new Map([]);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const skipped = new Set(['node_modules', 'dist', 'dist-bench', 'coverage', '.git', '.ci']);

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!skipped.has(name)) yield* sourceFiles(path);
    } else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

// The top-level folder a path lies in; files at the root (vitest configs) belong to no layer.
const folderOf = (path) => {
  const parts = relative(root, path).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
};

/** folder -> folder -> one importing file, kept as the example a failure message names. */
const arrows = new Map();
const seenPending = new Set();
for (const file of sourceFiles(root)) {
  const from = folderOf(file);
  if (from === undefined) continue;
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const to = folderOf(resolve(dirname(file), fileName));
    if (to === undefined || to === from) continue;
    if (PENDING_ARROWS.has(`${from}/${to}`)) {
      seenPending.add(`${from}/${to}`);
      continue;
    }
    if (!arrows.has(from)) arrows.set(from, new Map());
    if (!arrows.get(from).has(to)) arrows.get(from).set(to, `${relative(root, file)} -> ${fileName}`);
  }
}

// Tarjan's strongly connected components: every component of more than one folder holds a cycle.
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
const visit = (folder) => {
  index.set(folder, index.size);
  low.set(folder, index.get(folder));
  stack.push(folder);
  onStack.add(folder);
  for (const next of arrows.get(folder)?.keys() ?? []) {
    if (!index.has(next)) {
      visit(next);
      low.set(folder, Math.min(low.get(folder), low.get(next)));
    } else if (onStack.has(next)) {
      low.set(folder, Math.min(low.get(folder), index.get(next)));
    }
  }
  if (low.get(folder) === index.get(folder)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== folder);
    if (component.length > 1) cycles.push(component);
  }
};
for (const folder of arrows.keys()) if (!index.has(folder)) visit(folder);

if (process.argv.includes('--print')) {
  for (const [from, tos] of [...arrows].sort()) console.log(`${from}/ -> ${[...tos.keys()].sort().join(', ')}`);
}

for (const arrow of PENDING_ARROWS.keys()) {
  if (!seenPending.has(arrow)) console.warn(`check-folder-cycles: ${arrow.replace('/', '/ -> ')}/ is gone: remove it from PENDING_ARROWS`);
}

/** The shortest cycle through the component's folders, as the list of folders along it. */
const shortestCycle = (members) => {
  let best;
  for (const start of members) {
    // Breadth-first from start, inside the component, until an arrow leads back to start.
    const previous = new Map([[start, undefined]]);
    const queue = [start];
    while (queue.length > 0) {
      const folder = queue.shift();
      for (const next of arrows.get(folder)?.keys() ?? []) {
        if (!members.has(next)) continue;
        if (next === start) {
          const path = [];
          for (let at = folder; at !== undefined; at = previous.get(at)) path.unshift(at);
          if (!best || path.length < best.length) best = path;
          queue.length = 0;
          break;
        }
        if (!previous.has(next)) {
          previous.set(next, folder);
          queue.push(next);
        }
      }
    }
  }
  return best;
};

if (cycles.length > 0) {
  for (const component of cycles) {
    const members = new Set(component);
    const cycle = shortestCycle(members);
    console.error(`folder-level import cycle: ${[...cycle, cycle[0]].map((f) => `${f}/`).join(' -> ')}`);
    cycle.forEach((from, i) => console.error(`  ${from}/ -> ${cycle[(i + 1) % cycle.length]}/  (e.g. ${arrows.get(from).get(cycle[(i + 1) % cycle.length])})`));
    if (members.size > cycle.length) console.error(`  (the cycle joins ${[...members].sort().join(', ')})`);
  }
  process.exit(1);
}
