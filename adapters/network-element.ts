import { z } from 'zod';
import type { AnyDriver } from './driver.js';
import { neBaseShape } from './ne-base.js';
import { DRIVERS, NE_PROTOCOLS, driverOf, type RegisteredDriver } from './registry.js';

/**
 * The NE schema, composed here (not in inventory/) from the shared fields and every registered
 * driver's profile: adapters take a `NetworkElement`, and inventory/ imports adapters/, so the
 * schema living in inventory/ would make a folder cycle.
 */
type ProfilesShape = { [D in RegisteredDriver as D['profileKey']]: z.ZodDefault<D['profile']> };

const profiles = Object.fromEntries((DRIVERS as readonly AnyDriver[]).map((driver) => [driver.profileKey, driver.profile.default(driver.profile.parse({}))])) as unknown as ProfilesShape;

/** One network element as the resource inventory knows it. Credentials come by reference only. */
export const networkElementSchema = z
  .object({ ...neBaseShape, protocol: z.enum(NE_PROTOCOLS), ...profiles })
  .strict()
  .superRefine((ne, ctx) => {
    driverOf(ne.protocol)?.refineNe?.(ne, ctx);
  });

export type NetworkElement = z.infer<typeof networkElementSchema>;
export type NetworkElementInput = z.input<typeof networkElementSchema>;
