import type { FleetConfig } from '../runtime/fleet-config.js';

/** Settings of the TMF Open API (role api); FleetConfig carries what the environment set. */
export interface TmfApiOptions {
  /**
   * Base of absolute hrefs and Location headers, e.g. `https://fleet.example`. Behind a proxy,
   * set it: otherwise each request's own protocol and Host header are used.
   * @defaultValue taken from the request
   */
  publicUrl?: string;
  /**
   * Largest request body accepted; larger ones get 413 before any parsing.
   * @defaultValue 1 MiB
   */
  bodyLimitBytes: number;
  /**
   * Delivery attempts per notification before the listener's delivery job gives up (the events
   * stay in its outbox and go out with the next event). With the default backoff, 30 attempts
   * cover about 25 minutes of listener downtime.
   * @defaultValue 30
   */
  notifyAttempts: number;
  /**
   * First retry delay of a failed delivery; doubles per attempt up to `notifyMaxBackoffMs`.
   * @defaultValue 1000
   */
  notifyBackoffMs: number;
  /** @defaultValue 60000 */
  notifyMaxBackoffMs: number;
  /**
   * How long a listener has to answer one notification.
   * @defaultValue 5000
   */
  notifyTimeoutMs: number;
  /**
   * Notification deliveries in flight per api process (each to a different listener: one
   * listener's events go out one at a time, in order).
   * @defaultValue 8
   */
  deliveryConcurrency: number;
  /**
   * A TMF640 monitor whose order has been missing this long ends inError (the order was lost
   * with Redis state, or its submission failed); swept every half of it, at most every 30 s.
   * @defaultValue 60000
   */
  monitorOrphanMs: number;
  /**
   * Failed delivery jobs the notification queue keeps, by count and age (JOBS_KEEP_FAILED,
   * JOBS_KEEP_FAILED_S, as every queue). Completed ones are removed at once: a delivery's
   * progress is the listener's cursor, kept with the listener.
   * @defaultValue 10000 jobs, 7 days
   */
  failedDeliveriesKept: { count: number; ageSeconds: number };
}

export const DEFAULT_TMF_API_OPTIONS: TmfApiOptions = {
  bodyLimitBytes: 1024 * 1024,
  notifyAttempts: 30,
  notifyBackoffMs: 1000,
  notifyMaxBackoffMs: 60_000,
  notifyTimeoutMs: 5000,
  deliveryConcurrency: 8,
  monitorOrphanMs: 60_000,
  failedDeliveriesKept: { count: 10_000, ageSeconds: 7 * 86_400 },
};

/** The options as the environment set them (FleetConfig), defaults for the rest. */
export function tmfApiOptions(config: FleetConfig): TmfApiOptions {
  const d = DEFAULT_TMF_API_OPTIONS;
  return {
    ...(config.apiPublicUrl !== undefined ? { publicUrl: config.apiPublicUrl } : {}),
    bodyLimitBytes: config.apiBodyLimitBytes ?? d.bodyLimitBytes,
    notifyAttempts: config.notifyAttempts ?? d.notifyAttempts,
    notifyBackoffMs: config.notifyBackoffMs ?? d.notifyBackoffMs,
    notifyMaxBackoffMs: config.notifyMaxBackoffMs ?? d.notifyMaxBackoffMs,
    notifyTimeoutMs: config.notifyTimeoutMs ?? d.notifyTimeoutMs,
    deliveryConcurrency: d.deliveryConcurrency,
    monitorOrphanMs: config.monitorOrphanMs ?? d.monitorOrphanMs,
    failedDeliveriesKept: { count: config.jobRetention.failedCount, ageSeconds: config.jobRetention.failedAgeSeconds },
  };
}
