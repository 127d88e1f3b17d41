import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import { activeTraceIds, inFleetSpan, startFleetSpan } from '../../observability/tracing/fleet-spans.js';
import { redisStatement } from '../../observability/tracing/redis-statement.js';
import { startTracing } from '../../observability/tracing/start-tracing.js';
import { tracingRequested } from '../../observability/tracing/tracing-settings.js';
import { shutdownTracing, tracingActive } from '../../observability/tracing/tracing-state.js';

describe('when tracing starts', () => {
  it('only for the standard OTEL_* variables, never by default', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_CONFIG_FILE: '/etc/otel.yaml' })).toBe(true);
  });

  it('off, the span helpers run the work and record nothing', async () => {
    expect(tracingActive()).toBe(false);
    const span = startFleetSpan('ne.exchange', { neId: 'pcrf-1' });
    expect(span.traceId).toBeUndefined();
    span.end(new Error('ignored'));
    expect(await inFleetSpan('x', { orderId: 'o' }, async (s) => (s.traceId === undefined ? 'ran untraced' : 'traced'))).toBe('ran untraced');
    expect(activeTraceIds()).toBeUndefined();
  });
});

describe('Redis statements in spans', () => {
  it('name the command and its keys, never values, scripts or passwords', () => {
    expect(redisStatement('AUTH', ['fleet', 's3cret'])).toBe('AUTH');
    expect(redisStatement('auth', ['s3cret'])).toBe('auth');
    expect(redisStatement('set', ['order:1', '{"big":"document"}'])).toBe('set order:1');
    expect(redisStatement('hset', ['order:1', 'doc', '{"big":"document"}'])).toBe('hset order:1');
    expect(redisStatement('evalsha', ['abc123', '2', 'k1', 'k2', 'payload'])).toBe('evalsha abc123 2 k1 k2');
    expect(redisStatement('eval', ['return 1', '1', 'k1', 'secret-arg'])).toBe('eval <script> 1 k1');
    expect(redisStatement('ping', [])).toBe('ping');
    expect(redisStatement('get', ['x'.repeat(500)])).toBe('get');
  });
});

describe('fleet spans, with the SDK and its in-memory exporter', () => {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter });
  beforeAll(async () => {
    expect(await startTracing({ force: true, spanProcessors: [processor], env: { OTEL_SERVICE_NAME: 'unit' } })).toBe(true);
  });
  afterAll(async () => {
    await shutdownTracing();
  });

  it('nest, carry the order, item, NE, protocol and outcome, and record an error by its code only', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    await inFleetSpan('activation.item', { orderId: 'o-1', itemId: 'mobile-plan', specification: 'mobile-plan', action: 'add', attempt: 1 }, async (item) => {
      log.info('inside');
      await inFleetSpan('activation.step', { orderId: 'o-1', itemId: 'mobile-plan', neId: 'pcrf-1', protocol: 'ssh-cli', step: 'provision' }, async () => {
        const exchange = startFleetSpan('ne.exchange', { neId: 'pcrf-1', protocol: 'ssh-cli', operation: 'command' }, { kind: 'client' });
        exchange.end(Object.assign(new Error('pcrf-1: % Invalid input'), { code: 'NE_COMMAND_REJECTED', credentials: { password: 'p4ss' } }));
      }).catch(() => undefined);
      await expect(
        inFleetSpan('activation.step', { step: 'verify' }, async () => {
          throw Object.assign(new Error('timed out'), { code: 'NE_TIMEOUT' });
        }),
      ).rejects.toThrow('timed out');
      item.setOutcome('failed');
    });
    log.info('outside');
    await processor.forceFlush();

    const spans = exporter.getFinishedSpans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    const [item] = named('activation.item');
    const [step, verify] = named('activation.step');
    const [exchange] = named('ne.exchange');
    expect(item?.attributes).toEqual({
      'activation.order.id': 'o-1',
      'activation.item.id': 'mobile-plan',
      'activation.specification': 'mobile-plan',
      'activation.action': 'add',
      'activation.attempt': 1,
      'activation.outcome': 'failed',
    });
    expect(step?.parentSpanContext?.spanId).toBe(item?.spanContext().spanId);
    expect(exchange?.parentSpanContext?.spanId).toBe(step?.spanContext().spanId);
    expect(exchange?.attributes['activation.outcome']).toBe('NE_COMMAND_REJECTED');
    expect(exchange?.status).toMatchObject({ code: 2, message: 'NE_COMMAND_REJECTED: pcrf-1: % Invalid input' });
    expect(verify?.attributes['activation.outcome']).toBe('NE_TIMEOUT');
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.events]))).not.toContain('p4ss');

    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, string>);
    expect(inside).toMatchObject({ msg: 'inside', trace_id: item?.spanContext().traceId, span_id: item?.spanContext().spanId });
    expect(outside?.trace_id).toBeUndefined();
  });
});
