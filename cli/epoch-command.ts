import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { FleetEpochStore, type EpochLoss, type FleetEpoch } from '../stores/fleet-epoch-store.js';
import { Keyspace } from '../stores/keyspace.js';
import { createRedisConnection, lastRedisError } from '../queues/redis-connection.js';
import { isRedisUnavailable, redisUnavailable } from '../queues/redis-unavailable.js';
import type { FleetConfig } from '../runtime/fleet-config.js';

/** Exit status when a loss of Redis state is recorded and not yet acknowledged (for scripts and runbooks). */
export const LOSS_PENDING_EXIT = 3;

const describeEpoch = (e: FleetEpoch): string => `${e.id} (created ${e.createdAt} by ${e.createdBy})`;

function describeLoss(loss: EpochLoss): string {
  const what = loss.found ? `replaced by epoch ${describeEpoch(loss.found)}` : 'vanished';
  return `lost: epoch ${describeEpoch(loss.lost)} ${what}; seen at ${loss.detectedAt} by ${loss.detectedBy}`;
}

/**
 * `activation-fleet epoch`: the fleet epoch and the recorded losses of Redis state.
 * `--acknowledge-loss` is the operator's word that the loss was dealt with (the NEs reconciled
 * against the inventory): every process stops reporting it and follows the current epoch.
 */
export async function epochCommand(config: FleetConfig, options: { acknowledge: boolean; json: boolean }): Promise<number> {
  const redis = createRedisConnection(config.redisUrl, 'activation-fleet:cli-epoch', { cluster: config.redisCluster });
  const store = new FleetEpochStore(redis, new Keyspace(config.queuePrefix, 1));
  const print = (line: string, value: unknown): void => console.log(options.json ? JSON.stringify(value) : line);
  try {
    if (options.acknowledge) {
      const { epoch, acknowledged } = await store.acknowledge({ id: randomUUID(), createdAt: new Date().toISOString(), createdBy: `${hostname()}:${process.pid} (activation-fleet epoch --acknowledge-loss)` });
      for (const loss of acknowledged) print(`acknowledged ${describeLoss(loss)}`, { acknowledged: loss });
      print(acknowledged.length > 0 ? `the fleet now follows epoch ${describeEpoch(epoch)}` : `no recorded loss to acknowledge; epoch ${describeEpoch(epoch)}`, { epoch });
      return 0;
    }
    const [{ epoch }, losses] = await Promise.all([store.read(), store.losses()]);
    print(epoch ? `epoch ${describeEpoch(epoch)}` : 'no fleet epoch: no fleet process has checked this Redis under this prefix yet, or a loss awaits acknowledgement', { epoch: epoch ?? null });
    for (const loss of losses) print(describeLoss(loss), { loss });
    if (losses.length > 0 && !options.json) console.log('acknowledged state may be lost: reconcile the NEs (README "Recovering from lost Redis state"), then run activation-fleet epoch --acknowledge-loss');
    return losses.length > 0 ? LOSS_PENDING_EXIT : 0;
  } catch (error) {
    if (isRedisUnavailable(error)) throw redisUnavailable(config.redisUrl, error, lastRedisError(config.redisUrl));
    throw error;
  } finally {
    redis.disconnect();
  }
}
