import { z } from 'zod';
import { ORDER_STATES } from '../../orders/order-states.js';
import { serviceOrderInputSchema } from '../../orders/service-order.js';
import { looseObject, polymorphic } from './tmf-common-schemas.js';

/** TMF641 v4.1 resources as the API accepts and returns them. */

/** ServiceOrder_Create: exactly what the fleet validates at intake (plus the optional caller-chosen id). */
export const serviceOrderCreateSchema = serviceOrderInputSchema;

/**
 * ServiceOrder_Update, narrowed to what can change without touching execution: notes and
 * references. Dates, priority, items and relatedParty were checked and scheduled at intake,
 * and state is the fleet's. JSON merge patch: null removes a field.
 */
export const serviceOrderUpdateSchema = z
  .object({
    description: z.string().max(4096).nullable().optional(),
    notificationContact: z.string().max(1024).nullable().optional(),
    note: z.array(looseObject).max(100).nullable().optional(),
    externalReference: z.array(looseObject).max(100).nullable().optional(),
    orderRelationship: z.array(looseObject).max(100).nullable().optional(),
  })
  .strict()
  .describe('ServiceOrder_Update (merge patch). Only these fields can change; state, dates, priority and items cannot.');
export type ServiceOrderUpdate = z.infer<typeof serviceOrderUpdateSchema>;

const errorMessageSchema = z.object({ code: z.string(), message: z.string(), reason: z.string().optional(), timestamp: z.string().optional() }).passthrough();

export const serviceOrderSchema = z
  .object({
    id: z.string(),
    href: z.string().optional(),
    externalId: z.string().optional(),
    state: z.enum(ORDER_STATES).optional(),
    orderDate: z.string().optional(),
    startDate: z.string().optional(),
    completionDate: z.string().optional(),
    expectedCompletionDate: z.string().optional(),
    errorMessage: z.array(errorMessageSchema).optional(),
    serviceOrderItem: z
      .array(z.object({ id: z.string(), action: z.string().optional(), state: z.enum(ORDER_STATES).optional(), service: looseObject.optional(), errorMessage: z.array(errorMessageSchema).optional() }).passthrough())
      .optional(),
    ...polymorphic,
  })
  .passthrough()
  .describe('ServiceOrder (TMF641 v4.1). A business rejection is a ServiceOrder in state rejected with one errorMessage per reason.');

export const CANCEL_TASK_STATES = ['accepted', 'inProgress', 'done', 'terminatedWithError'] as const;
export type CancelTaskState = (typeof CANCEL_TASK_STATES)[number];

const serviceOrderRefSchema = z
  .object({ id: z.string().min(1).max(128), href: z.string().optional(), name: z.string().optional(), '@referredType': z.string().optional(), ...polymorphic })
  .strict();

export const cancelServiceOrderCreateSchema = z
  .object({
    serviceOrder: serviceOrderRefSchema,
    cancellationReason: z.string().max(1024).optional(),
    requestedCancellationDate: z.iso.datetime({ offset: true }).optional(),
    ...polymorphic,
  })
  .strict()
  .describe('CancelServiceOrder_Create. Cancellation is immediate: a requestedCancellationDate in the future is refused.');
export type CancelServiceOrderCreate = z.infer<typeof cancelServiceOrderCreateSchema>;

export const cancelServiceOrderSchema = z
  .object({
    id: z.string(),
    href: z.string().optional(),
    state: z.enum(CANCEL_TASK_STATES).optional(),
    cancellationReason: z.string().optional(),
    requestedCancellationDate: z.string().optional(),
    effectiveCancellationDate: z.string().optional(),
    completionMessage: z.string().optional(),
    errorMessage: errorMessageSchema.optional(),
    serviceOrder: z.object({ id: z.string(), href: z.string().optional(), '@referredType': z.string().optional() }).optional(),
    ...polymorphic,
  })
  .passthrough()
  .describe('CancelServiceOrder: a task (TaskStateType accepted, inProgress, done, terminatedWithError) that follows its order to cancelled.');
export type CancelServiceOrder = z.infer<typeof cancelServiceOrderSchema>;
