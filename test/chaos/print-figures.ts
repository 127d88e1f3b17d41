import { rmSync } from 'node:fs';
import { FIGURES_FILE, readFigures } from './chaos-figures.js';

// The suite's last line: what was tried and what went wrong (losses and duplicates must be 0).
const f = readFigures();
rmSync(FIGURES_FILE, { force: true });
const kinds = Object.entries(f.faultsByKind).map(([kind, n]) => `${kind} ${n}`);
console.log(
  `chaos: orders run ${f.ordersRun}, faults injected ${f.faultsInjected}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}, orders lost ${f.ordersLost}, duplicate applies ${f.duplicateApplies}, hostile inputs tried ${f.hostileInputsTried}, crashes ${f.crashes}, escaped errors ${f.escapedErrors}`,
);
process.exitCode = f.ordersLost === 0 && f.duplicateApplies === 0 && f.crashes === 0 && f.escapedErrors === 0 ? 0 : 1;
