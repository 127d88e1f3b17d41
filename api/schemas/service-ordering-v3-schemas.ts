import { z } from 'zod';
import { looseObject, polymorphic } from './tmf-common-schemas.js';

/** TMF641 v3 (R18.0) ServiceOrder, as far as the route schema goes: the full check is the v4.1 one, after mapping. */
const v3Item = z
  .object({
    id: z.string(),
    action: z.string(),
    state: z.string().optional().describe('Set by the server; ignored when sent.'),
    service: looseObject,
    orderItemRelationship: z.array(z.object({ type: z.string(), id: z.string() }).passthrough()).optional(),
    appointment: looseObject.optional(),
    ...polymorphic,
  })
  .passthrough();

export const serviceOrderCreateV3Schema = z
  .object({
    externalId: z.string().optional(),
    priority: z.string().optional(),
    description: z.string().optional(),
    category: z.string().optional(),
    requestedStartDate: z.string().optional(),
    requestedCompletionDate: z.string().optional(),
    notificationContact: z.string().optional(),
    note: z.array(looseObject).optional(),
    relatedParty: z.array(looseObject).optional(),
    orderRelationship: z.array(z.object({ type: z.string(), id: z.string() }).passthrough()).optional(),
    orderItem: z.array(v3Item).min(1),
    ...polymorphic,
  })
  .passthrough()
  .describe('ServiceOrder (TMF641 v3) to create. state, orderDate, startDate, completionDate, expectedCompletionDate and href are the server\'s, and ignored.');

export const serviceOrderV3Schema = z
  .object({
    id: z.string(),
    href: z.string().optional(),
    state: z.string().optional(),
    orderDate: z.string().optional(),
    orderItem: z.array(v3Item).optional(),
    ...polymorphic,
  })
  .passthrough()
  .describe('ServiceOrder (TMF641 v3): the same order as v4.1, in v3 names and states.');
