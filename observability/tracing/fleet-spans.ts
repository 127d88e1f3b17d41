import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { tracingActive } from './tracing-state.js';

/**
 * What a fleet span may say about its work. A closed set of fields, each a plain id, name or
 * outcome: there is no free-form attribute, so a command text, a job payload or a credential
 * cannot end up in a trace by accident.
 */
export interface FleetSpanFields {
  orderId?: string;
  itemId?: string;
  neId?: string;
  /** ssh-cli | snmp | netconf */
  protocol?: string;
  /** The catalog step, e.g. `provision-subscriber-policy`. */
  step?: string;
  /** What was done: apply, verify, undo, intake, advance, command, set, get, rpc, ... */
  operation?: string;
  specification?: string;
  /** The TMF641 item action: add, modify, delete. */
  action?: string;
  attempt?: number;
  /** completed, failed, rolledBack, skipped, or an error code such as NE_TIMEOUT. */
  outcome?: string;
}

/** The attribute names, one namespace of our own (no OTel semantic convention covers these). */
export const FLEET_ATTRIBUTES = {
  orderId: 'activation.order.id',
  itemId: 'activation.item.id',
  neId: 'activation.ne.id',
  protocol: 'activation.protocol',
  step: 'activation.step',
  operation: 'activation.operation',
  specification: 'activation.specification',
  action: 'activation.action',
  attempt: 'activation.attempt',
  outcome: 'activation.outcome',
} as const satisfies Record<keyof FleetSpanFields, string>;

const MAX_VALUE_LENGTH = 256;

export function fleetAttributes(fields: FleetSpanFields): Attributes {
  const attributes: Attributes = {};
  for (const [field, name] of Object.entries(FLEET_ATTRIBUTES) as Array<[keyof FleetSpanFields, string]>) {
    const value = fields[field];
    if (value === undefined) continue;
    attributes[name] = typeof value === 'string' ? value.slice(0, MAX_VALUE_LENGTH) : value;
  }
  return attributes;
}

/** A span in progress. When tracing is off every method does nothing. */
export interface FleetSpan {
  /** Adds fields (an NE chosen once the plan is known, say). */
  set(fields: FleetSpanFields): void;
  /** The span's outcome; a thrown error sets it to the error's code when not set. */
  setOutcome(outcome: string): void;
  /** Ends the span: failed when `error` is given (its code and message are recorded, nothing else). */
  end(error?: unknown): void;
  /** The W3C trace id, for logs and error reports; undefined when tracing is off. */
  readonly traceId: string | undefined;
}

const NOOP_SPAN: FleetSpan = {
  set: () => undefined,
  setOutcome: () => undefined,
  end: () => undefined,
  traceId: undefined,
};

const TRACER_NAME = 'activation-fleet';

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : 'error';
}

function wrap(span: Span): FleetSpan {
  let outcome: string | undefined;
  let ended = false;
  return {
    set: (fields) => span.setAttributes(fleetAttributes(fields)),
    setOutcome: (value) => {
      outcome = value;
    },
    end: (error) => {
      if (ended) return;
      ended = true;
      if (error !== undefined) {
        const code = errorCode(error);
        outcome ??= code;
        // Code and message only: the project's errors never carry secrets, and a stack or the
        // error's other fields (a device reply, a job) are left to the logs and the audit trail.
        const message = error instanceof Error ? error.message.slice(0, 1024) : String(error).slice(0, 1024);
        span.recordException({ name: error instanceof Error ? error.name : 'Error', code, message });
        span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${message}`.slice(0, 1024) });
      }
      if (outcome !== undefined) span.setAttribute(FLEET_ATTRIBUTES.outcome, outcome);
      span.end();
    },
    get traceId() {
      return span.spanContext().traceId;
    },
  };
}

export interface SpanOptions {
  /** internal (default), client for an exchange with an NE, producer/consumer for queue hand-offs. */
  kind?: 'internal' | 'client' | 'producer' | 'consumer';
}

const KINDS = { internal: SpanKind.INTERNAL, client: SpanKind.CLIENT, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER } as const;

/**
 * Runs `work` in a span that is the active one for everything it awaits (ioredis commands,
 * child spans), ending it with the outcome: the work's error code when it throws.
 *
 *   await inFleetSpan('activation.step', { orderId, itemId, neId, protocol, step }, async (span) => { ... });
 */
export async function inFleetSpan<T>(name: string, fields: FleetSpanFields, work: (span: FleetSpan) => Promise<T>, options: SpanOptions = {}): Promise<T> {
  if (!tracingActive()) return work(NOOP_SPAN);
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: fleetAttributes(fields) }, async (otelSpan) => {
    const span = wrap(otelSpan);
    try {
      const result = await work(span);
      span.end();
      return result;
    } catch (error) {
      span.end(error);
      throw error;
    }
  });
}

/**
 * A span for work that does not fit one async function (an NE exchange reported by a callback,
 * the audit hook): a child of whatever span is active now; the caller ends it.
 */
export function startFleetSpan(name: string, fields: FleetSpanFields, options: SpanOptions = {}): FleetSpan {
  if (!tracingActive()) return NOOP_SPAN;
  return wrap(trace.getTracer(TRACER_NAME).startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: fleetAttributes(fields) }));
}

/**
 * Records a span for work that already happened and was timed by someone else (an NE exchange
 * the adapter reported to the audit hook): a child of the active span, from `startedAt` for
 * `durationMs`, ended at once with its outcome.
 */
export function recordFleetSpan(name: string, fields: FleetSpanFields, startedAt: Date, durationMs: number, options: SpanOptions = {}): void {
  if (!tracingActive()) return;
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: fleetAttributes(fields), startTime: startedAt });
  if (fields.outcome !== undefined && fields.outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: fields.outcome });
  span.end(new Date(startedAt.getTime() + Math.max(0, durationMs)));
}

/** The active trace and span ids (for log lines), or undefined outside any span. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  if (!tracingActive()) return undefined;
  const context = trace.getActiveSpan()?.spanContext();
  if (!context || !trace.isSpanContextValid(context)) return undefined;
  return { traceId: context.traceId, spanId: context.spanId };
}
