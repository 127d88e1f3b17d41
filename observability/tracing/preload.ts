/**
 * Imported by bin/activation-fleet.js before anything else: starts tracing when the OTEL_*
 * variables ask for it, so the instrumented modules (http, ioredis, fastify) are hooked before
 * their first import. Without them it loads nothing but tracing-settings.ts.
 */
import { tracingRequested } from './tracing-settings.js';

if (tracingRequested()) {
  const { startTracing } = await import('./start-tracing.js');
  await startTracing();
}
