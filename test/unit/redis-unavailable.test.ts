import { describe, expect, it } from 'vitest';
import { FleetError } from '../../errors/index.js';
import { redactRedisUrl } from '../../queues/redis-connection.js';
import { describeRedisFailure, isRedisUnavailable, redisUnavailable } from '../../queues/redis-unavailable.js';

const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

describe('isRedisUnavailable', () => {
  it.each([
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    new Error('Command timed out'),
    new Error('Connection is closed.'),
    named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 0). Refer to "maxRetriesPerRequest" option for details.'),
    named('AbortError', 'Command aborted due to connection close'),
    new Error('connect ECONNREFUSED 127.0.0.1:6390'),
    new Error("Socket timeout. Expecting data, but didn't receive any in 6000ms."),
    named('ReplyError', 'LOADING Redis is loading the dataset in memory'),
    new Error('wrapped', { cause: new Error('Command timed out') }),
    new FleetError('REDIS_UNAVAILABLE', 'Redis at redis://h:1 is unavailable: not connected'),
  ])('recognises %s', (error) => {
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it.each([
    named('ReplyError', 'WRONGTYPE Operation against a key holding the wrong kind of value'),
    named('ReplyError', 'NOSCRIPT No matching script'),
    new FleetError('ORDER_NOT_FOUND', 'no service order with id x'),
    new TypeError('x is undefined'),
    'Command timed out',
    undefined,
  ])('does not take %s for an outage', (error) => {
    expect(isRedisUnavailable(error)).toBe(false);
  });
});

describe('the REDIS_UNAVAILABLE error', () => {
  it('names the URL without its password and the socket error, and is transient', () => {
    const error = redisUnavailable('redis://ops:s3cr3t-pass@cache.internal:6380/2', new Error('Connection is closed.'), new Error('connect ECONNREFUSED 10.0.0.5:6380'));
    expect(error.code).toBe('REDIS_UNAVAILABLE');
    expect(error.transient).toBe(true);
    expect(error.message).toBe('Redis at redis://ops@cache.internal:6380/2 is unavailable: connect ECONNREFUSED 10.0.0.5:6380');
    expect(error.message).not.toContain('s3cr3t');
  });

  it('says a frozen server did not answer in time, whatever the socket said before', () => {
    expect(describeRedisFailure(new Error('Command timed out'), new Error('read ECONNRESET'))).toBe('no answer in time (the command timed out)');
    // A frozen Redis: the command fails on another ground, the connection's last error is the timeout.
    expect(describeRedisFailure(new Error('Connection is closed.'), new Error('Command timed out'))).toBe('no answer in time (the command timed out)');
    expect(describeRedisFailure(named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 0).'))).toBe('not connected');
  });

  it('redacts a password given without a user, and survives garbage', () => {
    expect(redactRedisUrl('redis://:pw@127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactRedisUrl('rediss://127.0.0.1:6379')).toBe('rediss://127.0.0.1:6379');
    expect(redactRedisUrl('::not a url::')).toBe('(an unparsable REDIS_URL)');
  });
});
