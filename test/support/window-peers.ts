import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import { createLogger } from '../../observability/logger.js';
import { loadFleetConfig, ROLES } from '../../runtime/fleet-config.js';
import { startFleetProcess, type FleetProcess } from '../../runtime/fleet-process.js';
import type { NetworkElementInput } from '../../inventory/network-element.js';
import type { ServiceOrderInput } from '../../orders/service-order.js';
import { startNetconfdPeer, type NetconfdPeer } from '../../peers/netconfd-peer.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/**
 * Three real yuma123 netconfd instances as three NEs (roles netconf-a, -b, -c, confirmed commits
 * on), and a catalog with one interface specification per role and no undo steps at all: what
 * a failed order leaves behind can only be taken back by cancel-commit.
 */
export interface WindowPeers {
  peers: NetconfdPeer[];
  nes: NetworkElementInput[];
  catalogDir: string;
  credentials: (ne: { id: string }) => { username?: string; password?: string };
  /** Each device's whole running config, read from the device (get-config). */
  running(): Promise<string[]>;
  stop(): Promise<void>;
}

export const WINDOW_ROLES = ['a', 'b', 'c'] as const;

export function windowSpec(role: string): unknown {
  const ns = 'urn:ietf:params:xml:ns:yang:ietf-interfaces';
  return {
    id: `iface-${role}`,
    name: `Interface on ${role}`,
    version: '1.0',
    onFailure: 'atomic',
    typicalDurationSeconds: 2,
    characteristics: {
      interfaceName: { type: 'string', mandatory: true, pattern: '[a-z][a-z0-9]{0,30}' },
      description: { type: 'string', mandatory: true, pattern: '[a-z0-9 -]{1,40}' },
      /** What the post-activation test wants to see as the description: another value fails it. */
      probe: { type: 'string', mandatory: true, pattern: '[a-z0-9 -]{1,40}' },
    },
    actions: {
      add: {
        steps: [
          {
            name: 'configure-interface',
            neRole: `netconf-${role}`,
            protocol: 'netconf',
            apply: {
              config: {
                interfaces: {
                  '@xmlns': ns,
                  interface: { name: '{{ interfaceName }}', type: { '@xmlns:ianaift': 'urn:ietf:params:xml:ns:yang:iana-if-type', '#': 'ianaift:ethernetCsmacd' }, description: '{{ description }}' },
                },
              },
            },
            tests: [{ name: 'configured', filter: { interfaces: { '@xmlns': ns, interface: { name: '{{ interfaceName }}' } } }, contains: ['<description>{{ probe }}</description>'] }],
          },
        ],
      },
    },
  };
}

export async function startWindowPeers(tag: string): Promise<WindowPeers> {
  const peers = await Promise.all(WINDOW_ROLES.map((role) => startNetconfdPeer({ instance: `${tag}-${role}` })));
  const nes = peers.map((peer, i) => ({ ...peer.ne, id: `nc-${WINDOW_ROLES[i]}`, role: `netconf-${WINDOW_ROLES[i]}`, netconf: { confirmedCommit: true } }));
  const catalogDir = await mkdtemp(join(tmpdir(), 'window-catalog-'));
  for (const role of WINDOW_ROLES) await writeFile(join(catalogDir, `iface-${role}.yaml`), stringify(windowSpec(role)));
  return {
    peers,
    nes,
    catalogDir,
    credentials: (ne) => peers[WINDOW_ROLES.findIndex((r) => `nc-${r}` === ne.id)]?.credentials ?? {},
    running: () => Promise.all(peers.map((p) => p.runningConfig())),
    async stop() {
      await Promise.allSettled(peers.map((p) => p.stop()));
      await rm(catalogDir, { recursive: true, force: true });
    },
  };
}

/** A bundle a -> b -> c, one interface per NE; `failLast` makes c's post-activation test fail. */
export function windowBundle(name: string, options: { failLast?: boolean; requestedCompletionDate?: string } = {}): ServiceOrderInput {
  return {
    ...(options.requestedCompletionDate ? { requestedCompletionDate: options.requestedCompletionDate } : {}),
    serviceOrderItem: WINDOW_ROLES.map((role, i) => ({
      id: `item-${role}`,
      action: 'add' as const,
      service: {
        serviceSpecification: { id: `iface-${role}` },
        serviceCharacteristic: [
          { name: 'interfaceName', value: `${name}${role}` },
          { name: 'description', value: `window ${role}` },
          { name: 'probe', value: options.failLast && role === 'c' ? 'something else' : `window ${role}` },
        ],
      },
      ...(i > 0 ? { serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: `item-${WINDOW_ROLES[i - 1]}` } }] } : {}),
    })),
  };
}

/** A fleet with every role in this process on the window peers (their NEs as given, or as `peers.nes`), on `redisUrl`. */
export async function startWindowFleet(peers: WindowPeers, redisUrl: string, env: Record<string, string>, nes: NetworkElementInput[] = peers.nes): Promise<FleetProcess> {
  return startFleetProcess({
    config: loadFleetConfig({ REDIS_URL: redisUrl, ACTIVATION_ATTEMPTS: '2', ACTIVATION_BACKOFF_MS: '100', ...env }),
    roles: ROLES,
    log: createLogger({ level: (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent' }),
    catalog: await loadServiceCatalog(peers.catalogDir),
    inventory: ResourceInventory.fromInputs(nes),
    credentials: (ne) => peers.credentials(ne),
    http: false,
  });
}
