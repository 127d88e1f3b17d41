import { describe, expect, it } from 'vitest';
import { hasUnsafeCharacters, validateCharacteristics } from '../../catalog/characteristic-validator.js';
import { serviceSpecificationSchema, type ServiceSpecification } from '../../catalog/service-specification.js';

function spec(characteristics: Record<string, Record<string, unknown>>): ServiceSpecification {
  return serviceSpecificationSchema.parse({
    id: 'test-spec',
    name: 'Test',
    characteristics,
    actions: {},
  });
}

/** Validates one characteristic `name` of the given parameter definition. */
function one(param: Record<string, unknown>, value: unknown) {
  const s = spec({ field: param });
  const { values, problems } = validateCharacteristics(s, [{ name: 'field', value: value as string }]);
  return { value: values.field, problem: problems.map((p) => p.message).join(' | ') || undefined };
}

describe('validateCharacteristics: types', () => {
  it('string: keeps text, turns a number into text', () => {
    expect(one({ type: 'string' }, 'hello')).toEqual({ value: 'hello', problem: undefined });
    expect(one({ type: 'string' }, 42)).toEqual({ value: '42', problem: undefined });
    expect(one({ type: 'string' }, true).problem).toBe('characteristic field must be a string, got true');
    expect(one({ type: 'string' }, null).problem).toBe('characteristic field must be a string, got null');
    expect(one({ type: 'string' }, { a: 1 }).problem).toBe('characteristic field must be a string, got an object or array');
    expect(one({ type: 'string' }, ['a']).problem).toBe('characteristic field must be a string, got an object or array');
  });

  it('integer: accepts integers and numeric strings, refuses the rest', () => {
    expect(one({ type: 'integer' }, 7)).toEqual({ value: 7, problem: undefined });
    expect(one({ type: 'integer' }, '42')).toEqual({ value: 42, problem: undefined });
    expect(one({ type: 'integer' }, ' 42 ')).toEqual({ value: 42, problem: undefined });
    expect(one({ type: 'integer' }, '-3')).toEqual({ value: -3, problem: undefined });
    expect(one({ type: 'integer' }, 2.5).problem).toBe('characteristic field must be an integer, got 2.5');
    expect(one({ type: 'integer' }, '2.5').problem).toBe('characteristic field must be an integer, got "2.5"');
    expect(one({ type: 'integer' }, 'abc').problem).toMatch(/^characteristic field must be an? integer, got "abc"$/);
    expect(one({ type: 'integer' }, '').problem).toMatch(/^characteristic field must be an? integer, got ""$/);
    expect(one({ type: 'integer' }, '   ').problem).toMatch(/^characteristic field must be an? integer, got " {3}"$/);
    expect(one({ type: 'integer' }, true).problem).toMatch(/^characteristic field must be an? integer, got true$/);
    expect(one({ type: 'integer' }, null).problem).toMatch(/^characteristic field must be an? integer, got null$/);
    expect(one({ type: 'integer' }, 'Infinity').problem).toMatch(/^characteristic field must be an? integer, got "Infinity"$/);
  });

  it('integer and number: enforce min and max inclusively', () => {
    const p = { type: 'integer', min: 5, max: 600 };
    expect(one(p, 5).value).toBe(5);
    expect(one(p, 600).value).toBe(600);
    expect(one(p, 4).problem).toBe('characteristic field must be at least 5, got 4');
    expect(one(p, '601').problem).toBe('characteristic field must be at most 600, got 601');
    expect(one({ type: 'number', min: 0.5 }, 0.25).problem).toBe('characteristic field must be at least 0.5, got 0.25');
  });

  it('number: accepts decimals', () => {
    expect(one({ type: 'number' }, 2.5)).toEqual({ value: 2.5, problem: undefined });
    expect(one({ type: 'number' }, '1.25')).toEqual({ value: 1.25, problem: undefined });
    expect(one({ type: 'number' }, 'NaN').problem).toBe('characteristic field must be a number, got "NaN"');
  });

  it('boolean: accepts true/false and their strings only', () => {
    expect(one({ type: 'boolean' }, true)).toEqual({ value: true, problem: undefined });
    expect(one({ type: 'boolean' }, 'false')).toEqual({ value: false, problem: undefined });
    expect(one({ type: 'boolean' }, 'TRUE').problem).toBe('characteristic field must be true or false, got "TRUE"');
    expect(one({ type: 'boolean' }, 1).problem).toBe('characteristic field must be true or false, got 1');
    expect(one({ type: 'boolean' }, 'yes').problem).toBe('characteristic field must be true or false, got "yes"');
  });

  it('enum: accepts listed values only (numbers compared as text)', () => {
    const p = { type: 'enum', values: ['en', 'fr', 'de'] };
    expect(one(p, 'fr')).toEqual({ value: 'fr', problem: undefined });
    expect(one(p, 'FR').problem).toBe('characteristic field must be one of en, fr, de, got "FR"');
    expect(one(p, 'e').problem).toBe('characteristic field must be one of en, fr, de, got "e"');
    expect(one({ type: 'enum', values: [10, 20] }, 20)).toEqual({ value: '20', problem: undefined });
    expect(one({ type: 'enum', values: [10, 20] }, '30').problem).toBe('characteristic field must be one of 10, 20, got "30"');
  });

  it('ipv4: accepts dotted quads only', () => {
    expect(one({ type: 'ipv4' }, '192.0.2.1').value).toBe('192.0.2.1');
    expect(one({ type: 'ipv4' }, '256.0.0.1').problem).toBe('characteristic field must be an IPv4 address, got "256.0.0.1"');
    expect(one({ type: 'ipv4' }, '192.0.2').problem).toBe('characteristic field must be an IPv4 address, got "192.0.2"');
    expect(one({ type: 'ipv4' }, '2001:db8::1').problem).toBe('characteristic field must be an IPv4 address, got "2001:db8::1"');
  });

  it('ipv6: accepts IPv6 addresses only', () => {
    expect(one({ type: 'ipv6' }, '2001:db8::1').value).toBe('2001:db8::1');
    expect(one({ type: 'ipv6' }, '::1').value).toBe('::1');
    expect(one({ type: 'ipv6' }, '192.0.2.1').problem).toBe('characteristic field must be an IPv6 address, got "192.0.2.1"');
    expect(one({ type: 'ipv6' }, '2001:db8::g').problem).toBe('characteristic field must be an IPv6 address, got "2001:db8::g"');
  });
});

describe('validateCharacteristics: patterns', () => {
  it('anchors the pattern: the whole value must match', () => {
    const p = { type: 'string', pattern: '[0-9]+' };
    expect(one(p, '12').value).toBe('12');
    expect(one(p, '12a').problem).toBe('characteristic field "12a" does not match the pattern [0-9]+');
    expect(one(p, 'a12').problem).toBe('characteristic field "a12" does not match the pattern [0-9]+');
  });

  it('anchors every branch of an alternation', () => {
    const p = { type: 'string', pattern: 'gold|silver' };
    expect(one(p, 'gold').value).toBe('gold');
    expect(one(p, 'golden').problem).toContain('does not match the pattern gold|silver');
    expect(one(p, 'quicksilver').problem).toContain('does not match the pattern gold|silver');
  });

  it('checks a number given for a patterned string as text', () => {
    const p = { type: 'string', pattern: '[1-9][0-9]{7,14}' };
    expect(one(p, 33612345678).value).toBe('33612345678');
    expect(one(p, 123).problem).toBe('characteristic field "123" does not match the pattern [1-9][0-9]{7,14}');
  });
});

describe('validateCharacteristics: unsafe characters', () => {
  it.each([
    ['newline', 'x\nreload'],
    ['carriage return', 'x\rreload'],
    ['tab', 'a\tb'],
    ['NUL', 'a\u0000b'],
    ['escape', 'a\u001b[2Jb'],
    ['DEL', 'a\u007fb'],
    ['C1 NEL', 'a\u0085b'],
    ['line separator U+2028', 'a\u2028b'],
    ['paragraph separator U+2029', 'a\u2029b'],
  ])('refuses a %s, even when the pattern would allow it', (_label, value) => {
    const result = one({ type: 'string', pattern: '[\\s\\S]*' }, value);
    expect(result.value).toBeUndefined();
    expect(result.problem).toMatch(/^characteristic field ".*" holds control or line-break characters$/su);
  });

  it('refuses control characters in enum values too', () => {
    expect(one({ type: 'enum', values: ['a\nb'] }, 'a\nb').problem).toBe('characteristic field "a\\nb" holds control or line-break characters');
  });

  it('hasUnsafeCharacters accepts ordinary text and non-ASCII letters', () => {
    expect(hasUnsafeCharacters('Other Mobile-Ltd_1.0')).toBe(false);
    expect(hasUnsafeCharacters('Société Générale ü 東京')).toBe(false);
    expect(hasUnsafeCharacters('')).toBe(false);
    expect(hasUnsafeCharacters(' ')).toBe(false);
    expect(hasUnsafeCharacters('\u00a0')).toBe(false);
    expect(hasUnsafeCharacters('a\u2028')).toBe(true);
    expect(hasUnsafeCharacters('\u009f')).toBe(true);
  });

  // Regression test (was a bug): describe() quotes the value with JSON.stringify, which escapes C0 controls but not
  // U+2028/U+2029 nor C1 controls (U+0080-U+009F): the rejection message (stored in the order,
  // logged, sent upstream) then carries the very line separator it refuses.
  it('does not echo a raw line separator in the problem message', () => {
    const result = one({ type: 'string' }, 'a\u2028b');
    expect(hasUnsafeCharacters(result.problem ?? '')).toBe(false);
  });
});

describe('validateCharacteristics: length, defaults, names', () => {
  it('enforces maxLength, 256 by default', () => {
    expect(one({ type: 'string' }, 'x'.repeat(256)).value).toHaveLength(256);
    expect(one({ type: 'string' }, 'x'.repeat(257)).problem).toBe('characteristic field must be at most 256 characters (maxLength in test-spec), got 257');
    expect(one({ type: 'string', maxLength: 3 }, 'abcd').problem).toBe('characteristic field must be at most 3 characters (maxLength in test-spec), got 4');
    expect(one({ type: 'string', maxLength: 3 }, 'abc').value).toBe('abc');
  });

  it('fills defaults for missing characteristics and reports missing mandatory ones', () => {
    const s = spec({
      msisdn: { type: 'string', mandatory: true },
      quota: { type: 'integer', default: 30 },
      lang: { type: 'enum', values: ['en', 'fr'], default: 'en' },
      enabled: { type: 'boolean', default: false },
      note: { type: 'string' },
      plan: { type: 'string', mandatory: true },
    });
    const { values, problems } = validateCharacteristics(s, [{ name: 'plan', value: 'gold' }]);
    expect(values).toEqual({ plan: 'gold', quota: 30, lang: 'en', enabled: false });
    expect(problems).toEqual([{ name: 'msisdn', message: 'mandatory characteristic msisdn is missing' }]);
  });

  it('skips the mandatory check when asked (e.g. for a delete)', () => {
    const s = spec({ msisdn: { type: 'string', mandatory: true } });
    expect(validateCharacteristics(s, [], { requireMandatory: false })).toEqual({ values: {}, problems: [] });
  });

  it('a mandatory characteristic with a default is never missing', () => {
    const s = spec({ apn: { type: 'string', mandatory: true, default: 'internet' } });
    expect(validateCharacteristics(s, [])).toEqual({ values: { apn: 'internet' }, problems: [] });
  });

  it('refuses a characteristic given twice and keeps the first value', () => {
    const s = spec({ quota: { type: 'integer' } });
    const { values, problems } = validateCharacteristics(s, [
      { name: 'quota', value: 10 },
      { name: 'quota', value: 20 },
    ]);
    expect(values).toEqual({ quota: 10 });
    expect(problems).toEqual([{ name: 'quota', message: 'characteristic quota is given more than once' }]);
  });

  it('refuses an unknown characteristic rather than falling back to its default', () => {
    const s = spec({ quota: { type: 'integer', default: 30 } });
    const { values, problems } = validateCharacteristics(s, [{ name: 'qouta', value: 60 }]);
    expect(problems).toEqual([{ name: 'qouta', message: 'characteristic qouta is not defined by test-spec (known: quota)' }]);
    expect(values).toEqual({ quota: 30 });
  });

  it('names "none" when the specification declares no characteristic', () => {
    const { problems } = validateCharacteristics(spec({}), [{ name: 'x', value: 1 }]);
    expect(problems[0]?.message).toBe('characteristic x is not defined by test-spec (known: none)');
  });

  it('does not use a default when the given value is invalid', () => {
    const s = spec({ quota: { type: 'integer', max: 100, default: 30 } });
    const { values, problems } = validateCharacteristics(s, [{ name: 'quota', value: 1000 }]);
    expect(values).toEqual({});
    expect(problems).toHaveLength(1);
  });

  it('shortens very long values in messages', () => {
    const result = one({ type: 'string', pattern: '[a-z]+' }, `${'A'.repeat(100)}`);
    expect(result.problem).toBe(`characteristic field "${'A'.repeat(56)}... does not match the pattern [a-z]+`);
  });
});
