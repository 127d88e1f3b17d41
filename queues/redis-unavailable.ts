import { FleetError, isFleetError } from '../errors/index.js';
import { redactRedisUrl } from './redis-connection.js';

// What ioredis (and BullMQ through it) raises when Redis did not answer, as opposed to Redis
// answering with an error. Names survive across versions better than messages; both are checked.
const NAMES = new Set(['MaxRetriesPerRequestError', 'AbortError', 'ClusterAllFailedError']);
const MESSAGES = [
  /Stream isn't writeable/,
  /enableOfflineQueue options is false/,
  /Command timed out/,
  /Connection is closed/,
  /Socket timeout/,
  /Failed to refresh slots cache/,
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b/,
  // Redis answered, but cannot serve yet: loading its data, or a failover in progress.
  /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/,
];

function* causes(error: unknown): Generator<unknown> {
  let current = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** Whether the error means Redis was not there to answer (so a retry later can succeed). */
export function isRedisUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    if (isFleetError(e) && e.code === 'REDIS_UNAVAILABLE') return true;
    if (!(e instanceof Error)) continue;
    if (NAMES.has(e.name) || MESSAGES.some((m) => m.test(e.message))) return true;
  }
  return false;
}

/** What failed, in a few words: the socket error when there was one, else the command's fate. */
export function describeRedisFailure(error: unknown, connectionError?: Error): string {
  const message = error instanceof Error ? error.message : String(error);
  // The connection's last error may be a timed-out command too (a frozen Redis): same words.
  if (/Command timed out/.test(message) || /Command timed out/.test(connectionError?.message ?? '')) return 'no answer in time (the command timed out)';
  if (/Socket timeout/.test(message) || /Socket timeout/.test(connectionError?.message ?? '')) return 'no answer in time (the connection went silent)';
  if (/^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/.test(message)) return `not serving yet: ${message}`;
  if (connectionError) return connectionError.message;
  if (/max retries per request|Stream isn't writeable|enableOfflineQueue/i.test(message)) return 'not connected';
  return message;
}

/** The transient REDIS_UNAVAILABLE error a producer's caller sees, naming the URL without its password. */
export function redisUnavailable(url: string, error: unknown, connectionError?: Error): FleetError {
  if (isFleetError(error) && error.code === 'REDIS_UNAVAILABLE') return error;
  return new FleetError('REDIS_UNAVAILABLE', `Redis at ${redactRedisUrl(url)} is unavailable: ${describeRedisFailure(error, connectionError)}`, { cause: error });
}
