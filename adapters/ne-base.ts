import { z } from 'zod';

/**
 * The fields every network element has, whatever its protocol: what the fleet needs to reach it
 * and to budget it. Each driver adds its own profile under its own key (adapters/registry.ts
 * composes the whole NE schema). Here `protocol` is any text; the composed schema narrows it to
 * the registered protocols. Imports nothing from the drivers, so a driver may use `NeBase`.
 */
export const neBaseShape = {
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'NE id: letters, digits, _ . - (1-64)'),
  role: z.string().min(1),
  vendor: z.string().optional(),
  platform: z.string().optional(),
  protocol: z.string(),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  /** Sessions open at once to this NE across the whole fleet (every process, every host). */
  maxSessions: z.number().int().min(1).default(2),
  /** Operations (apply, verify, undo) per second across the fleet; unlimited when absent. */
  maxOpsPerSecond: z.number().positive().optional(),
  /** A budget shared with other NEs, e.g. all NEs behind one AAA/TACACS server. */
  budgetGroup: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  /** `env:NAME_PREFIX` (reads NAME_PREFIX_USERNAME, _PASSWORD, ...) or `file:/path/to/dir` (one file per field). */
  credentialsRef: z.string().regex(/^(env|file):.+$/, 'credentialsRef must be env:PREFIX or file:/path'),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  commandTimeoutMs: z.number().int().positive().default(30_000),
};

export type NeBase = z.output<z.ZodObject<typeof neBaseShape>>;
