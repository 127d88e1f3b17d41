import { isIP } from 'node:net';
import { z } from 'zod';
import { FleetError } from '../errors/index.js';
import { DEFAULT_PREFIX } from '../queues/queue-names.js';
import { hashTagged } from '../queues/redis-connection.js';

export const ROLES = ['intake', 'orchestrator', 'worker', 'api'] as const;
export type Role = (typeof ROLES)[number];

/** An integer setting in [min, max]; unset (or empty) stays undefined. */
const optionalIntFromEnv = (name: string, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n;
    });

/** An integer setting in [min, max], `fallback` when unset. */
const intFromEnv = (name: string, fallback: number, min: number, max: number) => optionalIntFromEnv(name, min, max).transform((n) => n ?? fallback);

// Operations: how a process stops, how it logs, and the simulated lab of a first run.
const operationsEnv = {
  /** SIGTERM: stop taking jobs and finish running ones within this; then exit anyway. Kubernetes' terminationGracePeriodSeconds matches it. */
  SHUTDOWN_TIMEOUT_MS: intFromEnv('SHUTDOWN_TIMEOUT_MS', 30_000, 1000, 3_600_000),
  /** auto: human-readable on a terminal, JSON lines otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** auto: `start` runs the simulated NEs when the repository's own sample inventory has no credentials set. */
  SIMULATED_LAB: z.enum(['auto', 'on', 'off']).default('auto'),
};

const envSchema = z.object({
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), { message: 'REDIS_URL must start with redis:// or rediss://' }),
  CONFIG_DIR: z.string().default('./config'),
  HTTP_PORT: intFromEnv('HTTP_PORT', 8080, 0, 65535),
  /** Loopback unless set: a container sets 0.0.0.0 (or ::) so the port can be published. */
  HTTP_HOST: z
    .string()
    .default('127.0.0.1')
    .refine((v) => isIP(v) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(v), {
      message: 'HTTP_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name',
    }),
  /** A client has this long to send its request headers (slowloris). */
  HTTP_HEADERS_TIMEOUT_MS: intFromEnv('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
  /** A client has this long to send its whole request, headers and body. */
  HTTP_REQUEST_TIMEOUT_MS: intFromEnv('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
  /** An idle keep-alive connection is closed after this long. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: intFromEnv('HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 100, 600_000),
  /** How often each process checks Redis and the fleet epoch (besides every /readyz). */
  REDIS_CHECK_INTERVAL_MS: intFromEnv('REDIS_CHECK_INTERVAL_MS', 5000, 100, 600_000),
  /** The longest /readyz waits for Redis before answering 503. */
  READY_TIMEOUT_MS: intFromEnv('READY_TIMEOUT_MS', 500, 50, 10_000),
  /** A TMF640 monitor whose order has been missing this long ends inError. */
  MONITOR_ORPHAN_MS: intFromEnv('MONITOR_ORPHAN_MS', 60_000, 100, 86_400_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^(\{[A-Za-z0-9_.-]+\}|[A-Za-z0-9_.-]+)$/, 'QUEUE_PREFIX: letters, digits, _ . - (optionally in braces, a Redis hash tag)')
    .default(DEFAULT_PREFIX),
  /** REDIS_URL is a seed node of a Redis Cluster. */
  REDIS_CLUSTER: z.enum(['true', 'false', '']).default('false'),
  WORKER_CONCURRENCY: intFromEnv('WORKER_CONCURRENCY', 32, 1, 10_000),
  ORCHESTRATOR_CONCURRENCY: intFromEnv('ORCHESTRATOR_CONCURRENCY', 16, 1, 10_000),
  ACTIVATION_ATTEMPTS: intFromEnv('ACTIVATION_ATTEMPTS', 3, 1, 100),
  ACTIVATION_BACKOFF_MS: intFromEnv('ACTIVATION_BACKOFF_MS', 1000, 0, 3_600_000),
  /** NE ids that metrics may carry as a label (a short list an operator opts in to). */
  METRICS_NE_LABELS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean)),
  /** Idle NE sessions are closed (and their budget lease freed) after this long. */
  SESSION_IDLE_MS: intFromEnv('SESSION_IDLE_MS', 10_000, 100, 3_600_000),
  /**
   * Seconds a NETCONF confirmed commit waits for its confirmation before the device rolls it back
   * by itself; also the longest a job waits for an NE that holds such a commit.
   */
  CONFIRM_TIMEOUT_S: intFromEnv('CONFIRM_TIMEOUT_S', 120, 5, 86_400),
  /** A session's fleet-wide lease lives this long unrenewed: a dead worker's leases free after it. Shorter than the confirm timeout. */
  SESSION_LEASE_TTL_MS: intFromEnv('SESSION_LEASE_TTL_MS', 30_000, 1000, 3_600_000),
  /** The queue UI (/queues) lets operators retry and remove jobs; read-only unless this is true. */
  QUEUE_UI_WRITABLE: z.enum(['true', 'false', '']).default('false'),
  RECONCILE_INTERVAL_MS: intFromEnv('RECONCILE_INTERVAL_MS', 30_000, 50, 3_600_000),
  /** An open order unchanged for this long is checked for lost jobs. */
  RECONCILE_QUIET_MS: intFromEnv('RECONCILE_QUIET_MS', 60_000, 0, 86_400_000),
  /**
   * Scheduled service audit (check-sync --all inside the fleet): one run per interval, by one
   * worker process fleet-wide. 0 (the default) turns it off; then run `check-sync` from cron.
   */
  CHECK_SYNC_INTERVAL_MS: intFromEnv('CHECK_SYNC_INTERVAL_MS', 0, 0, 7 * 86_400_000),
  JEOPARDY_CHECK_MS: intFromEnv('JEOPARDY_CHECK_MS', 5000, 50, 3_600_000),
  JEOPARDY_AT_RISK_PERCENT: intFromEnv('JEOPARDY_AT_RISK_PERCENT', 20, 0, 100),
  /** Longer than the longest NE step, so BullMQ never takes a running activation for stalled. */
  ACTIVATION_LOCK_MS: intFromEnv('ACTIVATION_LOCK_MS', 120_000, 5_000, 3_600_000),
  /** Shards of the order keys and activation queues (each its own hash tag); fixed for a fleet's data. */
  QUEUE_SHARDS: optionalIntFromEnv('QUEUE_SHARDS', 1, 1024),
  /** How many finished jobs each queue keeps, and for how long (seconds). */
  JOBS_KEEP_COMPLETED: intFromEnv('JOBS_KEEP_COMPLETED', 10_000, 0, 10_000_000),
  JOBS_KEEP_COMPLETED_S: intFromEnv('JOBS_KEEP_COMPLETED_S', 3600, 0, 365 * 86_400),
  JOBS_KEEP_FAILED: intFromEnv('JOBS_KEEP_FAILED', 10_000, 0, 10_000_000),
  JOBS_KEEP_FAILED_S: intFromEnv('JOBS_KEEP_FAILED_S', 7 * 86_400, 0, 365 * 86_400),
  // The TMF Open API (role api). Tokens come from a mounted secret file or the environment,
  // never from CONFIG_DIR; unset numbers take the defaults of api/tmf-api-options.ts.
  /** `none`: a lab with no tokens (conformance kits send none); only with a loopback HTTP_HOST. */
  API_AUTH: z.enum(['tokens', 'none']).default('tokens'),
  API_TOKENS_FILE: z.string().min(1).optional(),
  API_TOKENS: z.string().optional(),
  API_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, 'API_PUBLIC_URL must be an http(s) URL without query, e.g. https://fleet.example')
    .optional(),
  API_BODY_LIMIT_BYTES: optionalIntFromEnv('API_BODY_LIMIT_BYTES', 1024, 64 * 1024 * 1024),
  NOTIFY_ATTEMPTS: optionalIntFromEnv('NOTIFY_ATTEMPTS', 1, 1000),
  NOTIFY_BACKOFF_MS: optionalIntFromEnv('NOTIFY_BACKOFF_MS', 1, 3_600_000),
  NOTIFY_MAX_BACKOFF_MS: optionalIntFromEnv('NOTIFY_MAX_BACKOFF_MS', 1, 24 * 3_600_000),
  NOTIFY_TIMEOUT_MS: optionalIntFromEnv('NOTIFY_TIMEOUT_MS', 100, 600_000),
  ...operationsEnv,
});

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Validated once at start; each wrong value is named with what it should be. */
export interface FleetConfig extends OperationsConfig {
  redisUrl: string;
  redisCluster: boolean;
  configDir: string;
  httpPort: number;
  /** The address the HTTP server binds: loopback by default. */
  httpHost: string;
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  redisCheckIntervalMs: number;
  readyTimeoutMs: number;
  monitorOrphanMs: number;
  logLevel: string;
  /** The key prefix of every queue and key, as a Redis Cluster hash tag: `{activation-fleet}`. */
  queuePrefix: string;
  workerConcurrency: number;
  orchestratorConcurrency: number;
  activationAttempts: number;
  activationBackoffMs: number;
  activationLockMs: number;
  jeopardyCheckMs: number;
  jeopardyAtRiskPercent: number;
  metricsNeLabels: string[];
  sessionIdleMs: number;
  confirmTimeoutS: number;
  sessionLeaseTtlMs: number;
  queueUiWritable: boolean;
  reconcileIntervalMs: number;
  reconcileQuietMs: number;
  /** 0: no scheduled service audit. */
  checkSyncIntervalMs: number;
  /** Shards of order keys and activation queues: 1 on one Redis, 16 by default on a Cluster. */
  queueShards: number;
  /** Retention of finished jobs on every queue. */
  jobRetention: { completedCount: number; completedAgeSeconds: number; failedCount: number; failedAgeSeconds: number };
  /** `none` serves the TMF APIs without tokens: a lab mode, refused unless httpHost is loopback. */
  apiAuth: 'tokens' | 'none';
  /** Path of the API bearer-token file (a mounted secret): `<clientId> <token> <scope>[,<scope>]` per line. */
  apiTokensFile?: string;
  /** The same lines from the environment (newline- or semicolon-separated), for secret-injected env. */
  apiTokens?: string;
  /** Base of absolute hrefs and Location headers; by default taken from each request's Host. */
  apiPublicUrl?: string;
  apiBodyLimitBytes?: number;
  notifyAttempts?: number;
  notifyBackoffMs?: number;
  notifyMaxBackoffMs?: number;
  notifyTimeoutMs?: number;
}

export interface OperationsConfig {
  shutdownTimeoutMs: number;
  logFormat: 'auto' | 'json' | 'pretty';
  simulatedLab: 'auto' | 'on' | 'off';
}

/** The settings the environment gave; unset ones stay absent rather than undefined. */
function setOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function loadFleetConfig(env: NodeJS.ProcessEnv = process.env): FleetConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => (i.message.includes(String(i.path[0])) ? i.message : `${String(i.path[0])}: ${i.message}`));
    throw new FleetError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.API_AUTH === 'none' && !isLoopbackHost(e.HTTP_HOST)) {
    throw new FleetError(
      'CONFIG_INVALID',
      `invalid configuration:\n  API_AUTH=none serves the TMF APIs to anyone who can connect: it is accepted only with a loopback HTTP_HOST (127.0.0.1, ::1, localhost), got ${e.HTTP_HOST}`,
    );
  }
  // Node refuses a headers timeout longer than the request timeout.
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new FleetError(
      'CONFIG_INVALID',
      `invalid configuration:\n  HTTP_HEADERS_TIMEOUT_MS (${e.HTTP_HEADERS_TIMEOUT_MS}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_REQUEST_TIMEOUT_MS}): the headers are part of the request`,
    );
  }
  // A dead worker's lease must free its NE's sessions before its pending confirmed commit reverts, or nobody can confirm or cancel in time.
  if (e.SESSION_LEASE_TTL_MS >= e.CONFIRM_TIMEOUT_S * 1000) {
    throw new FleetError(
      'CONFIG_INVALID',
      `invalid configuration:\n  SESSION_LEASE_TTL_MS (${e.SESSION_LEASE_TTL_MS}) must be shorter than CONFIRM_TIMEOUT_S (${e.CONFIRM_TIMEOUT_S} s): a dead worker's session lease must expire before its confirmed commit reverts`,
    );
  }
  return {
    redisUrl: e.REDIS_URL,
    redisCluster: e.REDIS_CLUSTER === 'true',
    configDir: e.CONFIG_DIR,
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    http: { headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS },
    redisCheckIntervalMs: e.REDIS_CHECK_INTERVAL_MS,
    readyTimeoutMs: e.READY_TIMEOUT_MS,
    monitorOrphanMs: e.MONITOR_ORPHAN_MS,
    logLevel: e.LOG_LEVEL,
    queuePrefix: hashTagged(e.QUEUE_PREFIX),
    workerConcurrency: e.WORKER_CONCURRENCY,
    orchestratorConcurrency: e.ORCHESTRATOR_CONCURRENCY,
    activationAttempts: e.ACTIVATION_ATTEMPTS,
    activationBackoffMs: e.ACTIVATION_BACKOFF_MS,
    activationLockMs: e.ACTIVATION_LOCK_MS,
    jeopardyCheckMs: e.JEOPARDY_CHECK_MS,
    jeopardyAtRiskPercent: e.JEOPARDY_AT_RISK_PERCENT,
    metricsNeLabels: e.METRICS_NE_LABELS,
    sessionIdleMs: e.SESSION_IDLE_MS,
    confirmTimeoutS: e.CONFIRM_TIMEOUT_S,
    sessionLeaseTtlMs: e.SESSION_LEASE_TTL_MS,
    queueUiWritable: e.QUEUE_UI_WRITABLE === 'true',
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    reconcileQuietMs: e.RECONCILE_QUIET_MS,
    checkSyncIntervalMs: e.CHECK_SYNC_INTERVAL_MS,
    queueShards: e.QUEUE_SHARDS ?? (e.REDIS_CLUSTER === 'true' ? 16 : 1),
    jobRetention: { completedCount: e.JOBS_KEEP_COMPLETED, completedAgeSeconds: e.JOBS_KEEP_COMPLETED_S, failedCount: e.JOBS_KEEP_FAILED, failedAgeSeconds: e.JOBS_KEEP_FAILED_S },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logFormat: e.LOG_FORMAT,
    simulatedLab: e.SIMULATED_LAB,
    apiAuth: e.API_AUTH,
    ...setOnly({
      apiTokensFile: e.API_TOKENS_FILE,
      apiTokens: e.API_TOKENS,
      apiPublicUrl: e.API_PUBLIC_URL?.replace(/\/+$/, ''),
      apiBodyLimitBytes: e.API_BODY_LIMIT_BYTES,
      notifyAttempts: e.NOTIFY_ATTEMPTS,
      notifyBackoffMs: e.NOTIFY_BACKOFF_MS,
      notifyMaxBackoffMs: e.NOTIFY_MAX_BACKOFF_MS,
      notifyTimeoutMs: e.NOTIFY_TIMEOUT_MS,
    }),
  };
}
