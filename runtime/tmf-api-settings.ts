import type { TmfApiOptions } from '../api/tmf-api-options.js';
import type { FleetConfig } from './fleet-config.js';

/** The API's settings from the fleet config (runtime/fleet-config.ts holds their defaults). */
export function tmfApiOptions(config: FleetConfig): TmfApiOptions {
  return {
    ...(config.apiPublicUrl !== undefined ? { publicUrl: config.apiPublicUrl } : {}),
    bodyLimitBytes: config.apiBodyLimitBytes,
    notifyAttempts: config.notifyAttempts,
    notifyBackoffMs: config.notifyBackoffMs,
    notifyMaxBackoffMs: config.notifyMaxBackoffMs,
    notifyTimeoutMs: config.notifyTimeoutMs,
    deliveryConcurrency: config.notifyConcurrency,
    monitorOrphanMs: config.monitorOrphanMs,
    failedDeliveriesKept: { count: config.jobRetention.failedCount, ageSeconds: config.jobRetention.failedAgeSeconds },
  };
}
