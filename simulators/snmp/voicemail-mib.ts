import snmp from 'net-snmp';
import type { AgentMib, MibRequest } from './net-snmp-agent.js';

/**
 * The simulated voicemail server's MIB, under a private enterprise arc that is fine for a test peer:
 *
 *   vmsSystemName          1.3.6.1.4.1.99999.1.1.0      OctetString, read-only
 *   vmMailboxTable         1.3.6.1.4.1.99999.2.1
 *     vmMailboxEntry       1.3.6.1.4.1.99999.2.1.1      INDEX { vmMailboxMsisdn } (length-prefixed)
 *       .1 vmMailboxMsisdn         OctetString, not-accessible
 *       .2 vmMailboxStatus         RowStatus, read-create
 *       .3 vmMailboxQuotaMinutes   Integer, read-create
 *       .4 vmMailboxLanguage       OctetString, read-create
 */
export const VMS_OIDS = {
  systemName: '1.3.6.1.4.1.99999.1.1.0',
  mailboxTable: '1.3.6.1.4.1.99999.2.1',
  mailboxEntry: '1.3.6.1.4.1.99999.2.1.1',
  mailboxStatus: '1.3.6.1.4.1.99999.2.1.1.2',
  mailboxQuotaMinutes: '1.3.6.1.4.1.99999.2.1.1.3',
  mailboxLanguage: '1.3.6.1.4.1.99999.2.1.1.4',
} as const;

export const MAILBOX_TABLE = 'vmMailboxTable';
const STATUS_COLUMN = 2;

/** Values a row gets when created by RowStatus without the other columns in the same SET. */
export const MAILBOX_DEFAULTS = { quotaMinutes: 30, language: 'en' } as const;

export interface Mailbox {
  msisdn: string;
  /** RowStatus: active(1), notInService(2). */
  status: number;
  quotaMinutes: number;
  language: string;
}

const scalarProvider = {
  name: 'vmsSystemName',
  type: snmp.MibProviderType.Scalar,
  oid: '1.3.6.1.4.1.99999.1.1',
  scalarType: snmp.ObjectType.OctetString,
  maxAccess: snmp.MaxAccess['read-only'],
};

const tableProvider = {
  name: MAILBOX_TABLE,
  type: snmp.MibProviderType.Table,
  oid: VMS_OIDS.mailboxEntry,
  maxAccess: snmp.MaxAccess['not-accessible'],
  tableColumns: [
    { number: 1, name: 'vmMailboxMsisdn', type: snmp.ObjectType.OctetString, maxAccess: snmp.MaxAccess['not-accessible'] },
    { number: STATUS_COLUMN, name: 'vmMailboxStatus', type: snmp.ObjectType.Integer, maxAccess: snmp.MaxAccess['read-create'], rowStatus: true },
    { number: 3, name: 'vmMailboxQuotaMinutes', type: snmp.ObjectType.Integer, maxAccess: snmp.MaxAccess['read-create'] },
    { number: 4, name: 'vmMailboxLanguage', type: snmp.ObjectType.OctetString, maxAccess: snmp.MaxAccess['read-create'] },
  ],
  // Not IMPLIED: net-snmp then encodes and decodes the index with a length prefix.
  tableIndex: [{ columnName: 'vmMailboxMsisdn' }],
  /** A createAndGo/createAndWait on an absent row: the row starts with defaults, the rest of the SET fills it. */
  createHandler: (request: { action: string; row: unknown[] }) => [
    String(request.row[0]),
    snmp.RowStatus[request.action as keyof typeof snmp.RowStatus],
    MAILBOX_DEFAULTS.quotaMinutes,
    MAILBOX_DEFAULTS.language,
  ],
  /**
   * net-snmp 3.29 commits the RowStatus action itself (createAndGo reads back 4); RFC 2579 says the
   * row then reads active(1), or notInService(2) after createAndWait. Rewrite before the commit.
   */
  handler: (request: MibRequest) => {
    const column = request.instanceNode?.getTableColumnFromInstanceNode();
    if (request.operation === snmp.PduType.SetRequest && column === STATUS_COLUMN) {
      if (request.setValue === snmp.RowStatus.createAndGo) request.setValue = snmp.RowStatus.active;
      if (request.setValue === snmp.RowStatus.createAndWait) request.setValue = snmp.RowStatus.notInService;
    }
    request.done();
  },
};

export function registerVoicemailMib(mib: AgentMib, systemName: string): void {
  mib.registerProvider(scalarProvider);
  mib.registerProvider(tableProvider);
  mib.setScalarValue(scalarProvider.name, systemName);
}

export function readMailboxes(mib: AgentMib): Mailbox[] {
  let rows: unknown[][];
  try {
    rows = mib.getTableCells(MAILBOX_TABLE, true, true);
  } catch {
    return []; // net-snmp prunes an empty table's node and then refuses to list it
  }
  return rows.map(([index, status, quotaMinutes, language]) => ({
    msisdn: String((index as unknown[])[0]),
    status: Number(status),
    quotaMinutes: Number(quotaMinutes),
    language: Buffer.isBuffer(language) ? language.toString('utf8') : String(language),
  }));
}

/** Makes the table hold exactly `mailboxes`, for preloading and for undoing a refused SET. */
export function writeMailboxes(mib: AgentMib, mailboxes: Mailbox[]): void {
  for (const existing of readMailboxes(mib)) mib.deleteTableRow(MAILBOX_TABLE, [existing.msisdn]);
  for (const m of mailboxes) mib.addTableRow(MAILBOX_TABLE, [m.msisdn, m.status, m.quotaMinutes, m.language]);
}

/** Whether a SET varbind is `vmMailboxStatus.<row> = destroy(6)`. */
export function isDestroy(oid: string, value: unknown): boolean {
  return oid.startsWith(`${VMS_OIDS.mailboxStatus}.`) && value === snmp.RowStatus.destroy;
}
