// After `tsc -p tsconfig.bench-build.json`: the compiled bench finds its data where the sources
// do (bench-fleet.ts reads REPO_DIR/config/catalog and BENCH_DIR/catalog relative to itself).
import { existsSync, symlinkSync } from 'node:fs';

for (const [link, target] of [
  ['dist-bench/config', '../config'],
  ['dist-bench/bench/catalog', '../../bench/catalog'],
  ['dist-bench/bench/drivers', '../../bench/drivers'],
]) {
  if (!existsSync(link)) symlinkSync(target, link);
}
console.log('dist-bench/: the fleet and the bench compiled; npm run bench runs node dist-bench/bench/run.js');
