import { defineCommand } from '../cli-command.js';
import { cliConfig, withReadStores } from '../cli-context.js';
import { notFound } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';
import { formatOrder } from '../order-report.js';

export const command = defineCommand({
  usage: 'status ORDER_ID [--json]',
  help: `Shows an order: its state and dates, then one line per item with its action, specification,
state, dependencies and times, and the errors under each.

options:
  --json   the order in the TMF641 shape

exit status: 0 shown, 1 no such order`,
  options: { json: { type: 'boolean', default: false } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }) {
    const [id] = positionals as [string];
    const record = await withReadStores(await cliConfig(), ({ store }) => store.get(id));
    if (!record) throw notFound(`error ORDER_NOT_FOUND: no service order with id ${id}`);
    console.log(values.json ? JSON.stringify(record.order, null, 2) : formatOrder(record.order, record.items));
    return EXIT.ok;
  },
});
