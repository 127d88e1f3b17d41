/**
 * Holds one NE budget lease as an OS process of its own, for tests that kill it: a crashed
 * worker's lease must free itself. Reads REDIS_URL, BUDGET_PREFIX, BUDGET_NE (JSON) and
 * BUDGET_LEASE_TTL_MS; prints the lease id once it holds the lease, then renews it until killed.
 */
import { Redis } from 'ioredis';
import { networkElementSchema } from '../../inventory/network-element.js';
import { Keyspace } from '../../stores/keyspace.js';
import { NeBudget } from '../../stores/ne-budget.js';

const redis = new Redis(process.env.REDIS_URL ?? '', { maxRetriesPerRequest: null });
const budget = new NeBudget(redis, { keys: new Keyspace(process.env.BUDGET_PREFIX ?? '', 1), group: () => undefined, leaseTtlMs: Number(process.env.BUDGET_LEASE_TTL_MS) });
const lease = await budget.tryAcquire(networkElementSchema.parse(JSON.parse(process.env.BUDGET_NE ?? '{}')));
if (!lease) {
  process.stdout.write('refused\n');
  process.exit(1);
}
process.stdout.write(`${lease.id}\n`);
// The renewal timer is unref'd: this keeps the process (and with it the renewals) alive.
setInterval(() => undefined, 60_000);
