/**
 * A real fleet process (`activation-fleet ARGS`, the CLI's own main) tracing into the
 * OpenTelemetry SDK's in-memory exporter instead of OTLP. The test that spawned it (with an IPC
 * channel) sends `'spans'` and receives every span this process finished so far, as plain data.
 *
 *   spawn(node, ['--import', 'tsx', 'test/support/tracing/in-memory-fleet.ts', 'start', '--role', 'worker'], { stdio: [..., 'ipc'] })
 *
 * Tracing starts first, as bin/activation-fleet.js does it, so http, ioredis and fastify are
 * hooked before their first import.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { startTracing } from '../../../observability/tracing/start-tracing.js';

/** One finished span, as the test reads it: ids in hex, the process's service name. */
export interface ExportedSpan {
  service: string;
  pid: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** The SDK's SpanKind: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error. */
  status: number;
  scope: string;
}

const exporter = new InMemorySpanExporter();
await startTracing({ force: true, spanProcessors: [new SimpleSpanProcessor({ exporter })] });

const plain = (span: ReadableSpan): ExportedSpan => ({
  service: String(span.resource.attributes['service.name']),
  pid: process.pid,
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
  name: span.name,
  kind: span.kind,
  attributes: { ...span.attributes },
  status: span.status.code,
  scope: span.instrumentationScope.name,
});

process.on('message', (message) => {
  if (message === 'spans') process.send?.({ spans: exporter.getFinishedSpans().map(plain) });
});
await import('../../../cli/main.js');
