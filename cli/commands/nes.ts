import { defineCommand } from '../cli-command.js';
import { cliConfig } from '../cli-context.js';
import { notFound } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';

export const command = defineCommand({
  usage: 'nes [--role ROLE]',
  help: `The resource inventory of CONFIG_DIR/inventory: one NE a line (JSON). Credentials appear by
reference only (credentialsRef), never their values. Needs no Redis.

options:
  --role ROLE   only the NEs of this role

exit status: 0 shown, 1 no NE has that role`,
  options: { role: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run({ values }) {
    const config = await cliConfig();
    const { loadResourceInventory } = await import('../../runtime/loading/inventory-files.js');
    const inventory = await loadResourceInventory(`${config.configDir}/inventory`);
    const nes = values.role === undefined ? inventory.all() : inventory.byRole(values.role);
    if (values.role !== undefined && nes.length === 0) {
      throw notFound(`no NE has role ${values.role} in ${config.configDir}/inventory (roles: ${[...new Set(inventory.all().map((n) => n.role))].join(', ') || 'none'})`);
    }
    for (const ne of nes) console.log(JSON.stringify(ne));
    return EXIT.ok;
  },
});
