import type { AddressInfo } from 'node:net';
import { defineCommand } from '../cli-command.js';
import { UsageError } from '../cli-errors.js';
import { cliConfig, redactedRedisUrl } from '../cli-context.js';

const ROLE_NAMES = ['intake', 'orchestrator', 'worker', 'api'] as const;

function parseRoles(value: string): Array<(typeof ROLE_NAMES)[number]> {
  if (value === 'all') return [...ROLE_NAMES];
  const roles = value.split(',').map((r) => r.trim());
  const unknown = roles.filter((r) => !(ROLE_NAMES as readonly string[]).includes(r));
  if (unknown.length > 0 || roles.length === 0) throw new UsageError(`unknown role ${unknown.join(', ') || '(none)'}: use all, or a comma-separated list of ${ROLE_NAMES.join(', ')}`);
  return roles as Array<(typeof ROLE_NAMES)[number]>;
}

export const command = defineCommand({
  usage: 'start [--role all|intake,orchestrator,worker,api]',
  help: `Runs fleet roles in this process until SIGTERM or SIGINT, serving /healthz, /readyz and
/metrics on HTTP_PORT (the api role adds the TMF Open APIs under /tmf-api and the queue UI
under /queues). Its first log line says the roles, the port and the Redis it uses.

On a first run (SIMULATED_LAB=auto, the repository's own config/ with no NE credentials set,
NODE_ENV not production) it starts the simulated NEs on free loopback ports and uses them in
place of config/inventory, and says so. SIMULATED_LAB=off never does, =on always does.

SIGTERM: stop taking jobs, finish the running ones within SHUTDOWN_TIMEOUT_MS (default 30000),
close NE sessions, then Redis; exit 0, or 1 when the deadline cut jobs off. SIGHUP reloads the
resource inventory.

options:
  --role LIST   all (default), or a comma-separated list of intake, orchestrator, worker, api`,
  options: { role: { type: 'string', default: 'all' } },
  positionals: { min: 0, max: 0 },
  async run({ values }) {
    const roles = parseRoles(values.role);
    const config = await cliConfig();
    const [{ createProcessLogger }, { startFleetProcess }, { loadResourceInventory }, { decideSimulatedLab }, { buildInfo }, { shutdownTracing, tracingActive }] = await Promise.all([
      import('../../observability/logger.js'),
      import('../../runtime/fleet-process.js'),
      import('../../runtime/loading/inventory-files.js'),
      import('../first-run-lab.js'),
      import('../../observability/build-info.js'),
      import('../../observability/tracing/tracing-state.js'),
    ]);
    const log = await createProcessLogger({ level: config.logLevel, format: config.logFormat });
    const decision = await decideSimulatedLab(config, (await loadResourceInventory(`${config.configDir}/inventory`)).all());
    let lab: Awaited<ReturnType<typeof import('../../simulators/simulated-lab.js').startSimulatedLab>> | undefined;
    if (decision.run) {
      const [{ startSimulatedLab }, { describeLab }] = await Promise.all([import('../../simulators/simulated-lab.js'), import('../lab-service.js')]);
      lab = await startSimulatedLab({ host: '127.0.0.1' });
      const labLines = describeLab(lab);
      log.warn(
        { simulatedLab: labLines },
        `simulated lab: ${decision.why}, so this fleet runs on simulated NEs started in this process (${labLines.join(', ')}) in place of the inventory. ` +
          'Set the NE credentials (README, "The resource inventory") or SIMULATED_LAB=off to use real NEs.',
      );
    }
    const fleet = await startFleetProcess({ config, roles, log, ...(lab ? { inventory: lab.inventory, credentials: lab.credentials } : {}) });
    const port = (fleet.http?.server.address() as AddressInfo | null)?.port;
    const info = buildInfo();
    const paths = ['/healthz /readyz /metrics', ...(roles.includes('api') ? ['TMF Open APIs /tmf-api', 'queue UI /queues'] : [])].join(', ');
    log.info(
      { roles, httpPort: port, redis: redactedRedisUrl(config.redisUrl), prefix: config.queuePrefix, version: info.version, commit: info.commit, tracing: tracingActive(), simulatedLab: lab !== undefined },
      `activation-fleet ${info.version} started: roles ${roles.join(', ')}; HTTP on :${port ?? '(off)'} (${paths}); Redis ${redactedRedisUrl(config.redisUrl)} prefix ${config.queuePrefix}` +
        `${lab ? '; NEs: the simulated lab' : ''}${tracingActive() ? '; tracing on' : ''}`,
    );

    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal, shutdownTimeoutMs: config.shutdownTimeoutMs }, `${signal}: shutting down, no new jobs; running ones have ${config.shutdownTimeoutMs} ms to finish`);
      // A job still running at the deadline is taken over elsewhere once its BullMQ lock expires.
      const deadline = setTimeout(() => {
        log.warn({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed; exiting with jobs still running');
        void shutdownTracing().finally(() => process.exit(1));
      }, config.shutdownTimeoutMs);
      deadline.unref();
      fleet
        .stop()
        .then(() => lab?.close())
        .then(
          async () => {
            log.info('stopped');
            await shutdownTracing();
            process.exit(0);
          },
          async (error: unknown) => {
            log.error({ err: error }, 'error during shutdown');
            await shutdownTracing();
            process.exit(1);
          },
        );
    };
    process.on('SIGHUP', () => void fleet.reloadInventory());
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    return 'running';
  },
});
