import type { Redis } from 'ioredis';
import type { Keyspace } from './keyspace.js';

/** The identity of the fleet's Redis state: created once, checked by every process. */
export interface FleetEpoch {
  id: string;
  createdAt: string;
  /** host:pid (roles) of the process that created it. */
  createdBy: string;
  /** Ids of lost epochs an operator acknowledged when this one was set (or kept). */
  acknowledges?: string[];
}

/** A process saw the epoch it knew vanish or change: recorded until an operator acknowledges it. */
export interface EpochLoss {
  lost: FleetEpoch;
  /** What stood in its place: nothing (a wipe, a restart without persistence) or another epoch. */
  found: FleetEpoch | null;
  detectedAt: string;
  detectedBy: string;
}

// KEYS: epoch, losses. ARGV: candidate epoch (JSON). Creates the epoch only on an empty slate:
// never while a loss is recorded and unacknowledged (that would heal the loss silently).
const CREATE_IF_ABSENT = `
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('SET', KEYS[1], ARGV[1])
end
return redis.call('GET', KEYS[1])
`;

// KEYS: epoch, losses. ARGV: candidate epoch (JSON), used when none exists. Marks every recorded
// loss acknowledged by the (new or kept) epoch, and returns it with the losses it acknowledged.
const ACKNOWLEDGE = `
local losses = redis.call('HGETALL', KEYS[2])
local current = redis.call('GET', KEYS[1])
local epoch = cjson.decode(current or ARGV[1])
local acknowledged = {}
if type(epoch.acknowledges) == 'table' then
  for _, id in ipairs(epoch.acknowledges) do table.insert(acknowledged, id) end
end
for i = 1, #losses, 2 do table.insert(acknowledged, losses[i]) end
if #acknowledged > 0 then epoch.acknowledges = acknowledged end
local stored = cjson.encode(epoch)
redis.call('SET', KEYS[1], stored)
redis.call('DEL', KEYS[2])
local reply = { stored }
for i = 2, #losses, 2 do table.insert(reply, losses[i]) end
return reply
`;

// KEYS: epoch, losses. ARGV: lost epoch id, loss (JSON). Records the loss once (1: it is pending,
// recorded now or by another process before), and not at all when the current epoch already
// acknowledges the lost one (0): a process whose check read the replaced epoch before an operator
// acknowledged it must not record it again afterwards.
const RECORD_LOSS = `
local current = redis.call('GET', KEYS[1])
if current then
  local epoch = cjson.decode(current)
  if type(epoch.acknowledges) == 'table' then
    for _, id in ipairs(epoch.acknowledges) do
      if id == ARGV[1] then return 0 end
    end
  end
end
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

type EpochRedis = Redis & {
  fleetEpochCreateIfAbsent(epoch: string, losses: string, candidate: string): Promise<string | null>;
  fleetEpochAcknowledge(epoch: string, losses: string, candidate: string): Promise<string[]>;
  fleetEpochRecordLoss(epoch: string, losses: string, lostId: string, loss: string): Promise<number>;
};

const parse = (text: string | null | undefined): FleetEpoch | undefined => (text ? (JSON.parse(text) as FleetEpoch) : undefined);

/**
 * The fleet epoch and the record of its losses, under the fleet's prefix. A Redis that loses its
 * data (restarted without persistence, a failover to a replica that had nothing, FLUSHALL)
 * loses the epoch with it; a process that knew the epoch sees it gone or changed.
 */
export class FleetEpochStore {
  private readonly redis: EpochRedis;

  constructor(
    redis: Redis,
    private readonly keys: Pick<Keyspace, 'epoch' | 'epochLosses'>,
  ) {
    redis.defineCommand('fleetEpochCreateIfAbsent', { numberOfKeys: 2, lua: CREATE_IF_ABSENT });
    redis.defineCommand('fleetEpochAcknowledge', { numberOfKeys: 2, lua: ACKNOWLEDGE });
    redis.defineCommand('fleetEpochRecordLoss', { numberOfKeys: 2, lua: RECORD_LOSS });
    this.redis = redis as EpochRedis;
  }

  get epochKey(): string {
    return this.keys.epoch;
  }

  get lossesKey(): string {
    return this.keys.epochLosses;
  }

  /** The epoch (if any) and how many losses wait for an acknowledgement, in one round trip. */
  async read(): Promise<{ epoch: FleetEpoch | undefined; pendingLosses: number }> {
    const [[epochError, epoch] = [null, null], [lossesError, losses] = [null, 0]] = (await this.redis.pipeline().get(this.epochKey).hlen(this.lossesKey).exec()) ?? [];
    if (epochError) throw epochError;
    if (lossesError) throw lossesError;
    return { epoch: parse(epoch as string | null), pendingLosses: Number(losses) };
  }

  /** Creates `candidate` unless an epoch exists or a loss is pending; the epoch as it now stands. */
  async createIfAbsent(candidate: FleetEpoch): Promise<FleetEpoch | undefined> {
    return parse(await this.redis.fleetEpochCreateIfAbsent(this.epochKey, this.lossesKey, JSON.stringify(candidate)));
  }

  /**
   * Records the loss of an epoch once (several processes may see the same loss); false when the
   * current epoch already acknowledges it (an operator acknowledged it meanwhile), and nothing is recorded.
   */
  async recordLoss(loss: EpochLoss): Promise<boolean> {
    return (await this.redis.fleetEpochRecordLoss(this.epochKey, this.lossesKey, loss.lost.id, JSON.stringify(loss))) === 1;
  }

  async losses(): Promise<EpochLoss[]> {
    return Object.values(await this.redis.hgetall(this.lossesKey)).map((v) => JSON.parse(v) as EpochLoss);
  }

  /** The operator's acknowledgement: every pending loss is marked acknowledged by the current epoch (or `candidate`). */
  async acknowledge(candidate: FleetEpoch): Promise<{ epoch: FleetEpoch; acknowledged: EpochLoss[] }> {
    const [stored, ...losses] = await this.redis.fleetEpochAcknowledge(this.epochKey, this.lossesKey, JSON.stringify(candidate));
    return { epoch: parse(stored) as FleetEpoch, acknowledged: losses.map((l) => JSON.parse(l) as EpochLoss) };
  }
}
