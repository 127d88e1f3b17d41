import { z } from 'zod';
import { FleetError } from '../../errors/index.js';
import type { CheckWords, TemplateRender } from '../driver.js';

export const SNMP_VALUE_TYPES = ['Integer', 'OctetString', 'Gauge', 'Counter', 'Unsigned32', 'IpAddress', 'TimeTicks', 'ObjectIdentifier'] as const;
export type SnmpValueType = (typeof SNMP_VALUE_TYPES)[number];

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

/** Typed sets; each is read back and compared. */
export interface SnmpChange {
  protocol: 'snmp';
  varbinds: SnmpVarbind[];
}

/** The value at `oid` must equal `equals` (compared as strings). */
export interface SnmpCheck {
  protocol: 'snmp';
  oid: string;
  equals: string | number;
}

const varbindSchema = z
  .object({
    oid: z.string().min(1),
    type: z.enum(SNMP_VALUE_TYPES),
    value: z.union([z.string(), z.number()]),
    expect: z.union([z.string(), z.number(), z.null()]).optional(),
  })
  .strict();

export const snmpChangeTemplate = z.array(varbindSchema).min(1);

export const snmpTestShape = {
  oid: z.string().optional(),
  equals: z.union([z.string(), z.number()]).optional(),
};

type SnmpTest = z.output<z.ZodObject<typeof snmpTestShape>>;

export function renderSnmpChange(varbinds: Array<z.output<typeof varbindSchema>>, render: TemplateRender, where: string): SnmpChange {
  return {
    protocol: 'snmp',
    varbinds: varbinds.map((vb, i) => {
      const at = `${where}.varbinds[${i}]`;
      const numeric = vb.type !== 'OctetString' && vb.type !== 'IpAddress' && vb.type !== 'ObjectIdentifier';
      const value = (raw: string | number): string | number => {
        const text = render.text(String(raw), at);
        if (!numeric) return text;
        const n = /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
        if (!Number.isInteger(n)) throw new FleetError('TEMPLATE_RENDER_FAILED', `${at}: ${vb.type} value ${JSON.stringify(text)} is not an integer`);
        return n;
      };
      return {
        oid: render.text(vb.oid, `${at}.oid`),
        type: vb.type,
        value: value(vb.value),
        ...(vb.expect === undefined ? {} : { expect: vb.expect === null ? null : value(vb.expect) }),
      };
    }),
  };
}

export function renderSnmpTest(test: SnmpTest, render: TemplateRender, where: string): SnmpCheck[] {
  return [{ protocol: 'snmp', oid: render.text(test.oid ?? '', `${where}.oid`), equals: render.text(String(test.equals ?? ''), `${where}.equals`) }];
}

export function snmpCheckWords(check: SnmpCheck): CheckWords {
  return { what: check.oid, expected: `= ${check.equals}` };
}
