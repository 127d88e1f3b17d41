import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace.js';
import { scriptsOn, type ScriptCall } from './scripts.js';

/** What a complete service audit found, in counts with few label values (never a service or NE id). */
export interface ServiceAuditSummary {
  startedAt: number;
  finishedAt: number;
  /** Services audited, by specification and outcome. */
  bySpecification: Array<{ specification: string; status: 'in-sync' | 'drift' | 'unknown'; services: number }>;
  /**
   * Drifted services by specification and the role of the NE the drift was found on (a service
   * drifted on two roles counts on both); 0 for every role a specification's services were
   * audited on and found in sync, so a drift that was repaired shows as 0, not as a gap.
   */
  drifted: Array<{ specification: string; role: string; services: number }>;
}

/**
 * The service audit's state in Redis: the summary of the last complete audit (every fleet
 * process exports it, whichever process or CLI ran the audit), and the lease that lets one
 * process at a time run the scheduled audit.
 */
export class ServiceAuditStore {
  private readonly leaseKeep: ScriptCall;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {
    this.leaseKeep = scriptsOn(redis)['lease-keep'];
  }

  async record(summary: ServiceAuditSummary): Promise<void> {
    await this.redis.set(this.keys.serviceAuditLast, JSON.stringify(summary));
  }

  async last(): Promise<ServiceAuditSummary | undefined> {
    const raw = await this.redis.get(this.keys.serviceAuditLast);
    return raw === null ? undefined : (JSON.parse(raw) as ServiceAuditSummary);
  }

  /** The runner's lease for `ttlMs`, when nobody holds it. */
  async claimRunner(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.serviceAuditRunner, owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Extends the owner's lease; false when it expired and may be someone else's now. */
  async renewRunner(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.leaseKeep(1, this.keys.serviceAuditRunner, owner, ttlMs)) === 1;
  }

  async releaseRunner(owner: string): Promise<void> {
    await this.leaseKeep(1, this.keys.serviceAuditRunner, owner, 0);
  }
}
