/**
 * What an adapter pushes and checks, already rendered from the catalog. Every value here has
 * passed characteristic validation; adapters still refuse control characters as a last guard.
 */

export type SnmpValueType = 'Integer' | 'OctetString' | 'Gauge' | 'Counter' | 'Unsigned32' | 'IpAddress' | 'TimeTicks' | 'ObjectIdentifier';

export interface SnmpVarbind {
  oid: string;
  type: SnmpValueType;
  value: string | number;
  /**
   * What reading the OID back after the set must give: the set value when absent, another value
   * when the agent transforms it (RowStatus createAndGo(4) reads back as active(1)), or `null`
   * when the instance must be gone (RowStatus destroy(6)).
   */
  expect?: string | number | null;
}

export type ChangeSet =
  /** Lines sent one by one in configuration mode. */
  | { protocol: 'ssh-cli'; lines: string[] }
  /** Typed sets; each is read back and compared. */
  | { protocol: 'snmp'; varbinds: SnmpVarbind[] }
  /** The `<config>` content of an edit-config, as an XML string built by an escaping library. */
  | { protocol: 'netconf'; configXml: string };

export type Check =
  /**
   * Output of an exec-mode command, or with `within` only the config block(s) that line opens,
   * must hold `line` as a whole line (leading and trailing blanks aside), contain the text, or
   * match the regex; with `absent`, must not.
   */
  | { protocol: 'ssh-cli'; command: string; within?: string; line?: string; contains?: string; matches?: string; absent?: boolean }
  /** The value at `oid` must equal `equals` (compared as strings). */
  | { protocol: 'snmp'; oid: string; equals: string | number }
  /** get-config (running) with a subtree filter; the reply must contain each string. */
  | { protocol: 'netconf'; filterXml: string; contains: string[]; absent?: boolean };

export interface CheckResult {
  passed: boolean;
  /** What the device showed, trimmed, for the item's error message when the check fails. */
  observed: string;
}
