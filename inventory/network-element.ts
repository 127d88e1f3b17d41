import { z } from 'zod';

/**
 * The NE schema is composed from the registered drivers' profiles in adapters/ (adapters take an
 * NE, so composing it here would make inventory/ and adapters/ import each other): inventory/
 * imports it from there, one way.
 */
export { networkElementSchema, type NetworkElement, type NetworkElementInput } from '../adapters/network-element.js';
export type { NeCredentials } from '../adapters/ne-credentials.js';
export { NE_PROTOCOLS, type NeProtocol } from '../adapters/registry.js';

/** A budget shared by several NEs (declared in the inventory's `budgetGroups`). */
export const budgetGroupSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    maxSessions: z.number().int().min(1),
    maxOpsPerSecond: z.number().positive().optional(),
  })
  .strict();
export type BudgetGroup = z.infer<typeof budgetGroupSchema>;
