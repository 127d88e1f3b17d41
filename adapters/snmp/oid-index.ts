/**
 * Encodes an OCTET STRING table index the way SMI does for a non-IMPLIED index (RFC 2578 7.7):
 * the length, then one sub-identifier per byte. "12" gives "2.49.50". Catalog templates reach
 * it as the `oid_index` filter.
 */
export function oidIndexFromString(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  return [bytes.length, ...bytes].join('.');
}
