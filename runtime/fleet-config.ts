import { isIP } from 'node:net';
import { z } from 'zod';
import { FleetError } from '../errors/index.js';
import { DEFAULT_PREFIX } from '../queues/queue-names.js';
import { hashTagged } from '../queues/redis-connection.js';

export const ROLES = ['intake', 'orchestrator', 'worker', 'api'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The fleet's configuration: every setting is declared once, below, in sections. A setting's
 * declaration is its environment variable, its zod schema (which holds its default and its
 * validation) and its meaning. FleetConfig's type, the parsing of the environment and the
 * README's settings tables (`npm run sync:settings`; a test fails on drift) all come from it.
 */
export interface Setting<T = unknown> {
  env: string;
  schema: z.ZodType<T>;
  /** What it does: the README's "meaning" column (markdown). */
  doc: string;
  /** The README's "default" column where the default is no plain value (unset, or derived). */
  shows?: string;
}

/** Settings, or named groups of them (a group is an object of FleetConfig, e.g. `http`). */
export interface SettingTree {
  [key: string]: Setting | SettingTree;
}

export interface SettingsSection<S extends SettingTree = SettingTree> {
  title: string;
  doc: string;
  settings: S;
}

/** An integer in [min, max]; unset (or empty) stays undefined. */
const optionalIntSchema = (name: string, min: number, max: number) =>
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

const int = (env: string, fallback: number, min: number, max: number, doc: string, shows?: string): Setting<number> => ({
  env,
  schema: optionalIntSchema(env, min, max).transform((n) => n ?? fallback),
  doc,
  ...(shows ? { shows } : {}),
});

/** Unset means something other than a number (a derived default, or "take the other one"). */
const optionalInt = (env: string, min: number, max: number, doc: string, shows: string): Setting<number | undefined> => ({ env, schema: optionalIntSchema(env, min, max), doc, shows });

const choice = <const V extends readonly [string, ...string[]]>(env: string, values: V, fallback: V[number], doc: string): Setting<V[number]> => ({
  env,
  schema: z.enum(values).default(fallback as never) as unknown as z.ZodType<V[number]>,
  doc,
});

/** `true` or `false` (empty: the default). */
const flag = (env: string, fallback: boolean, doc: string): Setting<boolean> => ({
  env,
  schema: z
    .enum(['true', 'false', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === 'true')),
  doc,
});

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

// --- the settings -------------------------------------------------------------------------

const redis = {
  title: 'Redis',
  doc: 'Where the fleet keeps its queues, order state and events, and how each process watches it.',
  settings: {
    redisUrl: {
      env: 'REDIS_URL',
      schema: z
        .string()
        .default('redis://127.0.0.1:6379')
        .refine((v) => /^rediss?:\/\//.test(v), { message: 'REDIS_URL must start with redis:// or rediss://' }),
      doc: 'Redis for queues, order state and events',
    },
    redisCluster: flag('REDIS_CLUSTER', false, '`REDIS_URL` is a seed node of a Redis Cluster'),
    /** As a Redis Cluster hash tag: `{activation-fleet}`. */
    queuePrefix: {
      env: 'QUEUE_PREFIX',
      schema: z
        .string()
        .regex(/^(\{[A-Za-z0-9_.-]+\}|[A-Za-z0-9_.-]+)$/, 'QUEUE_PREFIX: letters, digits, _ . - (optionally in braces, a Redis hash tag)')
        .default(DEFAULT_PREFIX)
        .transform(hashTagged),
      doc: 'prefix of every queue and key: one fleet per prefix (a Redis hash tag, braces added)',
      shows: `\`${DEFAULT_PREFIX}\``,
    },
    queueShards: optionalInt(
      'QUEUE_SHARDS',
      1,
      1024,
      "shards of the order keys and activation queues (each its own hash tag); fixed for a fleet's data",
      '`1`; `16` with `REDIS_CLUSTER`',
    ),
    redisCheckIntervalMs: int('REDIS_CHECK_INTERVAL_MS', 5000, 100, 600_000, 'how often each process checks Redis and the fleet epoch (the readiness interval)'),
    readyTimeoutMs: int('READY_TIMEOUT_MS', 500, 50, 10_000, 'the longest `/readyz` waits for Redis before answering 503'),
  },
} satisfies SettingsSection;

const queues = {
  title: 'Queues and jobs',
  doc: 'How item jobs are retried and locked, and how many finished jobs each queue keeps.',
  settings: {
    activationAttempts: int('ACTIVATION_ATTEMPTS', 3, 1, 100, 'attempts per item for transient errors (permanent ones fail at once)'),
    activationBackoffMs: int('ACTIVATION_BACKOFF_MS', 1000, 0, 3_600_000, 'first retry delay; exponential with jitter'),
    activationLockMs: int('ACTIVATION_LOCK_MS', 120_000, 5_000, 3_600_000, 'BullMQ lock; longer than the longest NE step, so a running job never looks stalled'),
    activationLockMarginMs: optionalInt(
      'ACTIVATION_LOCK_MARGIN_MS',
      0,
      600_000,
      "time kept back from a job lock's remaining time: a device write is refused when less is left (the job could lose its item mid-write); shorter than `ACTIVATION_LOCK_MS`",
      '`5000`, at most a quarter of `ACTIVATION_LOCK_MS`',
    ),
    /** Retention of finished jobs on every queue. */
    jobRetention: {
      completedCount: int('JOBS_KEEP_COMPLETED', 10_000, 0, 10_000_000, 'completed jobs each queue keeps (intake, orchestration, activation), by count, whoever added them'),
      completedAgeSeconds: int('JOBS_KEEP_COMPLETED_S', 3600, 0, 365 * 86_400, 'completed jobs each queue keeps, by age in seconds'),
      failedCount: int('JOBS_KEEP_FAILED', 10_000, 0, 10_000_000, 'failed jobs each queue keeps, with their error, by count (the notification delivery queue too; its completed jobs are removed at once)'),
      failedAgeSeconds: int('JOBS_KEEP_FAILED_S', 7 * 86_400, 0, 365 * 86_400, 'failed jobs each queue keeps, by age in seconds'),
    },
  },
} satisfies SettingsSection;

const workers = {
  title: 'Workers and orchestration',
  doc: "How much each role does at once, and the orchestrators' and workers' periodic checks.",
  settings: {
    intakeConcurrency: int('INTAKE_CONCURRENCY', 8, 1, 10_000, 'raw orders from the intake queue validated and stored at once, per intake process'),
    orchestratorConcurrency: int('ORCHESTRATOR_CONCURRENCY', 16, 1, 10_000, 'orchestration jobs in flight per process'),
    workerConcurrency: int('WORKER_CONCURRENCY', 32, 1, 10_000, 'item jobs in flight per worker process (shared among the shards it consumes)'),
    reconcileIntervalMs: int('RECONCILE_INTERVAL_MS', 30_000, 50, 3_600_000, 'how often orchestrators look for orders with lost jobs'),
    reconcileQuietMs: int('RECONCILE_QUIET_MS', 60_000, 0, 86_400_000, 'how long an open order must be unchanged before it is checked for lost jobs'),
    jeopardyCheckMs: int('JEOPARDY_CHECK_MS', 5000, 50, 3_600_000, 'how often orchestrators check open orders against their expected completion'),
    jeopardyAtRiskPercent: int('JEOPARDY_AT_RISK_PERCENT', 20, 0, 100, 'an order is at risk once less than this share of its time is left'),
    jeopardyLookaheadMs: int(
      'JEOPARDY_LOOKAHEAD_MS',
      86_400_000,
      1000,
      365 * 86_400_000,
      'how far ahead of their expected completion open orders are looked at: at least the longest order takes',
    ),
    checkSyncIntervalMs: int(
      'CHECK_SYNC_INTERVAL_MS',
      0,
      0,
      7 * 86_400_000,
      'scheduled service audit (check-sync of every service): one run per interval, by one worker process fleet-wide (a lease in Redis); services one at a time, within the NE session budget (an NE at its budget is skipped as unknown for that run). Exports `activation_services_drifted{specification,role}`, `activation_services_audited{specification,status}`, `activation_service_audit_last_completed_timestamp_seconds`',
      '`0` (off)',
    ),
    checkSyncLeaseMs: int('CHECK_SYNC_LEASE_MS', 60_000, 1000, 3_600_000, "the scheduled audit's runner lease, renewed every third of it: a dead runner's audit is taken over after this"),
  },
} satisfies SettingsSection;

const devices = {
  title: 'Network elements',
  doc: 'NE sessions, confirmed commits, and jobs that wait for a busy or blocked NE.',
  settings: {
    sessionIdleMs: int('SESSION_IDLE_MS', 10_000, 100, 3_600_000, 'idle NE sessions are closed (their budget lease freed) after this'),
    sessionAcquireTimeoutMs: int(
      'SESSION_ACQUIRE_TIMEOUT_MS',
      60_000,
      100,
      3_600_000,
      "how long a job waits in its process for a free session of an NE at its `maxSessions` before a transient `NE_SESSION_LIMIT` (the fleet-wide budget parks jobs instead)",
    ),
    sessionLeaseTtlMs: int('SESSION_LEASE_TTL_MS', 30_000, 1000, 3_600_000, "a dead worker's session leases free after this; must be shorter than `CONFIRM_TIMEOUT_S`"),
    confirmTimeoutS: int(
      'CONFIRM_TIMEOUT_S',
      120,
      5,
      86_400,
      'a NETCONF confirmed commit reverts by itself unless confirmed within this; also the longest a job waits for an NE that holds one',
    ),
    blockedWaitMarginS: int('NE_BLOCKED_MARGIN_S', 30, 0, 86_400, 'a job waits for an NE that refuses changes (`NE_COMMIT_PENDING`, `NE_LOCKED`) up to `CONFIRM_TIMEOUT_S` plus this; then it fails'),
    blockedProbeMs: int('NE_BLOCKED_PROBE_MS', 3000, 100, 600_000, 'while jobs wait for a blocked NE, one of them tries it again this often; the others are woken when it takes a change'),
    parkFallbackMs: int('NE_PARK_FALLBACK_MS', 30_000, 100, 3_600_000, 'a job parked for an NE (at its budget, or blocked) looks again by itself after this, in case its wake-up was lost'),
  },
} satisfies SettingsSection;

const api = {
  title: 'HTTP and the TMF Open API',
  doc: 'Every process serves `/healthz`, `/readyz` and `/metrics`; the api role also the TMF Open APIs and the queue UI. Tokens come from a mounted secret file or the environment, never from `CONFIG_DIR`.',
  settings: {
    httpPort: int('HTTP_PORT', 8080, 0, 65535, '`/healthz`, `/readyz`, `/metrics` (and the TMF APIs on the api role)'),
    /** The address the HTTP server binds: loopback by default. */
    httpHost: {
      env: 'HTTP_HOST',
      schema: z
        .string()
        .default('127.0.0.1')
        .refine((v) => isIP(v) !== 0 || HOST_NAME.test(v), { message: 'HTTP_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name' }),
      doc: 'the address the HTTP server binds; `0.0.0.0` (or `::`) in a container',
    },
    http: {
      headersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000, 'a client has this long to send its request headers (slowloris; at most `HTTP_REQUEST_TIMEOUT_MS`)'),
      requestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000, 'a client has this long to send its whole request, headers and body (408 after)'),
      keepAliveTimeoutMs: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000, 100, 600_000, 'an idle keep-alive connection is closed after this'),
    },
    /** `none` serves the TMF APIs without tokens: a lab mode, refused unless httpHost is loopback. */
    apiAuth: choice('API_AUTH', ['tokens', 'none'], 'tokens', '`none`: lab mode, the TMF APIs answer without a token (conformance kits send none); only with a loopback `HTTP_HOST`'),
    /** `<clientId> <token> <scope>[,<scope>]` per line. */
    apiTokensFile: { env: 'API_TOKENS_FILE', schema: z.string().min(1).optional(), doc: 'the API bearer-token file (a mounted secret): `<clientId> <token> read,order` per line', shows: '(none)' },
    apiTokens: { env: 'API_TOKENS', schema: z.string().optional(), doc: 'the same lines from the environment (newline- or `;`-separated), for secret-injected env', shows: '(none)' },
    apiPublicUrl: {
      env: 'API_PUBLIC_URL',
      schema: z
        .string()
        .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, 'API_PUBLIC_URL must be an http(s) URL without query, e.g. https://fleet.example')
        .optional()
        .transform((v) => v?.replace(/\/+$/, '')),
      doc: 'base of absolute hrefs and `Location` headers (set it behind a proxy)',
      shows: "(each request's protocol and Host)",
    },
    apiBodyLimitBytes: int('API_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024, 'largest request body accepted; larger ones get 413 before any parsing'),
    notifyAttempts: int('NOTIFY_ATTEMPTS', 30, 1, 1000, "delivery attempts per notification before a listener's delivery job gives up (the events stay in its outbox and go with the next one); 30 cover about 25 minutes of downtime"),
    notifyBackoffMs: int('NOTIFY_BACKOFF_MS', 1000, 1, 3_600_000, 'first retry delay of a failed delivery; doubles per attempt up to `NOTIFY_MAX_BACKOFF_MS`'),
    notifyMaxBackoffMs: int('NOTIFY_MAX_BACKOFF_MS', 60_000, 1, 24 * 3_600_000, 'the longest retry delay of a failed delivery'),
    notifyTimeoutMs: int('NOTIFY_TIMEOUT_MS', 5000, 100, 600_000, 'how long a listener has to answer one notification'),
    notifyConcurrency: int('NOTIFY_CONCURRENCY', 8, 1, 10_000, "notification deliveries in flight per api process, each to a different listener (one listener's events go out one at a time, in order)"),
    monitorOrphanMs: int('MONITOR_ORPHAN_MS', 60_000, 100, 86_400_000, 'a TMF640 monitor whose order has been missing this long ends `inError`'),
    queueUiWritable: flag('QUEUE_UI_WRITABLE', false, 'let operators retry and remove jobs in the queue UI (needs the `order` scope); read-only otherwise'),
  },
} satisfies SettingsSection;

const observability = {
  title: 'Logs and metrics',
  doc: 'What a process logs, and which NEs its metrics may name.',
  settings: {
    logLevel: choice('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', 'pino level; JSON logs with `orderId`, `itemId`, `neId` per job'),
    logFormat: choice('LOG_FORMAT', ['auto', 'json', 'pretty'], 'auto', '`auto`: human-readable lines (pino-pretty) on a terminal, JSON lines otherwise; or `json`, `pretty`'),
    metricsNeLabels: {
      env: 'METRICS_NE_LABELS',
      schema: z
        .string()
        .default('')
        .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean)),
      doc: 'NE ids that metrics may carry as a label (an opt-in short list, comma-separated)',
      shows: '(none)',
    },
  },
} satisfies SettingsSection;

const operations = {
  title: 'Operations',
  doc: 'Where the catalog and inventory are, how a process stops, and the simulated lab of a first run.',
  settings: {
    configDir: { env: 'CONFIG_DIR', schema: z.string().default('./config'), doc: 'holds `catalog/`, `inventory/` and `policies.yaml`' },
    shutdownTimeoutMs: int(
      'SHUTDOWN_TIMEOUT_MS',
      30_000,
      1000,
      3_600_000,
      "on SIGTERM, how long running jobs have to finish before the process exits anyway (exit 1); the container's grace period (`terminationGracePeriodSeconds`, `stop_grace_period`) matches it",
    ),
    simulatedLab: choice(
      'SIMULATED_LAB',
      ['auto', 'on', 'off'],
      'auto',
      "`auto`: `start` runs the simulated NEs in place of the inventory when `CONFIG_DIR` is the repository's own `config/`, none of its NE credentials is set and `NODE_ENV` is not `production`; `on`: always; `off`: never (compose and Kubernetes set `off`)",
    ),
  },
} satisfies SettingsSection;

/** Every setting, by section, in the README's order. */
export const FLEET_SETTINGS = { redis, queues, workers, devices, api, observability, operations } as const;

// --- the configuration they make ----------------------------------------------------------

type ValueOf<T> = T extends Setting<infer V> ? V : { [K in keyof T]: ValueOf<T[K]> };
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Sections = typeof FLEET_SETTINGS;
type Parsed = UnionToIntersection<{ [S in keyof Sections]: ValueOf<Sections[S]['settings']> }[keyof Sections]>;

/** Settings whose default depends on another setting (see their `shows`). */
interface DerivedDefaults {
  /** Shards of order keys and activation queues: 1 on one Redis, 16 by default on a Cluster. */
  queueShards: number;
  activationLockMarginMs: number;
}

/** Validated once at start; each wrong value is named with what it should be. */
export type FleetConfig = Omit<Parsed, keyof DerivedDefaults> & DerivedDefaults;

function isSetting(node: Setting | SettingTree): node is Setting {
  return typeof node.env === 'string' && 'schema' in node;
}

/** Every setting with its place in FleetConfig (`['http', 'headersTimeoutMs']`). */
export function allSettings(): Array<{ section: keyof Sections; path: string[]; setting: Setting }> {
  const out: Array<{ section: keyof Sections; path: string[]; setting: Setting }> = [];
  const walk = (section: keyof Sections, tree: SettingTree, path: string[]): void => {
    for (const [key, node] of Object.entries(tree)) {
      if (isSetting(node)) out.push({ section, path: [...path, key], setting: node });
      else walk(section, node, [...path, key]);
    }
  };
  for (const [section, s] of Object.entries(FLEET_SETTINGS) as Array<[keyof Sections, SettingsSection]>) walk(section, s.settings, []);
  return out;
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Rules between settings, checked once each setting is valid on its own. */
function crossChecks(c: FleetConfig): string[] {
  const problems: string[] = [];
  if (c.apiAuth === 'none' && !isLoopbackHost(c.httpHost)) {
    problems.push(`API_AUTH=none serves the TMF APIs to anyone who can connect: it is accepted only with a loopback HTTP_HOST (127.0.0.1, ::1, localhost), got ${c.httpHost}`);
  }
  // Node refuses a headers timeout longer than the request timeout.
  if (c.http.headersTimeoutMs > c.http.requestTimeoutMs) {
    problems.push(`HTTP_HEADERS_TIMEOUT_MS (${c.http.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${c.http.requestTimeoutMs}): the headers are part of the request`);
  }
  // A dead worker's lease must free its NE's sessions before its pending confirmed commit reverts, or nobody can confirm or cancel in time.
  if (c.sessionLeaseTtlMs >= c.confirmTimeoutS * 1000) {
    problems.push(
      `SESSION_LEASE_TTL_MS (${c.sessionLeaseTtlMs}) must be shorter than CONFIRM_TIMEOUT_S (${c.confirmTimeoutS} s): a dead worker's session lease must expire before its confirmed commit reverts`,
    );
  }
  if (c.activationLockMarginMs >= c.activationLockMs) {
    problems.push(`ACTIVATION_LOCK_MARGIN_MS (${c.activationLockMarginMs}) must be shorter than ACTIVATION_LOCK_MS (${c.activationLockMs}): no device write could ever start`);
  }
  return problems;
}

/** The one schema of the environment: each setting's schema under its variable's name. */
const envSchema = z.object(Object.fromEntries(allSettings().map(({ setting }) => [setting.env, setting.schema])));

function invalid(lines: string[]): FleetError {
  return new FleetError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`);
}

export function loadFleetConfig(env: NodeJS.ProcessEnv = process.env): FleetConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw invalid(parsed.error.issues.map((i) => (i.message.includes(String(i.path[0])) ? i.message : `${String(i.path[0])}: ${i.message}`)));
  }
  // Laid out as FleetConfig: each value at its setting's path; an unset optional one is absent.
  const config: Record<string, unknown> = {};
  for (const { path, setting } of allSettings()) {
    const value = parsed.data[setting.env];
    if (value === undefined) continue;
    let at = config;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1] as string] = value;
  }
  const values = config as Parsed;
  const result: FleetConfig = {
    ...values,
    queueShards: values.queueShards ?? (values.redisCluster ? 16 : 1),
    activationLockMarginMs: values.activationLockMarginMs ?? Math.min(5000, Math.floor(values.activationLockMs / 4)),
  };
  const problems = crossChecks(result);
  if (problems.length > 0) throw invalid(problems);
  return result;
}
