import { describe, expect, it } from 'vitest';
import { oidIndexFromString } from '../../adapters/snmp/snmp-adapter.js';

describe('oidIndexFromString (non-IMPLIED OCTET STRING index)', () => {
  it('prefixes the length and gives one sub-identifier per byte', () => {
    expect(oidIndexFromString('12')).toBe('2.49.50');
    expect(oidIndexFromString('33612345678')).toBe('11.51.51.54.49.50.51.52.53.54.55.56');
  });

  it('encodes the empty string as a lone zero length', () => {
    expect(oidIndexFromString('')).toBe('0');
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(oidIndexFromString('é')).toBe('2.195.169');
  });

  it('keeps the MSISDN + sign as its byte value', () => {
    expect(oidIndexFromString('+1')).toBe('2.43.49');
  });
});
