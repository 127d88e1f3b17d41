import type { ServiceState } from '../../inventory/service-instance.js';
import { defineCommand } from '../cli-command.js';
import { cliConfig, withReadStores } from '../cli-context.js';
import { notFound, UsageError } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';

const STATES: readonly ServiceState[] = ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated', 'suspended'];

export const command = defineCommand({
  usage: 'services [--state STATE] [--spec SPEC_ID] [--ne NE_ID] [--char NAME=VALUE]',
  help: `The service inventory: one TMF638 Service a line (JSON), filtered by every option given.

options:
  --state STATE        ${STATES.join(', ')}
  --spec SPEC_ID       a service specification of CONFIG_DIR/catalog
  --ne NE_ID           services built on this NE (of CONFIG_DIR/inventory)
  --char NAME=VALUE    services whose characteristic NAME has this value

exit status: 0 shown (possibly none), 1 unknown specification or NE, 64 malformed filter`,
  options: {
    state: { type: 'string' },
    spec: { type: 'string' },
    ne: { type: 'string' },
    char: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run({ values }) {
    const { state, spec, ne, char } = values;
    if (state !== undefined && !(STATES as readonly string[]).includes(state)) throw new UsageError(`--state must be one of ${STATES.join(', ')}, got ${JSON.stringify(state)}`);
    const eq = char?.indexOf('=') ?? -1;
    if (char !== undefined && eq < 1) throw new UsageError(`--char takes NAME=VALUE, got ${JSON.stringify(char)}`);
    const config = await cliConfig();
    if (spec !== undefined) {
      const { loadServiceCatalog } = await import('../../runtime/loading/catalog-files.js');
      const catalog = await loadServiceCatalog(`${config.configDir}/catalog`);
      if (!catalog.get(spec)) throw notFound(`no service specification ${spec} in ${config.configDir}/catalog (${catalog.ids().join(', ')})`);
    }
    if (ne !== undefined) {
      const { loadResourceInventory } = await import('../../runtime/loading/inventory-files.js');
      const inventory = await loadResourceInventory(`${config.configDir}/inventory`);
      if (!inventory.get(ne)) throw notFound(`no NE ${ne} in ${config.configDir}/inventory (NEs: ${inventory.all().map((n) => n.id).join(', ') || 'none'})`);
    }
    const query = {
      ...(state !== undefined ? { state: state as ServiceState } : {}),
      ...(spec !== undefined ? { specification: spec } : {}),
      ...(ne !== undefined ? { neId: ne } : {}),
      ...(char !== undefined ? { characteristic: { name: char.slice(0, eq), value: char.slice(eq + 1) } } : {}),
    };
    for (const service of await withReadStores(config, ({ services }) => services.query(query))) console.log(JSON.stringify(service));
    return EXIT.ok;
  },
});
