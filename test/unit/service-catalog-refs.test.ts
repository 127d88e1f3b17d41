import { describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';

const spec = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `${id} name`,
  version: '1.0',
  characteristics: {},
  actions: { add: { steps: [{ name: 's', neRole: 'pcrf', protocol: 'ssh-cli', apply: { lines: ['x'] } }] } },
  ...extra,
});

const catalog = () =>
  ServiceCatalog.fromDocuments([
    { source: 'vcpe.yaml', content: spec('vcpe-lab', { name: 'vCPE', aliases: [{ id: '1212', version: '1.0.0' }, { id: '12', version: '1' }] }) },
    { source: 'vcpe2.yaml', content: spec('vcpe-next', { name: 'vCPE', version: '2.0', aliases: [{ id: '1212', version: '2.0.0' }] }) },
    { source: 'plan.yaml', content: spec('plan') },
  ]);

describe('catalog references as integrators send them', () => {
  it('finds a specification by its id, by an alias id with its version, and by name', () => {
    const c = catalog();
    expect(c.get('plan')?.id).toBe('plan');
    expect(c.get({ id: '12' })?.id).toBe('vcpe-lab');
    expect(c.get({ id: '1212', version: '1.0.0' })?.id).toBe('vcpe-lab');
    expect(c.get({ id: '1212', version: '2.0.0' })?.id).toBe('vcpe-next');
    expect(c.get({ name: 'plan name' })?.id).toBe('plan');
    expect(c.get({ name: 'vCPE', version: '2.0' })?.id).toBe('vcpe-next');
  });

  it('names the problem: unknown id, unknown version, ambiguous alias or name', () => {
    const c = catalog();
    expect(c.resolve({ id: 'nope' })).toEqual({ problem: expect.objectContaining({ kind: 'unknown' }) });
    expect(c.resolve({ id: 'plan', version: '9' })).toEqual({ problem: expect.objectContaining({ kind: 'version' }) });
    expect(c.resolve({ id: '1212' })).toEqual({ problem: expect.objectContaining({ kind: 'ambiguous', message: expect.stringContaining('serviceSpecification.version') }) });
    expect(c.resolve({ name: 'vCPE' })).toEqual({ problem: expect.objectContaining({ kind: 'ambiguous' }) });
    expect(c.get('1212')).toBeUndefined();
  });

  it('refuses an alias that clashes with another specification', () => {
    expect(() => ServiceCatalog.fromDocuments([{ source: 'a', content: spec('a', { aliases: [{ id: 'b' }] }) }, { source: 'b', content: spec('b') }])).toThrow(/alias b/);
    expect(() => ServiceCatalog.fromDocuments([{ source: 'a', content: spec('a', { aliases: [{ id: 'x' }] }) }, { source: 'b', content: spec('b', { aliases: [{ id: 'x' }] }) }])).toThrow(/distinct version/);
  });

  it('carries category (CFS by default) and composition', () => {
    const c = ServiceCatalog.fromDocuments([{ source: 'a', content: spec('a', { category: 'RFS' }) }, { source: 'b', content: spec('b') }]);
    expect(c.get('a')?.category).toBe('RFS');
    expect(c.get('b')?.category).toBe('CFS');
  });
});
