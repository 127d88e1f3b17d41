/**
 * Request bodies the OpenAPI description shows, each one sendable as it is against the shipped
 * catalog (config/catalog): client-settable attributes only, no placeholders. A test sends them.
 */
export const REQUEST_EXAMPLES = {
  serviceOrderCreate: {
    externalId: 'BSS-747',
    description: 'Mobile bundle: port-in, plan, voicemail',
    category: 'mobile',
    priority: '2',
    relatedParty: [{ id: 'cust-456', name: 'Jean Pontus', role: 'customer', '@referredType': 'Individual' }],
    note: [{ author: 'BSS', text: 'Port-in agreed with the donor operator' }],
    serviceOrderItem: [
      {
        id: 'number-porting',
        action: 'add',
        service: {
          serviceSpecification: { id: 'number-porting' },
          serviceCharacteristic: [
            { name: 'msisdn', value: '447700900123' },
            { name: 'donorOperator', value: 'Other Mobile' },
            { name: 'routingNumber', value: 'D042' },
          ],
        },
      },
      {
        id: 'mobile-plan',
        action: 'add',
        service: {
          serviceSpecification: { id: 'mobile-plan', version: '1.0' },
          serviceCharacteristic: [
            { name: 'msisdn', value: '447700900123' },
            { name: 'plan', valueType: 'string', value: 'gold' },
          ],
        },
        serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'number-porting' } }],
      },
    ],
  },
  serviceOrderUpdate: { description: 'Mobile bundle for Jean Pontus', note: [{ author: 'BSS', text: 'Customer called: keep the order' }] },
  serviceOrderCreateV3: {
    externalId: 'BSS-748',
    description: 'Mobile plan (v3 client)',
    orderItem: [
      {
        id: '1',
        action: 'add',
        service: {
          serviceSpecification: { id: 'mobile-plan' },
          serviceCharacteristic: [
            { name: 'msisdn', value: '447700900124' },
            { name: 'plan', value: 'silver' },
          ],
        },
      },
    ],
  },
  cancelServiceOrderCreate: { serviceOrder: { id: 'the-order-id' }, cancellationReason: 'Customer withdrew the order' },
  serviceCreate: {
    name: 'Mobile plan of Jean Pontus',
    state: 'active',
    serviceSpecification: { id: 'mobile-plan' },
    relatedParty: [{ id: 'cust-456', role: 'customer', '@referredType': 'Individual' }],
    serviceCharacteristic: [
      { name: 'msisdn', value: '447700900125' },
      { name: 'plan', valueType: 'string', value: 'gold' },
    ],
  },
  serviceUpdate: { serviceCharacteristic: [{ name: 'plan', value: 'silver' }] },
  eventSubscriptionInput: { callback: 'https://bss.example.com/listener' },
} as const;
