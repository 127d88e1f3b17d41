import { describe, expect, it } from 'vitest';
import { assertDataPath, encodeKey } from '../../adapters/restconf/restconf-change.js';
import { parseErrors, translateStatus } from '../../adapters/restconf/restconf-errors.js';

const errors = (tag: string, message = 'm') => JSON.stringify({ 'ietf-restconf:errors': { error: [{ 'error-type': 'application', 'error-tag': tag, 'error-message': message }] } });

describe('RESTCONF status translation', () => {
  it.each([
    [400, 'invalid-value', 'NE_COMMAND_REJECTED', false],
    [401, 'access-denied', 'NE_AUTHENTICATION_FAILED', false],
    [403, 'access-denied', 'NE_AUTHENTICATION_FAILED', false],
    [404, 'invalid-value', 'NE_COMMAND_REJECTED', false],
    [405, 'operation-not-supported', 'NE_UNSUPPORTED', false],
    [409, 'in-use', 'NE_LOCKED', true],
    [409, 'lock-denied', 'NE_LOCKED', true],
    [409, 'data-exists', 'NE_COMMAND_REJECTED', false],
    [409, 'data-missing', 'NE_COMMAND_REJECTED', false],
    [412, 'operation-failed', 'NE_COMMAND_REJECTED', true],
    [415, 'invalid-value', 'NE_UNSUPPORTED', false],
    [500, 'operation-failed', 'NE_COMMAND_REJECTED', true],
    [503, 'resource-denied', 'NE_SESSION_LIMIT', true],
  ])('%i %s is %s, transient %s', (status, tag, code, transient) => {
    const error = translateStatus('ne-1', 'PATCH /restconf/data', status, errors(tag, 'the words'));
    expect({ code: error.code, transient: error.transient }).toEqual({ code, transient });
    expect(error.message).toBe(`ne-1: PATCH /restconf/data: HTTP ${status} ${tag}: the words`);
  });

  it('reads the errors of a YANG Patch status, and bounds the text', () => {
    const body = JSON.stringify({ 'ietf-yang-patch:yang-patch-status': { 'patch-id': 'p', edit: [{ 'edit-id': 'edit-1', errors: { error: [{ 'error-tag': 'data-exists', 'error-path': '/a:b', 'error-message': 'x'.repeat(5000) }] } }] } });
    expect(parseErrors(body)).toEqual([{ errorTag: 'data-exists', errorPath: '/a:b', errorMessage: 'x'.repeat(5000), errorType: undefined, errorAppTag: undefined }]);
    expect(translateStatus('ne-1', 'PATCH', 409, body).message.length).toBeLessThan(700);
    expect(translateStatus('ne-1', 'GET', 502, '<html>bad gateway</html>').message).toBe('ne-1: GET: HTTP 502 <html>bad gateway</html>');
  });
});

describe('RESTCONF paths', () => {
  it('encodes key values so that they stay one value (RFC 8040 3.5.3)', () => {
    expect(encodeKey('a/b,c d')).toBe('a%2Fb%2Cc%20d');
    expect(assertDataPath('n', `m:list=${encodeKey('x/../y')}`)).toBe('m:list=x%2F..%2Fy');
  });
  it.each(['x', '/m:a', 'm:a/../b', 'm:a?depth=1', 'm:a#f', 'm:a b', 'm:a=%zz', 'http://h/m:a'])('refuses %s', (path) => {
    expect(() => assertDataPath('n', path)).toThrow(/not an RFC 8040 data resource path/);
  });
});
