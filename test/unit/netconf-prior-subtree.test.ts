import { describe, expect, it } from 'vitest';
import { priorSubtree } from '../../adapters/netconf/prior-subtree.js';

const IF = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const replace = `<interfaces xmlns="${IF}"><interface nc:operation="replace"><name>eth1</name><description>new</description></interface></interfaces>`;

describe('priorSubtree', () => {
  it('filters exactly the replaced list entry, by its key', () => {
    expect(priorSubtree(replace)?.filterXml).toBe(`<interfaces xmlns="${IF}"><interface><name>eth1</name></interface></interfaces>`);
  });

  it("restores the entry the reply holds (other entries aside), keeping the reply's prefix declarations", () => {
    const data = `<interfaces xmlns="${IF}" xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type"><interface><name>eth0</name></interface><interface><name>eth1</name><type>ianaift:l2vlan</type><description>old &amp; gold</description></interface></interfaces>`;
    expect(priorSubtree(replace)?.restore(data)).toBe(
      `<interfaces xmlns="${IF}"><interface xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type" xmlns:nc="${NC}" nc:operation="replace"><name>eth1</name><type>ianaift:l2vlan</type><description>old &amp; gold</description></interface></interfaces>`,
    );
  });

  it('removes the entry when running held none', () => {
    expect(priorSubtree(replace)?.restore('')).toBe(`<interfaces xmlns="${IF}"><interface xmlns:nc="${NC}" nc:operation="remove"><name>eth1</name></interface></interfaces>`);
  });

  it('offers nothing for a merge, or for a change that replaces several subtrees', () => {
    expect(priorSubtree(`<interfaces xmlns="${IF}"><interface><name>eth1</name></interface></interfaces>`)).toBeUndefined();
    const two = `<interfaces xmlns="${IF}"><interface nc:operation="replace"><name>a</name></interface><interface nc:operation="replace"><name>b</name></interface></interfaces>`;
    expect(priorSubtree(two)).toBeUndefined();
  });
});
