import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the chaos suite did, summed over its files (each runs in its own process). */
export interface ChaosFigures {
  ordersRun: number;
  faultsInjected: number;
  ordersLost: number;
  duplicateApplies: number;
  hostileInputsTried: number;
  crashes: number;
}

// In the checkout (.tmp/ is git-ignored), so two checkouts running the suite never mix figures.
export const FIGURES_FILE = join(process.cwd(), '.tmp', 'chaos-figures.json');

const EMPTY: ChaosFigures = { ordersRun: 0, faultsInjected: 0, ordersLost: 0, duplicateApplies: 0, hostileInputsTried: 0, crashes: 0 };

export function readFigures(): ChaosFigures {
  try {
    return { ...EMPTY, ...(JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Partial<ChaosFigures>) };
  } catch {
    return { ...EMPTY };
  }
}

export function addFigures(delta: Partial<ChaosFigures>): void {
  const current = readFigures();
  for (const [key, value] of Object.entries(delta) as Array<[keyof ChaosFigures, number]>) current[key] += value;
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  writeFileSync(FIGURES_FILE, JSON.stringify(current));
}
