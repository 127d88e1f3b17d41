import { describe, expect, it } from 'vitest';
import { redactedRedisUrl } from '../../cli/cli-context.js';

describe('the Redis URL in the start-up line', () => {
  it('never carries the password', () => {
    expect(redactedRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactedRedisUrl('rediss://:s3cret-pw@redis.example:6380/2')).toBe('rediss://:***@redis.example:6380/2');
    expect(redactedRedisUrl('redis://fleet:s3cret-pw@redis:6379')).toBe('redis://fleet:***@redis:6379');
    expect(redactedRedisUrl('not a url s3cret')).not.toContain('s3cret');
  });
});
