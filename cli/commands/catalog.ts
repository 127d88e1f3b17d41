import { defineCommand } from '../cli-command.js';
import { CliExit, UsageError } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';

export const command = defineCommand({
  usage: 'catalog check DIR',
  help: `Loads every specification in DIR (.yaml, .yml, .json) as the fleet would at start: the
schema, then every template of every action rendered against the declared characteristics
(previous/changed for a modify). Prints one line per specification, or one line per problem
naming the file, the action, the step and the template line. Needs no Redis and no device.

exit status: 0 the catalog is valid, 1 it is not, 66 DIR cannot be read`,
  options: {},
  positionals: { min: 2, max: 2 },
  async run({ positionals }) {
    const [sub, dir] = positionals;
    if (sub !== 'check' || dir === undefined) throw new UsageError(`unknown catalog subcommand ${JSON.stringify(sub)} (catalog check DIR)`);
    const { readdir } = await import('node:fs/promises');
    try {
      await readdir(dir);
    } catch (error) {
      throw new CliExit(EXIT.noInput, `cannot read catalog directory ${dir}: ${(error as Error).message}`);
    }
    const { loadServiceCatalog } = await import('../../runtime/loading/catalog-files.js');
    const { FleetError } = await import('../../errors/index.js');
    try {
      const catalog = await loadServiceCatalog(dir);
      for (const spec of catalog.specifications()) {
        const actions = Object.entries(spec.actions).filter(([, body]) => body !== undefined);
        const steps = actions.reduce((n, [, body]) => n + (body?.steps.length ?? 0), 0);
        console.log(`ok ${spec.id} ${spec.version}: ${actions.map(([name]) => name).join(', ')} (${steps} steps rendered)`);
      }
      console.log(`${catalog.ids().length} specifications valid in ${dir}`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof FleetError && error.code === 'CATALOG_INVALID') throw new CliExit(EXIT.failed, error.message);
      throw error;
    }
  },
});
