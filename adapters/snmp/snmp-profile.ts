import { z } from 'zod';

/** An NE's `snmp` settings. */
export const snmpProfile = z
  .object({
    version: z.enum(['2c', '3']).default('3'),
  })
  .strict();
