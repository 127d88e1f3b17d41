import type { Redis } from 'ioredis';

/**
 * Every key under the prefix with its value, as text: strings, hashes, lists, sets, sorted
 * sets and streams. What a secret scan reads to prove Redis holds no secret.
 */
export async function dumpRedis(redis: Redis, pattern = '*'): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      else value = `(${type})`;
      parts.push(`${key} ${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return parts.join('\n');
}

/** Where each secret appears: `secret #i in <haystack>` per find (the secret itself never printed). */
export function findSecrets(secrets: readonly string[], haystacks: Record<string, string>): string[] {
  const found: string[] = [];
  secrets.forEach((secret, i) => {
    if (secret.length < 8) throw new Error(`secret #${i} is too short to scan for reliably`);
    for (const [where, text] of Object.entries(haystacks)) {
      if (text.includes(secret) || text.includes(encodeURIComponent(secret)) || text.includes(Buffer.from(secret).toString('base64'))) found.push(`secret #${i} in ${where}`);
    }
  });
  return found;
}
