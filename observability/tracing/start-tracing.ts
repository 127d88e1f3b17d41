import { register } from 'node:module';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { buildInfo } from '../build-info.js';
import { redisStatement } from './redis-statement.js';
import { tracingRequested } from './tracing-settings.js';
import { markTracingStarted, tracingActive } from './tracing-state.js';

type SdkOptions = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>;

export interface StartTracingOptions {
  /** @defaultValue OTEL_SERVICE_NAME, else `activation-fleet` */
  serviceName?: string;
  /** Tests pass an in-memory exporter's processor here; otherwise OTEL_TRACES_EXPORTER (default otlp) decides. */
  spanProcessors?: SdkOptions['spanProcessors'];
  /** Start even without OTEL_* settings (tests with their own span processors). @defaultValue false */
  force?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Probes and scrapes every few seconds would bury the order traces. */
const UNTRACED_PATHS = new Set(['/metrics', '/healthz', '/readyz']);
const untraced = (url: string | undefined): boolean => UNTRACED_PATHS.has((url ?? '').split('?')[0] ?? '');

/**
 * Starts the OpenTelemetry Node SDK, configured by the standard OTEL_* variables, with the
 * instrumentations for incoming and outgoing HTTP, Fastify routes and ioredis commands. BullMQ
 * is traced by its own telemetry option (bullmq-telemetry.ts), not by patching.
 *
 * Must run before the modules it instruments are imported: bin/activation-fleet.js imports it
 * first when tracingRequested(), so a process without OTEL_* settings never loads the SDK.
 * Metrics stay Prometheus and logs stay pino: OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER
 * default to `none` here (the SDK's own default is otlp).
 */
export async function startTracing(options: StartTracingOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  if (tracingActive()) return true;
  if (!options.force && !tracingRequested(env)) return false;
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  // ESM imports are only seen by a loader hook (import-in-the-middle); limited to the modules
  // instrumented here so every other import loads untouched.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['ioredis', 'http', 'https'] } });
  const [{ NodeSDK }, { HttpInstrumentation }, { IORedisInstrumentation }, { FastifyOtelInstrumentation }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-ioredis'),
    import('@fastify/otel'),
    import('@opentelemetry/resources'),
  ]);
  const info = buildInfo(env);
  const sdk = new NodeSDK({
    serviceName: options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'activation-fleet',
    resource: resourceFromAttributes({ 'service.version': info.version, 'vcs.ref.head.revision': info.commit }),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => untraced(request.url),
        // Headers are never recorded: Authorization carries the API tokens.
        headersToSpanAttributes: { client: { requestHeaders: [], responseHeaders: [] }, server: { requestHeaders: [], responseHeaders: [] } },
      }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route) => untraced(route.url) }),
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisStatement }),
    ],
  });
  sdk.start();
  markTracingStarted(() => sdk.shutdown());
  return true;
}
