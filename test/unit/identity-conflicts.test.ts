import { describe, expect, it } from 'vitest';
import { serviceSpecificationSchema } from '../../catalog/service-specification.js';

describe('identity characteristics', () => {
  it('must be declared characteristics', () => {
    const base = { id: 'p', name: 'P', characteristics: { msisdn: { type: 'string' } }, actions: { add: { steps: [{ name: 'a', neRole: 'r', protocol: 'ssh-cli', apply: { lines: ['x'] } }] } } };
    expect(serviceSpecificationSchema.safeParse({ ...base, identity: ['msisdn'] }).success).toBe(true);
    const wrong = serviceSpecificationSchema.safeParse({ ...base, identity: ['imsi'] });
    expect(wrong.success).toBe(false);
    expect(JSON.stringify(wrong.error?.issues)).toContain('identity names imsi, which is not a declared characteristic');
  });
});
