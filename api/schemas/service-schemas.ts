import { z } from 'zod';
import { characteristicSchema, serviceSpecificationRefSchema } from '../../orders/service-order.js';
import { looseObject, polymorphic } from './tmf-common-schemas.js';

/** TMF638 / TMF640 Service, and the TMF640 Monitor. */
export const SERVICE_STATES = ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'suspended', 'terminated'] as const;

export const serviceSchema = z
  .object({
    id: z.string(),
    href: z.string().optional(),
    name: z.string().optional(),
    state: z.enum(SERVICE_STATES).optional(),
    operatingStatus: z.string().optional(),
    serviceSpecification: z.object({ id: z.string(), name: z.string().optional(), version: z.string().optional() }).passthrough().optional(),
    serviceCharacteristic: z.array(z.object({ name: z.string(), value: z.unknown() }).passthrough()).optional(),
    supportingResource: z.array(looseObject).optional(),
    serviceRelationship: z.array(looseObject).optional(),
    relatedParty: z.array(looseObject).optional(),
    serviceOrderItem: z.array(looseObject).optional(),
    suspension: z.array(looseObject).optional().describe('Fleet extension: every suspension, in force (no endDate) or past.'),
    startDate: z.string().optional(),
    endDate: z.string().optional(),
    ...polymorphic,
  })
  .passthrough()
  .describe('Service (TMF638 v4 shape with the v5 suspended state).');

/** Service_Create of TMF640: a new service, activated by a one-item service order. */
export const serviceCreateSchema = z
  .object({
    name: z.string().max(256).optional(),
    description: z.string().max(4096).optional(),
    category: z.string().max(256).optional(),
    serviceType: z.string().max(256).optional(),
    state: z.enum(SERVICE_STATES).describe('Only active can be requested: the service is activated on the network.'),
    serviceSpecification: serviceSpecificationRefSchema,
    serviceCharacteristic: z.array(characteristicSchema).max(200).optional(),
    relatedParty: z.array(looseObject).max(100).optional(),
    ...polymorphic,
  })
  .strict()
  .describe('Service_Create (TMF640). Answered with 202 and a Monitor; the Service is the monitor response once activated.');
export type ServiceCreate = z.infer<typeof serviceCreateSchema>;

export const serviceUpdateSchema = z
  .object({
    state: z.enum(SERVICE_STATES).optional().describe('suspended, active (resume) or terminated; the lifecycle runs on the network.'),
    serviceCharacteristic: z
      .array(characteristicSchema)
      .max(200)
      .optional()
      .describe('New values (a modify), or suspensionReason/suspensionInitiator with a state change.'),
    ...polymorphic,
  })
  .strict()
  .describe('Service_Update (TMF640, merge patch): state and serviceCharacteristic only.');
export type ServiceUpdate = z.infer<typeof serviceUpdateSchema>;

export const MONITOR_STATES = ['inProgress', 'completed', 'inError'] as const;
export type MonitorState = (typeof MONITOR_STATES)[number];

const headerItem = z.object({ name: z.string(), value: z.string() });

export const monitorSchema = z
  .object({
    id: z.string(),
    href: z.string().optional(),
    sourceHref: z.string().optional(),
    state: z.enum(MONITOR_STATES).optional(),
    request: z.object({ method: z.string(), to: z.string(), body: z.string(), header: z.array(headerItem) }).optional(),
    response: z.object({ statusCode: z.string(), body: z.string(), header: z.array(headerItem) }).optional(),
    ...polymorphic,
  })
  .passthrough()
  .describe('Monitor (TMF640): follows the activation; response holds the outcome once state is completed or inError.');
export type Monitor = z.infer<typeof monitorSchema>;
