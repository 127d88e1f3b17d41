/**
 * Settings of the TMF Open API (role api), as its parts take them; runtime/tmf-api-settings.ts
 * fills them from the fleet config, which holds the defaults (API_BODY_LIMIT_BYTES, NOTIFY_*, MONITOR_ORPHAN_MS).
 */
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

/**
 * What the api role reads of the process's configuration, named as in the fleet config (API_AUTH,
 * API_TOKENS_FILE, API_TOKENS, HTTP_HOST, QUEUE_PREFIX, QUEUE_UI_WRITABLE): the api declares what
 * it needs, and runtime/ (the layer above) passes the fleet config in.
 */
export interface TmfApiConfig {
  /** `none`: lab mode, the APIs answer without a token (the config accepts it on loopback only). */
  apiAuth: 'tokens' | 'none';
  apiTokensFile?: string | undefined;
  apiTokens?: string | undefined;
  /** Where the process listens, named in the lab-mode warning. */
  httpHost: string;
  /** The prefix of the fleet's Redis keys. */
  queuePrefix: string;
  /** Operators may retry and remove jobs in the queue UI. */
  queueUiWritable: boolean;
}
