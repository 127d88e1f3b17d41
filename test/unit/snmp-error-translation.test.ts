import snmp from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { isEngineOutOfSync, translateSnmpError } from '../../adapters/snmp/snmp-errors.js';
import { networkElementSchema } from '../../inventory/network-element.js';

const ne = networkElementSchema.parse({ id: 'agent-1', role: 'snmp-agent', protocol: 'snmp', host: '127.0.0.1', port: 161, credentialsRef: 'env:X', commandTimeoutMs: 2000 });
const translate = (error: unknown) => translateSnmpError(error, { ne, oids: ['1.3.6.1.2.1.1.4.0'], appliedOnTimeout: 'unknown' });

/** A net-snmp ResponseInvalidError; ENotInTimeWindow (14) is missing from @types/net-snmp. */
const responseInvalid = (message: string, code: number) => new snmp.ResponseInvalidError(message, code as snmp.ResponseInvalidCode);

describe('translateSnmpError', () => {
  it.each([
    ['a usmStatsUnknownEngineIDs report', responseInvalid('Unknown Engine ID', snmp.ResponseInvalidCode.EAuthFailure)],
    ['a usmStatsNotInTimeWindows report', responseInvalid('Not In Time Window', snmp.ResponseInvalidCode.EAuthFailure)],
    ['an answer outside the time window', responseInvalid("Message with engineBoots '1' and engineTime '1' is outside the time window", 14)],
  ])('%s is a stale engine notion: transient, nothing applied, curable by rediscovery', (_label, error) => {
    const translated = translate(error);
    expect(translated.code).toBe('NE_CONNECTION_FAILED');
    expect(translated.transient).toBe(true);
    expect(translated.details).toMatchObject({ applied: 'none' });
    expect(isEngineOutOfSync(translated)).toBe(true);
  });

  it.each([
    ['Wrong Digest (incorrect password, community or key)'],
    ['Unknown User Name'],
    ['Unsupported Security Level'],
  ])('a %s report is NE_AUTHENTICATION_FAILED, permanent', (message) => {
    const translated = translate(responseInvalid(message, snmp.ResponseInvalidCode.EAuthFailure));
    expect(translated.code).toBe('NE_AUTHENTICATION_FAILED');
    expect(translated.transient).toBe(false);
    expect(isEngineOutOfSync(translated)).toBe(false);
  });

  it('an error status names the RFC 3416 status and the varbind net-snmp blames', () => {
    const translated = translate(new snmp.RequestFailedError('NotWritable: 1.3.6.1.2.1.1.1.0', snmp.ErrorStatus.NotWritable));
    expect(translated.message).toBe('agent-1: agent answered notWritable for 1.3.6.1.2.1.1.1.0');
    expect(translated.details).toMatchObject({ status: 'notWritable', oid: '1.3.6.1.2.1.1.1.0', applied: 'none' });
    expect(translated.transient).toBe(false);
  });

  it('resourceUnavailable is worth a retry', () => {
    expect(translate(new snmp.RequestFailedError('ResourceUnavailable: 1.3.6.1.2.1.1.4.0', snmp.ErrorStatus.ResourceUnavailable)).transient).toBe(true);
  });

  it('a socket error leaves a SET outcome unknown', () => {
    const translated = translate(new Error('Socket forcibly closed'));
    expect(translated.code).toBe('NE_CONNECTION_FAILED');
    expect(translated.details).toMatchObject({ applied: 'unknown' });
  });
});
