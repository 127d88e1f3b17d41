import { defineCommand } from '../cli-command.js';
import { cliConfig, withReadStores } from '../cli-context.js';
import { CliExit, notFound, UsageError } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';
import type { ServiceSync } from '../../workers/service-sync.js';

export const command = defineCommand({
  usage: 'check-sync --ne NE_ID | --service SERVICE_ID | --all [--json]',
  help: `Service audit: runs the post-activation tests of every active (and suspended) service on the
devices, with the service's current values, and changes nothing. One line per service: in-sync,
drift (each failing test, with what the device showed), or unknown (the device could not be asked).
Reads the catalog and inventory of CONFIG_DIR and the service inventory in Redis; credentials as
the fleet resolves them. --all records its counts in Redis, where every fleet process exports
them (activation_services_drifted). To audit on a schedule, set CHECK_SYNC_INTERVAL_MS on the
fleet, or run this from cron or a Kubernetes CronJob.

options:
  --ne NE_ID          the services built on this NE
  --service ID        this service
  --all               every active and suspended service
  --json              one JSON object per service

exit status: 0 every service in sync, 1 a service or NE not found, 3 drift or unknown found`,
  options: { ne: { type: 'string' }, service: { type: 'string' }, all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  positionals: { min: 0, max: 0 },
  async run({ values }) {
    const chosen = [values.ne !== undefined, values.service !== undefined, values.all].filter(Boolean).length;
    if (chosen !== 1) throw new UsageError('give exactly one of --ne NE_ID, --service SERVICE_ID or --all');
    const config = await cliConfig();
    const [{ loadServiceCatalog }, { loadResourceInventory }, { AdapterPool }, { createAdapterFactory }, { resolveCredentials }, { auditedServices, checkServiceSync, AuditTally, AUDITED_STATES }] = await Promise.all([
      import('../../runtime/loading/catalog-files.js'),
      import('../../runtime/loading/inventory-files.js'),
      import('../../adapters/adapter-pool.js'),
      import('../../adapters/adapter-factory.js'),
      import('../../runtime/loading/credentials-resolver.js'),
      import('../../workers/service-sync.js'),
    ]);
    const catalog = await loadServiceCatalog(`${config.configDir}/catalog`);
    const inventory = await loadResourceInventory(`${config.configDir}/inventory`);
    if (values.ne !== undefined && !inventory.get(values.ne)) throw notFound(`no NE ${values.ne} in ${config.configDir}/inventory`);
    const pool = new AdapterPool(createAdapterFactory((ne) => resolveCredentials(ne)));
    const deps = { catalog, directory: inventory, withAdapter: pool.withAdapter.bind(pool) };
    const tally = new AuditTally();
    const print = (r: ServiceSync): void => {
      tally.add(r);
      if (values.json) console.log(JSON.stringify(r));
      else {
        console.log(`${r.serviceId} ${r.specId} ${r.state}: ${r.status}${r.status === 'in-sync' ? ` (${r.tests} tests)` : ''}${r.error ? ` (${r.error})` : ''}`);
        for (const d of r.drift) console.log(`  drift on ${d.neId} (${d.step}): ${d.test}; device showed: ${d.observed.replace(/\s+/g, ' ').trim() || '(nothing)'}`);
      }
    };
    const startedAt = Date.now();
    try {
      await withReadStores(config, async ({ services: store, redis, keys }) => {
        if (values.service !== undefined) {
          const one = await store.get(values.service);
          if (!one) throw notFound(`no service ${values.service} in the service inventory`);
          if ((AUDITED_STATES as readonly string[]).includes(one.state)) print(await checkServiceSync(deps, one));
          return;
        }
        // A page of services at a time, each printed as it is checked: the audit of a large
        // inventory holds neither every service nor every result.
        for await (const service of auditedServices(store, values.ne)) print(await checkServiceSync(deps, service));
        if (values.all) {
          const { ServiceAuditStore } = await import('../../stores/service-audit-store.js');
          await new ServiceAuditStore(redis, keys).record(tally.summary(startedAt, Date.now()));
        }
      });
    } finally {
      await pool.close();
    }
    const bad = tally.drifted + tally.unknown;
    if (bad > 0) throw new CliExit(EXIT.notCompleted, `${bad} of ${tally.services} services drifted or could not be checked`);
    console.log(`${tally.services} services in sync`);
    return EXIT.ok;
  },
});
