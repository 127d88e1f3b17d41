import { describe, expect, it } from 'vitest';
import { decodeLedgerEntry, encodeLedgerEntry, type LedgerEntry } from '../../stores/order-fields.js';

describe('ledger entries', () => {
  it('keep the form item-start.lua writes, and carry what the NE held before, byte for byte', () => {
    expect(encodeLedgerEntry({ fence: 3, state: 'pending' })).toBe('3|pending');
    expect(decodeLedgerEntry('3|pending')).toEqual({ fence: 3, state: 'pending' });
    const prior = { protocol: 'snmp' as const, varbinds: [{ oid: '1.3.6.1.2.1.1.6.0', type: 'OctetString' as const, value: 'rack 1|row "2"' }] };
    const encoded = encodeLedgerEntry({ fence: 12, state: 'done', prior });
    expect(decodeLedgerEntry(encoded)).toEqual({ fence: 12, state: 'done', prior });
  });

  // A confirmed commit's persist-id and the prior values share the field, alone or together.
  const prior = { protocol: 'snmp' as const, varbinds: [{ oid: '1.3.6.1.2.1.1.4.0', type: 'OctetString' as const, value: 'root | ops' }] };
  it.each<LedgerEntry>([
    { fence: 5, state: 'pending', persistId: 'o1.item.activate.step-1' },
    { fence: 5, state: 'unconfirmed', persistId: 'o1.item.activate.step-1' },
    { fence: 7, state: 'undoing', persistId: 'o1.i.activate.s', prior },
    { fence: 8, state: 'cancelled', persistId: 'o1.other.activate.s' },
  ])('round-trip with a persist-id: %j', (entry) => {
    expect(decodeLedgerEntry(encodeLedgerEntry(entry))).toEqual(entry);
  });

  it('read the persist-id form the window writes, and take an unknown state as pending', () => {
    expect(decodeLedgerEntry('2|unconfirmed|p.1')).toEqual({ fence: 2, state: 'unconfirmed', persistId: 'p.1' });
    expect(decodeLedgerEntry('2|bogus')).toEqual({ fence: 2, state: 'pending' });
  });
});
