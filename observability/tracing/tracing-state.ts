/**
 * Whether this process traces, without importing the SDK: the span helpers, the logger and the
 * BullMQ telemetry factory read it so that a process without OTEL_* settings pays nothing.
 */
let active = false;
let shutdownHook: (() => Promise<void>) | undefined;

export function tracingActive(): boolean {
  return active;
}

/** Called once by startTracing when the SDK is up. */
export function markTracingStarted(shutdown: () => Promise<void>): void {
  active = true;
  shutdownHook = shutdown;
}

/** Flushes buffered spans and stops the SDK; a no-op when tracing is off. Call before process.exit. */
export async function shutdownTracing(): Promise<void> {
  const hook = shutdownHook;
  shutdownHook = undefined;
  active = false;
  await hook?.();
}
