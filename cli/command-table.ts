import type { CliCommand } from './cli-command.js';

type Loader = () => Promise<{ command: CliCommand }>;

/**
 * Every command, with the line `activation-fleet --help` shows for it. Each module is imported
 * only when its command runs, so `status` never loads the workers, the catalog or BullMQ.
 */
export const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  start: { summary: 'run fleet roles in this process (default: all); the simulated lab on a first run', load: () => import('./commands/start.js') },
  submit: { summary: 'submit a TMF641 service order from a JSON file; --wait follows it to its end', load: () => import('./commands/submit.js') },
  status: { summary: 'an order with its items, states and errors', load: () => import('./commands/status.js') },
  cancel: { summary: 'cancel an order in flight', load: () => import('./commands/cancel.js') },
  events: { summary: 'order events (TMF641 notifications); --follow for new ones', load: () => import('./commands/events.js') },
  audit: { summary: 'every command, SNMP set and NETCONF RPC sent to NEs, with the replies', load: () => import('./commands/audit.js') },
  'dry-run': { summary: 'validate an order and render every step; sends and stores nothing', load: () => import('./commands/dry-run.js') },
  services: { summary: 'the service inventory (TMF638), by state, specification, NE or characteristic', load: () => import('./commands/services.js') },
  nes: { summary: 'the resource inventory (credentials by reference only)', load: () => import('./commands/nes.js') },
  lab: { summary: 'run the simulated NEs as a service, on free ports by default', load: () => import('./commands/lab.js') },
  'check-sync': { summary: 'service audit: run the post-activation tests of active services on the devices, changing nothing; drift per service', load: () => import('./commands/check-sync.js') },
  catalog: { summary: 'catalog check DIR: load and render every specification of DIR, as the fleet would; needs no Redis', load: () => import('./commands/catalog.js') },
  epoch: { summary: "the fleet's epoch and any recorded loss of Redis state; --acknowledge-loss ends it", load: () => import('./commands/epoch.js') },
};

export function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'usage: activation-fleet COMMAND [options]      activation-fleet COMMAND --help for its options',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'exit status: 0 done (submit --wait: completed), 1 failed or not found, 2 order refused,',
    '             3 order not completed, 4 order already exists, 64 usage error, 66 unreadable file',
    'environment: REDIS_URL, CONFIG_DIR, QUEUE_PREFIX, LOG_LEVEL, LOG_FORMAT (README, "Configuration")',
  ].join('\n');
}
