import type { FastifyRequest } from 'fastify';

/**
 * Where clients reach the API, for absolute hrefs and Location headers (TMF630 asks for
 * absolute ones). The configured public URL wins: behind a proxy the request's Host is the
 * proxy's view, not the client's.
 */
export function baseUrlOf(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Stored hrefs are paths (`/tmf-api/...`); the API answers with them absolute. */
export function absolute(base: string, href: string): string {
  return /^https?:\/\//.test(href) ? href : `${base}${href}`;
}
