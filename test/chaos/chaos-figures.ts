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
  /** Errors that escaped every handler of a fleet process (each a bug, survived): see escaped-errors.ts. */
  escapedErrors: number;
  /** The faults injected by kind (`faultsInjected` is their total where a file reports kinds). */
  faultsByKind: Record<string, number>;
}

// In the checkout (.tmp/ is git-ignored), so two checkouts running the suite never mix figures.
export const FIGURES_FILE = join(process.cwd(), '.tmp', 'chaos-figures.json');

const EMPTY: ChaosFigures = { ordersRun: 0, faultsInjected: 0, ordersLost: 0, duplicateApplies: 0, hostileInputsTried: 0, crashes: 0, escapedErrors: 0, faultsByKind: {} };

export function readFigures(): ChaosFigures {
  try {
    const stored = JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Partial<ChaosFigures>;
    return { ...EMPTY, ...stored, faultsByKind: { ...stored.faultsByKind } };
  } catch {
    return { ...EMPTY, faultsByKind: {} };
  }
}

type Counts = Exclude<keyof ChaosFigures, 'faultsByKind'>;

export function addFigures(delta: Partial<ChaosFigures>): void {
  const current = readFigures();
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'faultsByKind') {
      for (const [kind, n] of Object.entries(value as Record<string, number>)) current.faultsByKind[kind] = (current.faultsByKind[kind] ?? 0) + n;
    } else current[key as Counts] += value as number;
  }
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  writeFileSync(FIGURES_FILE, JSON.stringify(current));
}
