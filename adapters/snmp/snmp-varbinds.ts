import snmp from 'net-snmp';
import { NeError } from '../../errors/index.js';
import type { SnmpValueType, SnmpVarbind } from './snmp-catalog-form.js';

/** What part of a change set reached the agent when a request failed. */
export type Applied = 'none' | 'unknown' | 'all';

type SentValue = string | number;

/** A varbind that passed validation: safe to encode and send. */
export interface PlannedVarbind {
  oid: string;
  type: SnmpValueType;
  value: SentValue;
  /** What the read-back must show; `null` for an absent instance. */
  expected: SentValue | null;
}

export const OBJECT_TYPES: Record<SnmpValueType, snmp.ObjectType> = {
  Integer: snmp.ObjectType.Integer,
  OctetString: snmp.ObjectType.OctetString,
  Gauge: snmp.ObjectType.Gauge,
  Counter: snmp.ObjectType.Counter,
  Unsigned32: snmp.ObjectType.Unsigned32,
  IpAddress: snmp.ObjectType.IpAddress,
  TimeTicks: snmp.ObjectType.TimeTicks,
  ObjectIdentifier: snmp.ObjectType.OID,
};

/** Type names for the audit trail, as the catalog spells them (net-snmp's own enum names differ). */
const TYPE_NAMES = new Map<number, string>([
  ...Object.entries(OBJECT_TYPES).map(([name, type]) => [type as number, name] as const),
  [snmp.ObjectType.Counter64, 'Counter64'],
  [snmp.ObjectType.Opaque, 'Opaque'],
  [snmp.ObjectType.Null, 'Null'],
  [snmp.ObjectType.NoSuchObject, 'noSuchObject'],
  [snmp.ObjectType.NoSuchInstance, 'noSuchInstance'],
  [snmp.ObjectType.EndOfMibView, 'endOfMibView'],
]);

const ABSENT_TYPES = new Set<number>([snmp.ObjectType.NoSuchObject, snmp.ObjectType.NoSuchInstance, snmp.ObjectType.EndOfMibView]);
const OID_PATTERN = /^[0-2](\.(0|[1-9]\d{0,9}))+$/;
const MAX_SUB_ID = 4_294_967_295;
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** Validates a varbind and normalises its value; throws UNSAFE_DEVICE_INPUT before anything is sent. */
export function planVarbind(neId: string, varbind: SnmpVarbind): PlannedVarbind {
  const oid = validOid(neId, varbind.oid);
  if (!Object.hasOwn(OBJECT_TYPES, varbind.type)) unsafe(neId, `unknown SNMP type ${String(varbind.type)} for ${oid}`);
  const value = validValue(neId, oid, varbind.type, varbind.value);
  const expected = varbind.expect === undefined ? value : varbind.expect === null ? null : validValue(neId, oid, varbind.type, varbind.expect);
  return { oid, type: varbind.type, value, expected };
}

export function validOid(neId: string, oid: string): string {
  const ok = typeof oid === 'string' && OID_PATTERN.test(oid) && oid.split('.').every((arc) => Number(arc) <= MAX_SUB_ID);
  if (!ok) unsafe(neId, `OID ${JSON.stringify(oid)} is not a dotted numeric OID`);
  return oid;
}

/** A read value as the catalog compares it: OctetStrings as UTF-8 text, absence as `noSuchInstance`. */
export function describeVarbind(varbind: snmp.Varbind | undefined): string {
  if (!varbind || varbind.type === undefined || ABSENT_TYPES.has(varbind.type)) return 'noSuchInstance';
  const { value } = varbind;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value === null || value === undefined ? '' : String(value);
}

/** A SET request for the audit trail: `oid Type=value, ...`. */
export function formatPlanned(planned: PlannedVarbind[]): string {
  return planned.map((p) => `${p.oid} ${p.type}=${p.value}`).join(', ');
}

/** Varbinds from the agent for the audit trail: `oid Type=value`, or `oid noSuchInstance`. */
export function formatVarbinds(varbinds: snmp.Varbind[]): string {
  return varbinds
    .map((vb) => {
      const type = TYPE_NAMES.get(vb.type ?? -1) ?? `type${String(vb.type)}`;
      return vb.type !== undefined && ABSENT_TYPES.has(vb.type) ? `${vb.oid} ${type}` : `${vb.oid} ${type}=${describeVarbind(vb)}`;
    })
    .join(', ');
}

function validValue(neId: string, oid: string, type: SnmpValueType, value: unknown): SentValue {
  switch (type) {
    case 'Integer':
      return validInteger(neId, oid, value, -2_147_483_648, 2_147_483_647);
    case 'Gauge':
    case 'Counter':
    case 'Unsigned32':
    case 'TimeTicks':
      return validInteger(neId, oid, value, 0, MAX_SUB_ID);
    case 'IpAddress': {
      const octets = String(value).split('.');
      const ok = octets.length === 4 && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
      if (!ok) unsafe(neId, `value for ${oid} is not an IPv4 address`);
      return String(value);
    }
    case 'ObjectIdentifier':
      return validOid(neId, String(value));
    case 'OctetString': {
      if (typeof value !== 'string' && typeof value !== 'number') unsafe(neId, `value for ${oid} is not a string`);
      const text = String(value);
      if (CONTROL_CHARS.test(text)) unsafe(neId, `value for ${oid} contains a control character`);
      if (Buffer.byteLength(text) > 65_535) unsafe(neId, `value for ${oid} is longer than an OCTET STRING allows`);
      return text;
    }
  }
}

function validInteger(neId: string, oid: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) unsafe(neId, `value for ${oid} is not an integer in ${min}..${max}`);
  return n;
}

function unsafe(neId: string, message: string): never {
  throw new NeError('UNSAFE_DEVICE_INPUT', neId, message, { details: { applied: 'none' satisfies Applied } });
}
