import type { FastifyRequest } from 'fastify';

/** RFC 7240 `Prefer: respond-async` (among other preferences, any case): the client wants the Monitor, not the resource. */
export function prefersAsync(request: FastifyRequest): boolean {
  const header = request.headers.prefer;
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.some((v) => v.split(',').some((p) => p.trim().split(';')[0]?.trim().toLowerCase() === 'respond-async'));
}
