import type { KeepJobs } from 'bullmq';

/** How many finished jobs a queue keeps, and for how long (JOBS_KEEP_* settings). */
export interface RetentionOptions {
  /** Completed jobs kept: at most this many, for at most this long. */
  completedCount: number;
  completedAgeSeconds: number;
  /** Failed jobs kept for this long (and at most this many). */
  failedCount: number;
  failedAgeSeconds: number;
}

/**
 * The BullMQ options that apply a retention: on a job when it is added, or on a Worker, where
 * they cover every job added without its own (the intake queue's jobs come from any client).
 * BullMQ trims on each finish, so a queue holds at most the counts, and nothing older than the
 * ages once another job finishes.
 */
export function keptJobs(retention: RetentionOptions): { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } {
  return {
    removeOnComplete: { age: retention.completedAgeSeconds, count: retention.completedCount },
    removeOnFail: { age: retention.failedAgeSeconds, count: retention.failedCount },
  };
}
