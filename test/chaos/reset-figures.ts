import { rmSync } from 'node:fs';
import { FIGURES_FILE } from './chaos-figures.js';

/** vitest globalSetup: each chaos run counts from zero. */
export default function resetFigures(): void {
  rmSync(FIGURES_FILE, { force: true });
}
