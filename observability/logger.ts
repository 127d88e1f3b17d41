import { pino, type Logger, type DestinationStream } from 'pino';
import { CREDENTIAL_FIELDS } from '../adapters/registry.js';
import { activeTraceIds } from './tracing/fleet-spans.js';
import { tracingActive } from './tracing/tracing-state.js';

/** Fields whose value is a secret wherever it appears: every driver's secret credential fields, and the generic ones. */
const SECRET_KEYS = [...CREDENTIAL_FIELDS.filter((field) => field.secret).map((field) => field.field), 'credentials', 'secret', 'token'];

/**
 * Paths pino blanks out wherever they appear in a log line, so a secret that slips into an
 * object (credentials, an error's details) is never written.
 */
export const REDACTED_PATHS = [...SECRET_KEYS, ...SECRET_KEYS.map((key) => `*.${key}`), 'headers.authorization', '*.headers.authorization'];

export interface LoggerOptions {
  level?: string;
  name?: string;
}

/**
 * The one root logger of a process; everything else is a `child({ orderId, itemId, neId })` of
 * it. When the process traces, each line made inside a span carries `trace_id` and `span_id`
 * (the OpenTelemetry names for them in logs), so a log line leads to its trace and back.
 */
export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  return pino(
    {
      name: options.name ?? 'activation-fleet',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(tracingActive() ? { mixin: traceFields } : {}),
    },
    destination,
  );
}

function traceFields(): Record<string, string> {
  const ids = activeTraceIds();
  return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}

/** `auto`: human-readable lines (pino-pretty) on a terminal, JSON lines otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * The logger of a CLI process writing to stdout: pretty on a terminal, JSON (one object a line,
 * for log shippers) when stdout is a pipe or a file. pino-pretty is only loaded for a terminal.
 */
export async function createProcessLogger(options: LoggerOptions & { format?: LogFormat; stream?: NodeJS.WriteStream } = {}): Promise<Logger> {
  const stream = options.stream ?? process.stdout;
  const format = options.format ?? 'auto';
  if (format === 'json' || (format === 'auto' && !stream.isTTY)) return createLogger(options, stream === process.stdout ? undefined : stream);
  const { default: pretty } = await import('pino-pretty');
  return createLogger(options, pretty({ destination: stream, sync: true, colorize: stream.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true }));
}
