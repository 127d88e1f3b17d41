import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What is running: `activation_build_info` and the tracing resource carry it. */
export interface BuildInfo {
  version: string;
  /** The git commit the build came from; `unknown` when no source says. */
  commit: string;
  nodeVersion: string;
}

const PACKAGE_NAME = 'activation-fleet';

/** The package root: where package.json is, from the sources (observability/) or the build (dist/observability/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i += 1) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    dir = dirname(dir);
  }
  throw new Error(`${PACKAGE_NAME}: package.json not found above ${fileURLToPath(import.meta.url)}`);
}

function gitCommit(root: string): string | undefined {
  if (!existsSync(join(root, '.git'))) return undefined;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

let cached: BuildInfo | undefined;

/**
 * The commit comes from BUILD_COMMIT (the image's build argument), else dist/build-info.json
 * (written by `npm run build`), else the checkout's git HEAD (development).
 */
export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  if (cached) return cached;
  const root = packageRoot();
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const stamp = join(root, 'dist', 'build-info.json');
  const built = existsSync(stamp) ? (JSON.parse(readFileSync(stamp, 'utf8')) as { commit?: string }) : {};
  const commit = env.BUILD_COMMIT?.trim() || built.commit || gitCommit(root) || 'unknown';
  cached = { version, commit, nodeVersion: process.versions.node };
  return cached;
}
