import { defineCommand } from '../cli-command.js';
import { cliConfig, withReadStores } from '../cli-context.js';
import { notFound, UsageError } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';
import { formatAuditRecord } from '../order-report.js';

export const command = defineCommand({
  usage: 'audit --order ORDER_ID | --ne NE_ID [--json]',
  help: `Every exchange with an NE, oldest first: each CLI command, SNMP SET and GET, NETCONF RPC and
login (the user only), with its order, item, step, outcome, duration and the device's reply.

options:
  --order ORDER_ID   the exchanges of one order (the order must exist)
  --ne NE_ID         the latest exchanges with one NE, by any order (the NE must be in CONFIG_DIR/inventory)
  --json             one JSON object a line

exit status: 0 shown (possibly none), 1 no such order or NE`,
  options: {
    order: { type: 'string' },
    ne: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  positionals: { min: 0, max: 0 },
  async run({ values }) {
    const { order, ne } = values;
    if ((order === undefined) === (ne === undefined)) throw new UsageError('give exactly one of --order ORDER_ID or --ne NE_ID');
    const config = await cliConfig();
    if (ne !== undefined) {
      const { loadResourceInventory } = await import('../../runtime/loading/inventory-files.js');
      const inventory = await loadResourceInventory(`${config.configDir}/inventory`);
      if (!inventory.get(ne)) throw notFound(`no NE ${ne} in ${config.configDir}/inventory (NEs: ${inventory.all().map((n) => n.id).join(', ') || 'none'})`);
    }
    const records = await withReadStores(config, async ({ store, audit }) => {
      if (order !== undefined) {
        if (!(await store.get(order))) throw notFound(`error ORDER_NOT_FOUND: no service order with id ${order}`);
        return audit.listByOrder(order);
      }
      return audit.listByNe(ne ?? '');
    });
    for (const r of records) console.log(values.json ? JSON.stringify(r) : formatAuditRecord(r));
    return EXIT.ok;
  },
});
