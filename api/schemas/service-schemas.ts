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

/** States a Service_Create may ask for: active is activated on the network, the others only recorded. */
export const CREATE_STATES = ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active'] as const;

const refList = z.array(looseObject).max(100);

/** What Service_Create and Service_Update of TMF640 v4 let a client set besides state and characteristics. */
const settableServiceAttributes = {
  name: z.string().max(256).optional(),
  description: z.string().max(4096).optional(),
  category: z.string().max(256).optional(),
  serviceType: z.string().max(256).optional(),
  isBundle: z.boolean().optional(),
  isServiceEnabled: z.boolean().optional(),
  hasStarted: z.boolean().optional(),
  isStateful: z.boolean().optional(),
  startMode: z.string().max(64).optional(),
  startDate: z.string().max(64).optional(),
  endDate: z.string().max(64).optional(),
  feature: refList.optional(),
  note: refList.optional(),
  place: refList.optional(),
  relatedEntity: refList.optional(),
  relatedParty: refList.optional(),
  serviceOrderItem: refList.optional(),
  /** TMF640 R18.5 user guide and conformance kit: the orders that made the service. */
  serviceOrder: refList.optional(),
  serviceRelationship: refList.optional(),
  supportingResource: refList.optional(),
  supportingService: refList.optional(),
  ...polymorphic,
};

/** Service_Create of TMF640: a new service, created by a one-item service order. */
export const serviceCreateSchema = z
  .object({
    ...settableServiceAttributes,
    serviceDate: z.string().max(64).optional(),
    state: z.enum(CREATE_STATES).describe('active is activated on the network; feasibilityChecked, designed, reserved and inactive record the service without touching a device.'),
    serviceSpecification: serviceSpecificationRefSchema,
    serviceCharacteristic: z.array(characteristicSchema).max(200).optional(),
  })
  .strict()
  .describe('Service_Create (TMF640). Answered 201 with the Service (activation goes on; the Monitor is in the Link header), or 202 with the Monitor for Prefer: respond-async.');
export type ServiceCreate = z.infer<typeof serviceCreateSchema>;

export const serviceUpdateSchema = z
  .object({
    ...settableServiceAttributes,
    state: z
      .enum(SERVICE_STATES)
      .optional()
      .describe('suspended, active (resume) or terminated; the lifecycle runs on the network. Of a service not yet active (designed, reserved...): active configures it, another state before active only records it.'),
    serviceSpecification: serviceSpecificationRefSchema.optional().describe('Only the one the service already has: a service cannot change specification.'),
    serviceCharacteristic: z
      .array(characteristicSchema)
      .max(200)
      .optional()
      .describe('New values (a modify), or suspensionReason/suspensionInitiator with a state change.'),
  })
  .strict()
  .describe('Service_Update (TMF640, merge patch). State and values run on the network; the other attributes change the record only.');
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
