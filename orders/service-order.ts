import { z } from 'zod';
import { ACTIVATION_POLICIES } from '../catalog/activation-policy.js';
import { ORDER_STATES, type ItemState, type OrderState } from './order-states.js';

/**
 * TMF641 v4.1 ServiceOrder as the fleet accepts it (ServiceOrder_Create, plus an optional
 * caller-chosen `id`), and as it stores and reports it. Known TMF fields are typed; unknown
 * top-level and item fields are refused, so a typo is reported instead of silently ignored.
 */

/** Ids end up in Redis keys and BullMQ job ids: keep them to a safe, readable alphabet. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const idSchema = z.string().regex(ID_PATTERN, 'must be 1-128 characters: letters, digits, _ . - (starting with a letter or digit)');
const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });
const loose = z.record(z.string(), z.unknown());
const polymorphic = {
  '@type': z.string().optional(),
  '@baseType': z.string().optional(),
  '@schemaLocation': z.string().optional(),
};

export const MAX_ORDER_ITEMS = 200;

/**
 * The longest characteristic value any order may carry. A specification's own limit (maxLength,
 * pattern) is usually far lower, and its message names the characteristic and that limit.
 */
export const MAX_CHARACTERISTIC_VALUE_CHARS = 65_536;

export const characteristicSchema = z
  .object({
    id: z.string().optional(),
    name: z.string().min(1).max(128),
    valueType: z.string().optional(),
    value: z.union([z.string(), z.number(), z.boolean(), z.null(), loose, z.array(z.unknown())]),
    characteristicRelationship: z.array(loose).optional(),
    ...polymorphic,
  })
  .strict()
  .superRefine((c, ctx) => {
    if (typeof c.value === 'string' && c.value.length > MAX_CHARACTERISTIC_VALUE_CHARS) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `characteristic ${c.name} is ${c.value.length} characters, more than any characteristic may hold (${MAX_CHARACTERISTIC_VALUE_CHARS})` });
    }
  });

export const serviceSpecificationRefSchema = z
  .object({
    id: z.string().min(1).max(128),
    href: z.string().optional(),
    name: z.string().optional(),
    version: z.string().optional(),
    '@referredType': z.string().optional(),
    ...polymorphic,
  })
  .passthrough();

export const serviceSchema = z
  .object({
    id: z.string().max(128).optional(),
    href: z.string().optional(),
    name: z.string().optional(),
    category: z.string().optional(),
    description: z.string().optional(),
    serviceType: z.string().optional(),
    state: z.string().optional(),
    isBundle: z.boolean().optional(),
    isServiceEnabled: z.boolean().optional(),
    hasStarted: z.boolean().optional(),
    isStateful: z.boolean().optional(),
    startMode: z.string().optional(),
    serviceDate: z.string().optional(),
    startDate: z.string().optional(),
    endDate: z.string().optional(),
    serviceCharacteristic: z.array(characteristicSchema).max(200).optional(),
    serviceSpecification: serviceSpecificationRefSchema.optional(),
    serviceRelationship: z.array(loose).optional(),
    supportingResource: z.array(loose).optional(),
    supportingService: z.array(loose).optional(),
    relatedParty: z.array(loose).optional(),
    place: z.array(loose).optional(),
    feature: z.array(loose).optional(),
    note: z.array(loose).optional(),
    relatedEntity: z.array(loose).optional(),
    serviceOrderItem: z.array(loose).optional(),
    '@referredType': z.string().optional(),
    ...polymorphic,
  })
  .passthrough();

export const itemRelationshipSchema = z
  .object({
    relationshipType: z.string().min(1),
    orderItem: z
      .object({
        itemId: z.string().min(1),
        serviceOrderHref: z.string().optional(),
        serviceOrderId: z.string().optional(),
        '@referredType': z.string().optional(),
        ...polymorphic,
      })
      .passthrough(),
    ...polymorphic,
  })
  .strict();

const errorMessageSchema = z
  .object({
    code: z.string().optional(),
    message: z.string().optional(),
    reason: z.string().optional(),
    referenceError: z.string().optional(),
    status: z.string().optional(),
    timestamp: z.string().optional(),
    serviceOrderItem: z.array(loose).optional(),
    ...polymorphic,
  })
  .passthrough();

export const serviceOrderItemSchema = z
  .object({
    id: idSchema,
    action: z.enum(['add', 'modify', 'delete', 'noChange']),
    quantity: z.number().int().min(1).max(1).optional(),
    state: z.enum(ORDER_STATES).optional(),
    service: serviceSchema,
    serviceOrderItemRelationship: z.array(itemRelationshipSchema).max(MAX_ORDER_ITEMS).optional(),
    appointment: loose.optional(),
    errorMessage: z.array(errorMessageSchema).optional(),
    ...polymorphic,
  })
  .strict();

/**
 * What an add does whose identity (a specification's `identity`, e.g. msisdn) an active service
 * already holds: refused (ORDER_IDENTITY_IN_USE, the default), or carried out as a modify of
 * that service. Chosen per order by the upstream system, like activationPolicy: it is the
 * sender who knows whether its adds are "create" or "make it so".
 */
export const IDENTITY_IN_USE_POLICIES = ['refuse', 'modify'] as const;
export type IdentityInUse = (typeof IDENTITY_IN_USE_POLICIES)[number];

export const serviceOrderInputSchema = z
  .object({
    id: idSchema.optional(),
    href: z.string().optional(),
    externalId: z.string().min(1).max(128).optional(),
    category: z.string().max(256).optional(),
    description: z.string().max(4096).optional(),
    priority: z.string().regex(/^[0-4]$/, 'must be "0" (highest) to "4" (lowest)').optional(),
    notificationContact: z.string().optional(),
    requestedStartDate: dateTime.optional(),
    requestedCompletionDate: dateTime.optional(),
    expectedCompletionDate: z.string().optional(),
    cancellationDate: z.string().optional(),
    cancellationReason: z.string().optional(),
    state: z.enum(ORDER_STATES).optional(),
    orderDate: z.string().optional(),
    externalReference: z.array(loose).optional(),
    note: z.array(loose).max(100).optional(),
    orderRelationship: z.array(loose).optional(),
    relatedParty: z.array(loose).max(100).optional(),
    /** Fleet extension: all-or-nothing (default) or keep what completed. */
    activationPolicy: z.enum(ACTIVATION_POLICIES).optional(),
    /** Fleet extension: an add of an identity an active service holds is refused (default) or becomes a modify of it. */
    onIdentityInUse: z.enum(IDENTITY_IN_USE_POLICIES).optional(),
    /**
     * Fleet extension: `false` keeps the whole order out of the window (its NETCONF changes commit
     * plainly and are undone by template). An attribute of the order, not a characteristic: the
     * window is a property of the order's execution, not of any one service, and TMF630's
     * polymorphism lets a subclass of ServiceOrder (named by `@type`, `@baseType: ServiceOrder`)
     * add attributes; docs/catalog.md names that subclass.
     */
    commitWindow: z.boolean().optional(),
    serviceOrderItem: z.array(serviceOrderItemSchema).min(1, 'an order needs at least one serviceOrderItem').max(MAX_ORDER_ITEMS),
    ...polymorphic,
  })
  .strict();

export type ServiceOrderInput = z.infer<typeof serviceOrderInputSchema>;
export type ServiceOrderItemInput = z.infer<typeof serviceOrderItemSchema>;
export type Characteristic = z.infer<typeof characteristicSchema>;

export interface TmfErrorMessage {
  code: string;
  message: string;
  reason: string;
  status?: string;
  timestamp: string;
  serviceOrderItem?: Array<{ itemId: string }>;
  '@type'?: string;
}

export interface Milestone {
  id: string;
  name: string;
  description?: string;
  milestoneDate: string;
  status: string;
  serviceOrderItem?: Array<{ itemId: string }>;
}

export interface JeopardyAlert {
  id: string;
  alertDate: string;
  /** atRisk: the order may miss its expected completion; missed: it has. */
  jeopardyType: 'atRisk' | 'missed';
  name: string;
  message: string;
  /** Items still running or waiting when the alert was raised. */
  serviceOrderItem?: Array<{ itemId: string }>;
}

/** An item as the fleet reports it: the submitted item plus its state and errors. */
export interface ServiceOrderItem extends Omit<ServiceOrderItemInput, 'state' | 'errorMessage'> {
  state: ItemState;
  errorMessage?: TmfErrorMessage[];
}

/** The order in the TMF641 shape, as `status` and events show it. */
export interface ServiceOrder extends Omit<ServiceOrderInput, 'state' | 'serviceOrderItem' | 'id'> {
  id: string;
  href: string;
  state: OrderState;
  orderDate: string;
  startDate?: string;
  completionDate?: string;
  errorMessage?: TmfErrorMessage[];
  milestone?: Milestone[];
  jeopardyAlert?: JeopardyAlert[];
  serviceOrderItem: ServiceOrderItem[];
  '@type': string;
}
