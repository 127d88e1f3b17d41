import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RejectionReason } from '../../errors/index.js';
import { parseServiceOrder } from '../../orders/posted-order.js';
import type { ApiContext } from '../api-context.js';
import { PATHS } from '../api-paths.js';
import { TmfHttpError } from '../http/tmf-http-error.js';
import { statusOfFleetError } from '../http/fleet-error-status.js';
import type { Monitor } from '../schemas/service-schemas.js';
import type { LifecycleOrder } from './service-activation-order.js';

/** The item prefix is the internal order's business; the TMF640 caller sent a Service. */
function forCaller(reason: RejectionReason): string {
  return reason.message.replace(/^serviceOrderItem(\[\d+\])? (\(id [^)]*\)|[A-Za-z0-9_.-]+): /, '');
}

/**
 * Runs a TMF640 request as its order, watched by a Monitor. What can be refused up front is
 * refused synchronously (a dry run: 400, or 409 when it contradicts the service's state); then
 * the monitor is stored before the order exists, so no order event can be missed, and the
 * request is answered with it while the network work goes on.
 */
export async function startMonitoredOrder(
  ctx: ApiContext,
  request: FastifyRequest,
  lifecycle: LifecycleOrder,
  serviceId: string,
  /** Runs once the request is known to be valid, before the order exists (e.g. storing the pending service). */
  beforeSubmit?: () => Promise<void>,
): Promise<Monitor> {
  // Parsed once for the dry run and the submission that follows it.
  const posted = parseServiceOrder(lifecycle.order);
  const dryRun = await ctx.producer.dryRunServiceOrder(posted);
  if (!dryRun.valid) {
    const conflict = dryRun.reasons.find((r) => statusOfFleetError(r.code) === 409);
    const first = conflict ?? dryRun.reasons[0];
    throw new TmfHttpError(conflict ? 409 : 400, first?.code ?? 'ORDER_INVALID', dryRun.reasons.map(forCaller).join('; '));
  }
  const id = randomUUID();
  const monitor: Monitor = {
    id,
    href: PATHS.monitor(id),
    sourceHref: PATHS.activationService(serviceId),
    state: 'inProgress',
    request: {
      method: request.method,
      to: request.url,
      body: request.body === undefined ? '' : JSON.stringify(request.body),
      // Never the Authorization header: monitors are readable by every client with `read`.
      header: [{ name: 'Content-Type', value: String(request.headers['content-type'] ?? 'application/json') }],
    },
    '@type': 'Monitor',
  };
  await ctx.monitors.create({ id, monitor, orderId: lifecycle.order.id ?? '', serviceId, operation: lifecycle.operation });
  await beforeSubmit?.();
  await ctx.producer.submitServiceOrder(posted);
  await ctx.follower.follow(lifecycle.order.id ?? '');
  return (await ctx.monitors.get(id))?.monitor ?? monitor;
}
