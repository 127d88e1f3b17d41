import { describe, expect, it } from 'vitest';
import { FleetError } from '../../errors/index.js';
import { allSettings, loadFleetConfig } from '../../runtime/fleet-config.js';
import { CONFIRM_TIMEOUT_S } from '../../workers/step-operations.js';

function configError(env: NodeJS.ProcessEnv): FleetError {
  try {
    loadFleetConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return error as FleetError;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('loadFleetConfig', () => {
  it('has defaults for everything', () => {
    expect(loadFleetConfig({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      configDir: './config',
      httpPort: 8080,
      httpHost: '127.0.0.1',
      apiAuth: 'tokens',
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000 },
      redisCheckIntervalMs: 5000,
      readyTimeoutMs: 500,
      monitorOrphanMs: 60_000,
      logLevel: 'info',
      queuePrefix: '{activation-fleet}',
      redisCluster: false,
      workerConcurrency: 32,
      orchestratorConcurrency: 16,
      activationAttempts: 3,
      activationBackoffMs: 1000,
      activationLockMs: 120_000,
      jeopardyCheckMs: 5000,
      jeopardyAtRiskPercent: 20,
      metricsNeLabels: [],
      sessionIdleMs: 10_000,
      confirmTimeoutS: 120,
      checkSyncIntervalMs: 0,
      sessionLeaseTtlMs: 30_000,
      queueUiWritable: false,
      reconcileIntervalMs: 30_000,
      reconcileQuietMs: 60_000,
      queueShards: 1,
      jobRetention: { completedCount: 10_000, completedAgeSeconds: 3600, failedCount: 10_000, failedAgeSeconds: 7 * 86_400 },
      // Settings that were constants in code before
      intakeConcurrency: 8,
      activationLockMarginMs: 5000,
      jeopardyLookaheadMs: 86_400_000,
      checkSyncLeaseMs: 60_000,
      sessionAcquireTimeoutMs: 60_000,
      blockedWaitMarginS: 30,
      blockedProbeMs: 3000,
      parkFallbackMs: 30_000,
      // The TMF API's, defaulted here rather than in api/
      apiBodyLimitBytes: 1024 * 1024,
      notifyAttempts: 30,
      notifyBackoffMs: 1000,
      notifyMaxBackoffMs: 60_000,
      notifyTimeoutMs: 5000,
      notifyConcurrency: 8,
      // Operations
      shutdownTimeoutMs: 30_000,
      logFormat: 'auto',
      simulatedLab: 'auto',
    });
  });

  it('shards a Redis Cluster 16 ways unless told otherwise', () => {
    expect(loadFleetConfig({ REDIS_CLUSTER: 'true' }).queueShards).toBe(16);
    expect(loadFleetConfig({ REDIS_CLUSTER: 'true', QUEUE_SHARDS: '3' }).queueShards).toBe(3);
    expect(loadFleetConfig({ QUEUE_SHARDS: '4' }).queueShards).toBe(4);
  });

  it('takes API_AUTH=none only with a loopback HTTP_HOST, and names both when it refuses', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost']) {
      expect(loadFleetConfig({ API_AUTH: 'none', HTTP_HOST: host }).apiAuth).toBe('none');
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'fleet.example', '128.0.0.1']) {
      const error = configError({ API_AUTH: 'none', HTTP_HOST: host });
      expect(error.message).toContain('API_AUTH=none');
      expect(error.message).toContain(host);
    }
    expect(configError({ API_AUTH: 'off' }).message).toContain('API_AUTH');
  });

  it('treats empty strings as unset for numbers', () => {
    expect(loadFleetConfig({ HTTP_PORT: '', WORKER_CONCURRENCY: '' })).toMatchObject({ httpPort: 8080, workerConcurrency: 32 });
  });

  it('reads every variable', () => {
    expect(
      loadFleetConfig({
        REDIS_URL: 'rediss://cache.example:6380/2',
        CONFIG_DIR: '/etc/fleet',
        HTTP_PORT: '0',
        HTTP_HOST: '0.0.0.0',
        LOG_LEVEL: 'debug',
        QUEUE_PREFIX: 'tenant-a.fleet_1',
        WORKER_CONCURRENCY: '1',
        ORCHESTRATOR_CONCURRENCY: '10000',
        ACTIVATION_ATTEMPTS: '100',
        ACTIVATION_BACKOFF_MS: '0',
        ACTIVATION_LOCK_MS: '5000',
        JEOPARDY_CHECK_MS: '250',
        JEOPARDY_AT_RISK_PERCENT: '35',
        METRICS_NE_LABELS: 'pcrf-1, frr-1',
        SESSION_IDLE_MS: '500',
        CONFIRM_TIMEOUT_S: '90',
        SESSION_LEASE_TTL_MS: '15000',
        QUEUE_SHARDS: '8',
        JOBS_KEEP_COMPLETED: '5',
        JOBS_KEEP_COMPLETED_S: '60',
        JOBS_KEEP_FAILED: '7',
        JOBS_KEEP_FAILED_S: '600',
        SHUTDOWN_TIMEOUT_MS: '150000',
        LOG_FORMAT: 'json',
        SIMULATED_LAB: 'off',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '4000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        REDIS_CHECK_INTERVAL_MS: '250',
        READY_TIMEOUT_MS: '300',
        MONITOR_ORPHAN_MS: '1500',
        CHECK_SYNC_INTERVAL_MS: '3600000',
        INTAKE_CONCURRENCY: '2',
        ACTIVATION_LOCK_MARGIN_MS: '700',
        JEOPARDY_LOOKAHEAD_MS: '3600000',
        CHECK_SYNC_LEASE_MS: '9000',
        SESSION_ACQUIRE_TIMEOUT_MS: '1500',
        NE_BLOCKED_MARGIN_S: '5',
        NE_BLOCKED_PROBE_MS: '400',
        NE_PARK_FALLBACK_MS: '2500',
        API_BODY_LIMIT_BYTES: '2048',
        NOTIFY_ATTEMPTS: '4',
        NOTIFY_BACKOFF_MS: '10',
        NOTIFY_MAX_BACKOFF_MS: '100',
        NOTIFY_TIMEOUT_MS: '250',
        NOTIFY_CONCURRENCY: '3',
        API_PUBLIC_URL: 'https://fleet.example/base/',
      }),
    ).toEqual({
      redisUrl: 'rediss://cache.example:6380/2',
      configDir: '/etc/fleet',
      httpPort: 0,
      httpHost: '0.0.0.0',
      apiAuth: 'tokens',
      http: { headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 1000 },
      redisCheckIntervalMs: 250,
      readyTimeoutMs: 300,
      monitorOrphanMs: 1500,
      logLevel: 'debug',
      queuePrefix: '{tenant-a.fleet_1}',
      redisCluster: false,
      workerConcurrency: 1,
      orchestratorConcurrency: 10_000,
      activationAttempts: 100,
      activationBackoffMs: 0,
      activationLockMs: 5000,
      jeopardyCheckMs: 250,
      jeopardyAtRiskPercent: 35,
      metricsNeLabels: ['pcrf-1', 'frr-1'],
      sessionIdleMs: 500,
      confirmTimeoutS: 90,
      checkSyncIntervalMs: 3_600_000,
      sessionLeaseTtlMs: 15_000,
      queueUiWritable: false,
      reconcileIntervalMs: 30_000,
      reconcileQuietMs: 60_000,
      queueShards: 8,
      jobRetention: { completedCount: 5, completedAgeSeconds: 60, failedCount: 7, failedAgeSeconds: 600 },
      intakeConcurrency: 2,
      activationLockMarginMs: 700,
      jeopardyLookaheadMs: 3_600_000,
      checkSyncLeaseMs: 9000,
      sessionAcquireTimeoutMs: 1500,
      blockedWaitMarginS: 5,
      blockedProbeMs: 400,
      parkFallbackMs: 2500,
      apiBodyLimitBytes: 2048,
      notifyAttempts: 4,
      notifyBackoffMs: 10,
      notifyMaxBackoffMs: 100,
      notifyTimeoutMs: 250,
      notifyConcurrency: 3,
      apiPublicUrl: 'https://fleet.example/base',
      shutdownTimeoutMs: 150_000,
      logFormat: 'json',
      simulatedLab: 'off',
    });
  });

  it('names a wrong operations setting with what it should be', () => {
    expect(configError({ SHUTDOWN_TIMEOUT_MS: '500' }).message).toContain('SHUTDOWN_TIMEOUT_MS must be an integer from 1000 to 3600000, got "500"');
    expect(configError({ LOG_FORMAT: 'xml' }).message).toMatch(/LOG_FORMAT: .*auto.*json.*pretty/);
    expect(configError({ SIMULATED_LAB: 'yes' }).message).toMatch(/SIMULATED_LAB: .*auto.*on.*off/);
  });

  it("refuses a session lease that outlives the confirm timeout: a dead worker's lease must free its NE before its commit reverts", () => {
    expect(loadFleetConfig({ CONFIRM_TIMEOUT_S: '60', SESSION_LEASE_TTL_MS: '20000' })).toMatchObject({ confirmTimeoutS: 60, sessionLeaseTtlMs: 20_000 });
    expect(configError({ CONFIRM_TIMEOUT_S: '30', SESSION_LEASE_TTL_MS: '30000' }).message).toContain('SESSION_LEASE_TTL_MS (30000) must be shorter than CONFIRM_TIMEOUT_S (30 s)');
  });

  it('ignores unrelated variables', () => {
    expect(loadFleetConfig({ PATH: '/usr/bin', HOME: '/root' }).httpPort).toBe(8080);
  });

  it('names HTTP_PORT=abc', () => {
    const error = configError({ HTTP_PORT: 'abc' });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.transient).toBe(false);
    expect(error.message).toBe('invalid configuration:\n  HTTP_PORT must be an integer from 0 to 65535, got "abc"');
  });

  it.each([
    ['HTTP_PORT', '65536', 'HTTP_PORT must be an integer from 0 to 65535, got "65536"'],
    ['HTTP_PORT', '80.5', 'HTTP_PORT must be an integer from 0 to 65535, got "80.5"'],
    ['WORKER_CONCURRENCY', '0', 'WORKER_CONCURRENCY must be an integer from 1 to 10000, got "0"'],
    ['ORCHESTRATOR_CONCURRENCY', '-1', 'ORCHESTRATOR_CONCURRENCY must be an integer from 1 to 10000, got "-1"'],
    ['ACTIVATION_ATTEMPTS', '101', 'ACTIVATION_ATTEMPTS must be an integer from 1 to 100, got "101"'],
    ['ACTIVATION_LOCK_MS', '1000', 'ACTIVATION_LOCK_MS must be an integer from 5000 to 3600000, got "1000"'],
    ['REDIS_URL', 'http://x', 'REDIS_URL must start with redis:// or rediss://'],
    ['QUEUE_PREFIX', 'a b', 'QUEUE_PREFIX: letters, digits, _ . - (optionally in braces, a Redis hash tag)'],
    ['HTTP_HOST', 'every interface', 'HTTP_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name'],
    ['HTTP_HEADERS_TIMEOUT_MS', '10', 'HTTP_HEADERS_TIMEOUT_MS must be an integer from 100 to 600000, got "10"'],
    ['READY_TIMEOUT_MS', '20000', 'READY_TIMEOUT_MS must be an integer from 50 to 10000, got "20000"'],
  ])('names %s=%s', (name, value, line) => {
    expect(configError({ [name]: value }).message).toBe(`invalid configuration:\n  ${line}`);
  });

  it('accepts the addresses a container or a dual-stack host binds', () => {
    for (const host of ['0.0.0.0', '::', '::1', '10.0.0.7', 'api.internal']) expect(loadFleetConfig({ HTTP_HOST: host }).httpHost).toBe(host);
  });

  it('refuses a headers timeout longer than the request timeout, as Node would', () => {
    expect(configError({ HTTP_HEADERS_TIMEOUT_MS: '40000', HTTP_REQUEST_TIMEOUT_MS: '30000' }).message).toContain('HTTP_HEADERS_TIMEOUT_MS (40000) must not exceed HTTP_REQUEST_TIMEOUT_MS (30000)');
  });

  it('names LOG_LEVEL=loud with the levels it accepts', () => {
    const error = configError({ LOG_LEVEL: 'loud' });
    expect(error.message).toMatch(/^invalid configuration:\n {2}LOG_LEVEL: .*"fatal"\|"error"\|"warn"\|"info"\|"debug"\|"trace"\|"silent"/);
  });

  it('reports several wrong values at once, one line each', () => {
    const error = configError({ HTTP_PORT: 'abc', WORKER_CONCURRENCY: '0', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    const lines = error.message.split('\n').slice(1).map((l) => l.trim());
    expect(lines).toHaveLength(4);
    expect(lines).toEqual(
      expect.arrayContaining([
        'REDIS_URL must start with redis:// or rediss://',
        'HTTP_PORT must be an integer from 0 to 65535, got "abc"',
        'WORKER_CONCURRENCY must be an integer from 1 to 10000, got "0"',
        expect.stringMatching(/^LOG_LEVEL: /),
      ]),
    );
  });
  it('derives the lock margin from the lock unless set, and refuses one as long as the lock', () => {
    expect(loadFleetConfig({ ACTIVATION_LOCK_MS: '8000' }).activationLockMarginMs).toBe(2000);
    expect(loadFleetConfig({ ACTIVATION_LOCK_MS: '600000' }).activationLockMarginMs).toBe(5000);
    expect(configError({ ACTIVATION_LOCK_MS: '6000', ACTIVATION_LOCK_MARGIN_MS: '6000' }).message).toContain('ACTIVATION_LOCK_MARGIN_MS (6000) must be shorter than ACTIVATION_LOCK_MS (6000)');
  });

  it('declares each variable once, and the workers fall back to the same confirm timeout', () => {
    const names = allSettings().map((s) => s.setting.env);
    expect(new Set(names).size).toBe(names.length);
    expect(loadFleetConfig({}).confirmTimeoutS).toBe(CONFIRM_TIMEOUT_S);
  });

  it('names a wrong new setting with its variable and range', () => {
    expect(configError({ INTAKE_CONCURRENCY: '0' }).message).toBe('invalid configuration:\n  INTAKE_CONCURRENCY must be an integer from 1 to 10000, got "0"');
    expect(configError({ NOTIFY_CONCURRENCY: 'many' }).message).toContain('NOTIFY_CONCURRENCY must be an integer from 1 to 10000, got "many"');
  });
});
