import { describe, expect, it } from 'vitest';
import { decodeLedgerEntry, encodeLedgerEntry } from '../../stores/order-fields.js';

describe('ledger entries', () => {
  it('keep the form item-start.lua writes, and carry what the NE held before, byte for byte', () => {
    expect(encodeLedgerEntry({ fence: 3, state: 'pending' })).toBe('3|pending');
    expect(decodeLedgerEntry('3|pending')).toEqual({ fence: 3, state: 'pending' });
    const prior = { protocol: 'snmp' as const, varbinds: [{ oid: '1.3.6.1.2.1.1.6.0', type: 'OctetString' as const, value: 'rack 1|row "2"' }] };
    const encoded = encodeLedgerEntry({ fence: 12, state: 'done', prior });
    expect(decodeLedgerEntry(encoded)).toEqual({ fence: 12, state: 'done', prior });
  });
});
