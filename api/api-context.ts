import type { Logger } from 'pino';
import type { ServiceCatalog } from '../catalog/service-catalog.js';
import type { OrderStore } from '../stores/order-store.js';
import type { ServiceInventoryStore } from '../stores/service-inventory-store.js';
import type { ServiceOrderProducer } from '../queues/service-order-producer.js';
import type { ApiEventStream } from './notifications/api-event-stream.js';
import type { HubRegistry } from './notifications/hub-registry.js';
import type { OrderFollower } from './notifications/order-follower.js';
import type { CancelTaskStore } from './resources/cancel-task-store.js';
import type { MonitorStore } from './resources/monitor-store.js';
import type { PendingServiceStore } from './resources/pending-service-store.js';
import type { OrderListing } from './resources/order-listing.js';
import type { TmfApiOptions } from './tmf-api-options.js';

/** What the route handlers work with: the fleet's stores and producer, and the API's own. */
export interface ApiContext {
  producer: ServiceOrderProducer;
  store: OrderStore;
  services: ServiceInventoryStore;
  catalog: ServiceCatalog;
  monitors: MonitorStore;
  pendingServices: PendingServiceStore;
  cancelTasks: CancelTaskStore;
  hubs: HubRegistry;
  events: ApiEventStream;
  follower: OrderFollower;
  listing: OrderListing;
  options: TmfApiOptions;
  log: Logger;
}
