#!/usr/bin/env node
// Runs the compiled build in dist/ (`npm run build`) when it is there and not older than the
// sources; otherwise the TypeScript sources through tsx, as in a checkout being worked on (a
// stale dist/ never runs in place of an edited source). ACTIVATION_FLEET_BUILD=dist or =source
// forces one. The container image holds dist/ only.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', 'build-info.json');

/** The newest modification time of the sources that the build compiles (tsconfig.build.json). */
function newestSourceMs() {
  let newest = 0;
  const config = JSON.parse(
    readFileSync(join(root, 'tsconfig.build.json'), 'utf8')
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n'),
  );
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.lua')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const folder of config.include) if (existsSync(join(root, folder))) walk(join(root, folder));
  return newest;
}

function useBuild() {
  const forced = process.env.ACTIVATION_FLEET_BUILD;
  if (forced === 'dist') return true;
  if (forced === 'source') return false;
  if (!existsSync(stamp)) return false;
  if (!existsSync(join(root, 'tsconfig.build.json'))) return true;
  const stale = newestSourceMs() > statSync(stamp).mtimeMs;
  if (stale) process.stderr.write('activation-fleet: dist/ is older than the sources; running the sources (npm run build refreshes dist/)\n');
  return !stale;
}

if (useBuild()) {
  await import(pathToFileURL(join(root, 'dist/observability/tracing/preload.js')).href);
  await import(pathToFileURL(join(root, 'dist/cli/main.js')).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('activation-fleet: no build in dist/ and no tsx to run the sources: run `npm run build` (or `npm install` for tsx)\n');
    process.exit(70);
  }
  register();
  await import('../observability/tracing/preload.ts');
  await import('../cli/main.ts');
}
