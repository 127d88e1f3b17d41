import { z } from 'zod';
import { FleetError } from '../errors/index.js';
import { DEFAULT_PREFIX } from '../queues/queue-names.js';

export const ROLES = ['intake', 'orchestrator', 'worker', 'api'] as const;
export type Role = (typeof ROLES)[number];

const intFromEnv = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), { message: 'REDIS_URL must start with redis:// or rediss://' }),
  CONFIG_DIR: z.string().default('./config'),
  HTTP_PORT: intFromEnv('HTTP_PORT', 8080, 0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'QUEUE_PREFIX: letters, digits, _ . -').default(DEFAULT_PREFIX),
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
  JEOPARDY_CHECK_MS: intFromEnv('JEOPARDY_CHECK_MS', 5000, 50, 3_600_000),
  JEOPARDY_AT_RISK_PERCENT: intFromEnv('JEOPARDY_AT_RISK_PERCENT', 20, 0, 100),
  /** Longer than the longest NE step, so BullMQ never takes a running activation for stalled. */
  ACTIVATION_LOCK_MS: intFromEnv('ACTIVATION_LOCK_MS', 120_000, 5_000, 3_600_000),
});

/** Validated once at start; each wrong value is named with what it should be. */
export interface FleetConfig {
  redisUrl: string;
  configDir: string;
  httpPort: number;
  logLevel: string;
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
}

export function loadFleetConfig(env: NodeJS.ProcessEnv = process.env): FleetConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => (i.message.includes(String(i.path[0])) ? i.message : `${String(i.path[0])}: ${i.message}`));
    throw new FleetError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    redisUrl: e.REDIS_URL,
    configDir: e.CONFIG_DIR,
    httpPort: e.HTTP_PORT,
    logLevel: e.LOG_LEVEL,
    queuePrefix: e.QUEUE_PREFIX,
    workerConcurrency: e.WORKER_CONCURRENCY,
    orchestratorConcurrency: e.ORCHESTRATOR_CONCURRENCY,
    activationAttempts: e.ACTIVATION_ATTEMPTS,
    activationBackoffMs: e.ACTIVATION_BACKOFF_MS,
    activationLockMs: e.ACTIVATION_LOCK_MS,
    jeopardyCheckMs: e.JEOPARDY_CHECK_MS,
    jeopardyAtRiskPercent: e.JEOPARDY_AT_RISK_PERCENT,
    metricsNeLabels: e.METRICS_NE_LABELS,
    sessionIdleMs: e.SESSION_IDLE_MS,
  };
}
