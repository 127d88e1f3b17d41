import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { isFleetError } from '../../errors/index.js';
import { describeRedisFailure, isRedisUnavailable } from '../../queues/redis-unavailable.js';
import { safeUrl } from '../../observability/credentials-in-url.js';
import { statusOfFleetError } from './fleet-error-status.js';
import { tmfErrorBody } from '../../errors/tmf-error-body.js';
import { TmfHttpError } from './tmf-http-error.js';
import { describeViolations } from './validation-message.js';
import type { RouteTable } from './route-table.js';

function send(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json').send(tmfErrorBody(status, code, message));
}

/**
 * Every failure of the TMF API answers with a TMF Error body: schema violations (400, naming
 * each field), oversized bodies (413), other media types (415), unknown ids and paths (404),
 * a known path with another method (405), and anything unexpected (500, cause in the log only).
 */
export function installErrorHandling(app: FastifyInstance, routes: RouteTable, log: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isRedisUnavailable(error)) {
      // Producers fail fast while Redis is away: the caller retries (submissions are idempotent).
      log.warn({ err: error, method: request.method, url: safeUrl(request.url) }, 'TMF API request failed: Redis unavailable');
      void reply.header('retry-after', '5');
      return send(reply, 503, 'REDIS_UNAVAILABLE', `the fleet's Redis is not answering (${describeRedisFailure(error)}); nothing was changed by this request unless a retry finds it done: retry later with the same id`);
    }
    if (error.validation) {
      return send(reply, 400, 'API_INVALID_REQUEST', describeViolations(error.validation, error.validationContext));
    }
    if (error instanceof TmfHttpError) return send(reply, error.status, error.code, error.message);
    if (isFleetError(error)) {
      const status = statusOfFleetError(error.code);
      if (status === 500) log.error({ err: error, url: safeUrl(request.url) }, 'TMF API request failed');
      return send(reply, status, status === 500 ? 'API_INTERNAL_ERROR' : error.code, status === 500 ? 'internal error' : error.message);
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(reply, 413, 'API_PAYLOAD_TOO_LARGE', `body: larger than the ${app.initialConfig.bodyLimit} bytes accepted`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, 415, 'API_UNSUPPORTED_MEDIA_TYPE', `body: content type ${request.headers['content-type'] ?? '(none)'} is not accepted; send application/json`);
      default:
        break;
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, empty body, bad content length.
      return send(reply, error.statusCode, 'API_INVALID_REQUEST', `body: ${error.message}`);
    }
    log.error({ err: error, url: safeUrl(request.url) }, 'TMF API request failed');
    return send(reply, 500, 'API_INTERNAL_ERROR', 'internal error');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = routes.methodsFor(path);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return send(reply, 405, 'API_METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
    }
    return send(reply, 404, 'API_NOT_FOUND', `no resource at ${path}`);
  });
}
