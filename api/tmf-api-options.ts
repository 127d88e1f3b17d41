import type { FleetConfig } from '../runtime/fleet-config.js';

/** Settings of the TMF Open API (role api), as its parts take them; the defaults are FleetConfig's (API_BODY_LIMIT_BYTES, NOTIFY_*, MONITOR_ORPHAN_MS). */
export interface TmfApiOptions {
  /**
   * Base of absolute hrefs and Location headers, e.g. `https://fleet.example`. Behind a proxy,
   * set it: otherwise each request's own protocol and Host header are used.
   */
  publicUrl?: string;
  /**
   * Largest request body accepted; larger ones get 413 before any parsing.
   */
  bodyLimitBytes: number;
  /**
   * Delivery attempts per notification before the listener's delivery job gives up (the events
   * stay in its outbox and go out with the next event). With the default backoff, 30 attempts
   * cover about 25 minutes of listener downtime.
   */
  notifyAttempts: number;
  /**
   * First retry delay of a failed delivery; doubles per attempt up to `notifyMaxBackoffMs`.
   */
  notifyBackoffMs: number;
  notifyMaxBackoffMs: number;
  /**
   * How long a listener has to answer one notification.
   */
  notifyTimeoutMs: number;
  /**
   * Notification deliveries in flight per api process (each to a different listener: one
   * listener's events go out one at a time, in order).
   */
  deliveryConcurrency: number;
  /**
   * A TMF640 monitor whose order has been missing this long ends inError (the order was lost
   * with Redis state, or its submission failed); swept every half of it, at most every 30 s.
   */
  monitorOrphanMs: number;
  /**
   * Failed delivery jobs the notification queue keeps, by count and age (JOBS_KEEP_FAILED,
   * JOBS_KEEP_FAILED_S, as every queue). Completed ones are removed at once: a delivery's
   * progress is the listener's cursor, kept with the listener.
   */
  failedDeliveriesKept: { count: number; ageSeconds: number };
}

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
