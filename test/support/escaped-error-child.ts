/**
 * A process that hits the two kinds of escaped error under the guard, then shows it still serves:
 * prints its metrics, runs a timer, and exits 0 by itself. Spawned by
 * test/integration/escaped-error-guard.test.ts (an escape inside a vitest worker would be caught
 * by vitest, not by the guard).
 */
import { installEscapedErrorGuard } from '../../observability/escaped-error-guard.js';
import { FleetMetrics } from '../../observability/fleet-metrics.js';
import { createLogger } from '../../observability/logger.js';

const log = createLogger({ level: 'info', name: 'escape-child' });
const guard = installEscapedErrorGuard(log);
const metrics = new FleetMetrics({ defaultMetrics: false });

setTimeout(() => {
  throw new Error('a listener that throws');
}, 10);
setTimeout(() => {
  void Promise.reject(new Error('a promise nobody awaits'));
}, 20);
setTimeout(async () => {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith('activation_escaped_errors_total '));
  process.stdout.write(`${JSON.stringify({ msg: 'still serving', metric: line })}\n`);
  guard.uninstall();
}, 200);
