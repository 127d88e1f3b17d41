import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  FleetError,
  isFleetError,
  isTransient,
  NeError,
  NetconfRpcError,
  OrderRejectedError,
  type ErrorCode,
  type RpcErrorFields,
} from '../../errors/index.js';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

function rpcError(errorTag: string, extra: Partial<RpcErrorFields> = {}): RpcErrorFields {
  return { errorType: 'protocol', errorTag, errorSeverity: 'error', ...extra };
}

describe('ERROR_CODES', () => {
  it('is not empty and uses UPPER_SNAKE_CASE codes', () => {
    expect(CODES.length).toBeGreaterThan(20);
    for (const code of CODES) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)+$/);
  });

  it.each(CODES)('%s has a description and a boolean transient flag', (code) => {
    const entry = ERROR_CODES[code];
    expect(typeof entry.description).toBe('string');
    expect(entry.description.trim().length).toBeGreaterThan(10);
    expect(typeof entry.transient).toBe('boolean');
  });

  it('marks the retryable conditions transient and the rest not', () => {
    const transient = CODES.filter((c) => ERROR_CODES[c].transient).sort();
    expect(transient).toEqual(['NE_BUDGET_EXHAUSTED', 'NE_COMMIT_PENDING', 'NE_CONNECTION_FAILED', 'NE_LOCKED', 'NE_SESSION_LIMIT', 'NE_TIMEOUT', 'ORDER_CONCURRENT_UPDATE', 'ORDER_WAITING_FOR_SERVICE', 'REDIS_UNAVAILABLE']);
  });

  it('has a distinct description for every code', () => {
    const descriptions = CODES.map((c) => ERROR_CODES[c].description);
    expect(new Set(descriptions).size).toBe(descriptions.length);
  });
});

describe('FleetError', () => {
  it('carries code, transient (from the catalogue), name and message', () => {
    const error = new FleetError('NE_TIMEOUT', 'pcrf-1 did not answer');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FleetError');
    expect(error.code).toBe('NE_TIMEOUT');
    expect(error.transient).toBe(true);
    expect(error.message).toBe('pcrf-1 did not answer');
    expect(error.details).toEqual({});
    expect(new FleetError('ORDER_INVALID', 'x').transient).toBe(false);
  });

  it('lets the caller override transient and attach a cause and details', () => {
    const cause = new Error('socket hang up');
    const error = new FleetError('NE_COMMAND_REJECTED', 'busy', { transient: true, cause, details: { neId: 'pcrf-1' } });
    expect(error.transient).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ neId: 'pcrf-1' });
    expect(new FleetError('NE_TIMEOUT', 'x', { transient: false }).transient).toBe(false);
    expect('cause' in new FleetError('NE_TIMEOUT', 'x')).toBe(false);
  });

  it('survives JSON.stringify with its code', () => {
    const error = new FleetError('INVENTORY_NO_NETWORK_ELEMENT', 'no vms', { details: { role: 'vms' } });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'FleetError',
      code: 'INVENTORY_NO_NETWORK_ELEMENT',
      message: 'no vms',
      transient: false,
      details: { role: 'vms' },
    });
  });

  it('isFleetError tells fleet errors from others', () => {
    expect(isFleetError(new FleetError('ORDER_INVALID', 'x'))).toBe(true);
    expect(isFleetError(new NeError('NE_TIMEOUT', 'ne', 'x'))).toBe(true);
    expect(isFleetError(new Error('x'))).toBe(false);
    expect(isFleetError({ code: 'ORDER_INVALID', name: 'FleetError' })).toBe(false);
    expect(isFleetError(undefined)).toBe(false);
  });
});

describe('isTransient', () => {
  it('follows the error flag for fleet errors', () => {
    expect(isTransient(new FleetError('NE_CONNECTION_FAILED', 'x'))).toBe(true);
    expect(isTransient(new FleetError('NE_AUTHENTICATION_FAILED', 'x'))).toBe(false);
  });

  it('treats unknown errors as transient (crash-safe default)', () => {
    expect(isTransient(new Error('ECONNRESET'))).toBe(true);
    expect(isTransient(new TypeError('x is undefined'))).toBe(true);
    expect(isTransient('a string')).toBe(true);
    expect(isTransient(undefined)).toBe(true);
  });
});

describe('NeError', () => {
  it('prefixes the NE id and records it in details', () => {
    const error = new NeError('NE_AUTHENTICATION_FAILED', 'pcrf-1', 'permission denied', { details: { user: 'ops' } });
    expect(error).toBeInstanceOf(FleetError);
    expect(error.name).toBe('NeError');
    expect(error.neId).toBe('pcrf-1');
    expect(error.message).toBe('pcrf-1: permission denied');
    expect(error.details).toEqual({ neId: 'pcrf-1', user: 'ops' });
    expect(error.transient).toBe(false);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'NeError', code: 'NE_AUTHENTICATION_FAILED' });
  });
});

describe('NetconfRpcError', () => {
  it.each(['lock-denied', 'in-use', 'resource-denied'])('is transient (NE_LOCKED) for %s', (tag) => {
    const error = new NetconfRpcError('npdb-1', [rpcError(tag)]);
    expect(error.transient).toBe(true);
    expect(error.code).toBe('NE_LOCKED');
    expect(isTransient(error)).toBe(true);
  });

  it.each(['invalid-value', 'data-exists', 'access-denied', 'operation-failed', 'missing-element'])('is permanent (NE_RPC_ERROR) for %s', (tag) => {
    const error = new NetconfRpcError('npdb-1', [rpcError(tag)]);
    expect(error.transient).toBe(false);
    expect(error.code).toBe('NE_RPC_ERROR');
  });

  it('is permanent when any of several errors is permanent', () => {
    const error = new NetconfRpcError('npdb-1', [rpcError('in-use'), rpcError('invalid-value')]);
    expect(error.transient).toBe(false);
    expect(error.code).toBe('NE_RPC_ERROR');
  });

  it('is transient when every error is transient', () => {
    expect(new NetconfRpcError('npdb-1', [rpcError('in-use'), rpcError('lock-denied')]).transient).toBe(true);
  });

  it("is transient NE_COMMIT_PENDING, distinct from a lock, when a confirmed commit is outstanding (netconfd's words)", () => {
    const netconfd = rpcError('in-use', { errorAppTag: 'outstanding-confirmed-commit', errorMessage: 'cannot perform the operation with confirmed-commit pending' });
    const error = new NetconfRpcError('npdb-1', [netconfd]);
    expect(error.code).toBe('NE_COMMIT_PENDING');
    expect(error.transient).toBe(true);
    expect(error.message).toContain('cannot perform the operation with confirmed-commit pending');
    expect(error.message).toMatch(/^npdb-1: a confirmed commit is pending/);
    // A server without the app-tag that says so in words.
    expect(new NetconfRpcError('npdb-1', [rpcError('in-use', { errorMessage: 'a confirmed commit of another session is pending' })]).code).toBe('NE_COMMIT_PENDING');
    // A lock held by another session stays NE_LOCKED, with netconfd's words.
    const locked = new NetconfRpcError('npdb-1', [rpcError('lock-denied', { errorAppTag: 'no-access', errorMessage: 'lock denied' })]);
    expect([locked.code, locked.transient]).toEqual(['NE_LOCKED', true]);
    expect(locked.message).toBe('npdb-1: another session holds the configuration: rpc-error lock-denied: lock denied');
    // Refused for a pending commit together with a real error: the real error wins.
    expect(new NetconfRpcError('npdb-1', [netconfd, rpcError('invalid-value')]).code).toBe('NE_RPC_ERROR');
  });

  it('is permanent for an empty error list', () => {
    expect(new NetconfRpcError('npdb-1', []).transient).toBe(false);
  });

  it('describes every error with path and message and keeps the fields', () => {
    const errors = [
      rpcError('invalid-value', { errorPath: '/porting/ported-number/msisdn', errorMessage: 'bad number' }),
      rpcError('data-exists'),
    ];
    const error = new NetconfRpcError('npdb-1', errors);
    expect(error.name).toBe('NetconfRpcError');
    expect(error.message).toBe('npdb-1: rpc-error invalid-value at /porting/ported-number/msisdn: bad number; data-exists');
    expect(error.rpcErrors).toEqual(errors);
    expect(error.details).toEqual({ neId: 'npdb-1', rpcErrors: errors });
  });
});

describe('OrderRejectedError', () => {
  it('takes the first reason code and joins every message', () => {
    const error = new OrderRejectedError([
      { code: 'ORDER_UNKNOWN_SPECIFICATION', message: 'unknown service specification x', itemId: 'a' },
      { code: 'ORDER_INVALID_CHARACTERISTIC', message: 'msisdn is missing', itemId: 'b' },
    ]);
    expect(error.name).toBe('OrderRejectedError');
    expect(error.code).toBe('ORDER_UNKNOWN_SPECIFICATION');
    expect(error.message).toBe('unknown service specification x; msisdn is missing');
    expect(error.reasons).toHaveLength(2);
    expect(error.transient).toBe(false);
  });

  it('falls back to ORDER_INVALID with no reasons', () => {
    const error = new OrderRejectedError([]);
    expect(error.code).toBe('ORDER_INVALID');
    expect(error.message).toBe('order rejected');
  });
});
