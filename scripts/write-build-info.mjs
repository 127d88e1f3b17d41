// After `tsc -p tsconfig.build.json`: records what dist/ was built from, for activation_build_info (read by
// observability/build-info.ts) and for bin/activation-fleet.js to tell a build from stale sources.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const git = () => {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
};
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const commit = process.env.BUILD_COMMIT?.trim() || git() || 'unknown';
writeFileSync('dist/build-info.json', `${JSON.stringify({ version, commit, builtAt: new Date().toISOString() }, null, 2)}\n`);
console.log(`dist/ built: activation-fleet ${version} (${commit.slice(0, 12)})`);
