import type { ServiceOrderInput } from '../../orders/service-order.js';

let counter = 0;

/** A fresh MSISDN per order, so orders in one test file never touch each other's config. */
export function nextMsisdn(): string {
  counter += 1;
  return `4477009${String(Date.now() % 100000).padStart(5, '0')}${String(counter).padStart(3, '0')}`.slice(0, 15);
}

/**
 * The field example: port the number, then provision the mobile plan (relies on the porting),
 * then voicemail (relies on the plan).
 */
export function mobileBundle(options: { id?: string; externalId?: string; msisdn?: string; plan?: string; extra?: Partial<ServiceOrderInput> } = {}): { order: ServiceOrderInput; msisdn: string } {
  const msisdn = options.msisdn ?? nextMsisdn();
  const order: ServiceOrderInput = {
    ...(options.id ? { id: options.id } : {}),
    ...(options.externalId ? { externalId: options.externalId } : {}),
    description: 'Mobile bundle: port-in, plan, voicemail',
    priority: '2',
    serviceOrderItem: [
      {
        id: 'number-porting',
        action: 'add',
        service: {
          serviceSpecification: { id: 'number-porting' },
          serviceCharacteristic: [
            { name: 'msisdn', value: msisdn },
            { name: 'donorOperator', value: 'Other Mobile' },
            { name: 'routingNumber', value: 'D042' },
          ],
        },
      },
      {
        id: 'mobile-plan',
        action: 'add',
        service: {
          serviceSpecification: { id: 'mobile-plan' },
          serviceCharacteristic: [
            { name: 'msisdn', value: msisdn },
            { name: 'plan', value: options.plan ?? 'gold' },
            { name: 'dataCapGb', value: 50 },
          ],
        },
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'number-porting' } }],
      },
      {
        id: 'voicemail',
        action: 'add',
        service: {
          serviceSpecification: { id: 'voicemail' },
          serviceCharacteristic: [
            { name: 'msisdn', value: msisdn },
            { name: 'quotaMinutes', value: 60 },
            { name: 'language', value: 'fr' },
          ],
        },
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'mobile-plan' } }],
      },
    ],
    ...options.extra,
  };
  return { order, msisdn };
}
