import { isIP } from 'node:net';
import type { CharacteristicObject, CharacteristicValue, CharacteristicValues } from '../inventory/characteristic-value.js';
import type { ParameterSpec, ServiceSpecification } from './service-specification.js';

/** A characteristic as an order item gives it (orders/service-order.ts's shape, of which only these two fields are read). */
export interface GivenCharacteristic {
  name: string;
  value?: unknown;
}

export interface CharacteristicProblem {
  name: string;
  message: string;
}

/**
 * Characters that must never reach a device through a template: any C0/C1 control (newline,
 * carriage return, escape, NUL...), DEL, and Unicode line/paragraph separators. Checked for
 * every string value even when a pattern is declared, as a second line of defence.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

export function hasUnsafeCharacters(value: string): boolean {
  return UNSAFE_CHARACTERS.test(value);
}

/** The value as JSON, shortened, with every unsafe character escaped: a rejection must not carry what it refuses. */
function describe(value: unknown): string {
  const text = (JSON.stringify(value) ?? String(value)).replace(
    new RegExp(UNSAFE_CHARACTERS.source, 'gu'),
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const article = (type: string): string => (/^[aeiou]/.test(type) ? 'an' : 'a');

const MAX_OBJECT_DEPTH = 8;
const MAX_OBJECT_JSON = 16 * 1024;

/** The first string (key or value) in an object value that must not reach a device, or a shape that is too deep. */
function objectProblem(value: unknown, depth = 0): string | undefined {
  if (depth > MAX_OBJECT_DEPTH) return `nests deeper than ${MAX_OBJECT_DEPTH} levels`;
  if (typeof value === 'string') return hasUnsafeCharacters(value) ? `holds ${describe(value)}, with control or line-break characters` : undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = objectProblem(v, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = hasUnsafeCharacters(k) ? `has a key with control or line-break characters` : objectProblem(v, depth + 1);
      if (p) return p;
    }
  }
  return undefined;
}
const DECIMAL = /^-?(\d+(\.\d+)?)$/;

function checkOne(name: string, spec: ParameterSpec, raw: unknown, specId = ''): { value?: CharacteristicValue; problem?: string } {
  if (spec.type === 'object') {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: `must be an object, got ${describe(raw)}` };
    if (JSON.stringify(raw).length > MAX_OBJECT_JSON) return { problem: `must be at most ${MAX_OBJECT_JSON} characters as JSON` };
    const problem = objectProblem(raw);
    return problem ? { problem } : { value: raw as CharacteristicObject };
  }
  if (raw !== null && typeof raw === 'object') return { problem: `must be ${article(spec.type)} ${spec.type}, got an object or array` };
  switch (spec.type) {
    case 'integer':
    case 'number': {
      // Plain decimals only: Number() would also take '0x10' or '1e3'.
      const num = typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw) : raw;
      if (typeof num !== 'number' || !Number.isFinite(num)) return { problem: `must be ${article(spec.type)} ${spec.type}, got ${describe(raw)}` };
      if (spec.type === 'integer' && !Number.isInteger(num)) return { problem: `must be an integer, got ${describe(raw)}` };
      if (spec.min !== undefined && num < spec.min) return { problem: `must be at least ${spec.min}, got ${num}` };
      if (spec.max !== undefined && num > spec.max) return { problem: `must be at most ${spec.max}, got ${num}` };
      return { value: num };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { problem: `must be true or false, got ${describe(raw)}` };
    }
    default: {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { problem: `must be ${article(spec.type)} ${spec.type}, got ${describe(raw)}` };
      const text = String(raw);
      if (hasUnsafeCharacters(text)) return { problem: `${describe(text)} holds control or line-break characters` };
      if (text.length > spec.maxLength) return { problem: `must be at most ${spec.maxLength} characters (maxLength in ${specId}), got ${text.length}` };
      if (spec.type === 'enum' && !(spec.values ?? []).map(String).includes(text)) {
        return { problem: `must be one of ${(spec.values ?? []).join(', ')}, got ${describe(text)}` };
      }
      if (spec.type === 'ipv4' && isIP(text) !== 4) return { problem: `must be an IPv4 address, got ${describe(text)}` };
      if (spec.type === 'ipv6' && isIP(text) !== 6) return { problem: `must be an IPv6 address, got ${describe(text)}` };
      if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(text)) {
        return { problem: `${describe(text)} does not match the pattern ${spec.pattern}` };
      }
      return { value: text };
    }
  }
}

/**
 * Validates an item's characteristics against the specification's declared parameters and
 * returns typed values (defaults filled in). Unknown names are refused: a misspelt
 * characteristic must not silently fall back to a default.
 */
export function validateCharacteristics(
  spec: ServiceSpecification,
  characteristics: readonly GivenCharacteristic[],
  options: { requireMandatory: boolean } = { requireMandatory: true },
): { values: CharacteristicValues; problems: CharacteristicProblem[] } {
  const values: CharacteristicValues = {};
  const problems: CharacteristicProblem[] = [];
  const seen = new Set<string>();
  for (const c of characteristics) {
    const param = spec.characteristics[c.name];
    if (seen.has(c.name)) {
      problems.push({ name: c.name, message: `characteristic ${c.name} is given more than once` });
      continue;
    }
    seen.add(c.name);
    if (!param) {
      const known = Object.keys(spec.characteristics).join(', ') || 'none';
      problems.push({ name: c.name, message: `characteristic ${c.name} is not defined by ${spec.id} (known: ${known})` });
      continue;
    }
    const { value, problem } = checkOne(c.name, param, c.value, spec.id);
    if (problem) problems.push({ name: c.name, message: `characteristic ${c.name} ${problem}` });
    else if (value !== undefined) values[c.name] = value;
  }
  for (const [name, param] of Object.entries(spec.characteristics)) {
    if (seen.has(name)) continue;
    if (param.default !== undefined) values[name] = param.default;
    else if (param.mandatory && options.requireMandatory) {
      problems.push({ name, message: `mandatory characteristic ${name} is missing` });
    }
  }
  return { values, problems };
}
