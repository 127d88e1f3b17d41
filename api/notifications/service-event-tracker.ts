import type { Redis } from 'ioredis';
import type { ServiceInstance } from '../../inventory/service-instance.js';
import { presentInventoryService } from '../resources/service-presentation.js';
import type { ApiEventStream } from './api-event-stream.js';
import { tmfNotification, type TmfNotification } from './tmf-notification.js';

/**
 * Service notifications (TMF638/TMF640), derived by comparing each service with what was last
 * announced about it: first sight is a ServiceCreateEvent, a new state a ServiceStateChangeEvent,
 * new characteristic values a ServiceAttributeValueChangeEvent. Comparing with the last
 * announcement, not with an event's payload, makes redelivered or reordered order events harmless.
 */
export class ServiceEventTracker {
  constructor(
    private readonly redis: Redis,
    private readonly events: ApiEventStream,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:api:service-seen:${id}`;
  }

  async observe(service: ServiceInstance): Promise<void> {
    const snapshot = JSON.stringify({ state: service.state, characteristics: service.serviceCharacteristic });
    // Two attempts: losing the race to another process means it announced this very change.
    for (let attempt = 0; attempt < 2; attempt++) {
      const previous = (await this.redis.hget(this.key(service.id), 'snapshot')) ?? '';
      if (previous === snapshot) return;
      const events = this.changes(previous, service);
      if (await this.events.compareAndPublish({ key: this.key(service.id), field: 'snapshot', expected: previous, set: { snapshot }, events })) return;
    }
  }

  private changes(previous: string, service: ServiceInstance): TmfNotification[] {
    const payload = { service: presentInventoryService(service) };
    const base = { correlationId: service.id };
    if (previous === '') {
      return [tmfNotification('ServiceCreateEvent', payload, { ...base, title: 'Service created', description: `service ${service.id} is ${service.state}` })];
    }
    const before = JSON.parse(previous) as { state: string; characteristics: unknown };
    const events: TmfNotification[] = [];
    if (JSON.stringify(before.characteristics) !== JSON.stringify(service.serviceCharacteristic)) {
      events.push(tmfNotification('ServiceAttributeValueChangeEvent', payload, { ...base, title: 'Service characteristics changed', description: `service ${service.id}`, fieldPath: 'serviceCharacteristic' }));
    }
    if (before.state !== service.state) {
      events.push(tmfNotification('ServiceStateChangeEvent', payload, { ...base, title: 'Service state changed', description: `service ${service.id}: ${before.state} -> ${service.state}`, fieldPath: 'state' }));
    }
    return events;
  }
}
