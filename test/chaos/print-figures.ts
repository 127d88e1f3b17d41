import { rmSync } from 'node:fs';
import { FIGURES_FILE, readFigures, WIPE_DETECTION_SLACK_MS } from './chaos-figures.js';

// The suite's last line: what was tried and what went wrong (losses, duplicates, half-configured
// services, destructive undos, stale writes, device/inventory/order disagreements, interleaved changes, poison retries, crashes and secrets must be 0, and every wiped Redis detected within its readiness interval).
const f = readFigures();
rmSync(FIGURES_FILE, { force: true });
const attributed = Object.values(f.faultsByKind).reduce((n, k) => n + k, 0);
const kinds = Object.entries(f.faultsByKind)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([kind, n]) => `${kind} ${n}`);
if (f.faultsInjected > attributed) kinds.push(`other ${f.faultsInjected - attributed}`);
const slowest = f.wipeDetections.reduce<{ detectedMs: number; intervalMs: number } | undefined>((worst, d) => (worst && worst.detectedMs - worst.intervalMs >= d.detectedMs - d.intervalMs ? worst : d), undefined);
const wipesInTime = f.wipeDetections.every((d) => d.detectedMs >= 0 && d.detectedMs <= d.intervalMs + WIPE_DETECTION_SLACK_MS);
const wipe = slowest ? `wiped Redis detected in ${slowest.detectedMs} ms (readiness interval ${slowest.intervalMs} ms${f.wipeDetections.length > 1 ? `, slowest of ${f.wipeDetections.length}` : ''})` : 'no wiped Redis';
console.log(
  `chaos: orders run ${f.ordersRun}, faults injected ${f.faultsInjected} (${kinds.join(', ') || 'none'}), orders lost ${f.ordersLost}, duplicate applies ${f.duplicateApplies}, half-configured ${f.halfConfigured}, destructive undos ${f.destructiveUndos}, stale writes ${f.staleWrites}, device/inventory disagreements ${f.deviceDisagreements}, device/inventory/order disagreements after a crash ${f.orderDisagreements}, same-service changes interleaved ${f.interleavedChanges}, poison orders retried ${f.poisonRetried}, hostile inputs tried ${f.hostileInputsTried}, crashes ${f.crashes}, escaped errors ${f.escapedErrors}, secrets found ${f.secretsFound}, ${wipe}`,
);
process.exitCode = f.ordersLost === 0 && f.duplicateApplies === 0 && f.halfConfigured === 0 && f.destructiveUndos === 0 && f.staleWrites === 0 && f.deviceDisagreements === 0 && f.orderDisagreements === 0 && f.interleavedChanges === 0 && f.poisonRetried === 0 && f.crashes === 0 && f.escapedErrors === 0 && f.secretsFound === 0 && wipesInTime ? 0 : 1;
