import type { Redis } from 'ioredis';
import type { TmfNotification } from './tmf-notification.js';

// KEYS: resource hash, api events stream. ARGV: checked field, expected value ('' = absent),
// stream maxlen, number of hash field pairs, the pairs, then (type, event) pairs to append.
const COMPARE_AND_PUBLISH = `
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return 0 end
local i = 5
for _ = 1, tonumber(ARGV[4]) do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'type', ARGV[i], 'event', ARGV[i + 1])
  i = i + 2
end
return 1
`;

type StreamRedis = Redis & { apiCompareAndPublish(key: string, stream: string, ...args: (string | number)[]): Promise<number> };

export interface CompareAndPublish {
  key: string;
  field: string;
  /** The value `field` must hold for the change to apply; '' when it must be absent. */
  expected: string;
  set: Record<string, string>;
  events: TmfNotification[];
}

/**
 * The notifications the API itself raises (monitors, cancel tasks, services, deletions), on a
 * stream of their own beside the order events. A resource's change and its notification are
 * stored by one Lua call, guarded by the state it changes from: two api processes deriving
 * the same change store and announce it once, and the stream holds each resource's changes in
 * the order they happened.
 */
export class ApiEventStream {
  private readonly redis: StreamRedis;

  constructor(
    redis: Redis,
    readonly key: string,
    private readonly onPublished: () => void,
    private readonly maxLength = 100_000,
  ) {
    redis.defineCommand('apiCompareAndPublish', { numberOfKeys: 2, lua: COMPARE_AND_PUBLISH });
    this.redis = redis as StreamRedis;
  }

  async compareAndPublish(change: CompareAndPublish): Promise<boolean> {
    const pairs = Object.entries(change.set).flat();
    const events = change.events.flatMap((e) => [e.eventType, JSON.stringify(e)]);
    const stored = await this.redis.apiCompareAndPublish(change.key, this.key, change.field, change.expected, this.maxLength, pairs.length / 2, ...pairs, ...events);
    if (stored === 1 && change.events.length > 0) this.onPublished();
    return stored === 1;
  }

  async publish(events: TmfNotification[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const e of events) pipeline.xadd(this.key, 'MAXLEN', '~', this.maxLength, '*', 'type', e.eventType, 'event', JSON.stringify(e));
    await pipeline.exec();
    this.onPublished();
  }
}
