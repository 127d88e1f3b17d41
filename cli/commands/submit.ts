import { defineCommand } from '../cli-command.js';
import { cliConfig, withOrderClient } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { readOrderFile } from '../order-file.js';
import { waitForOrder } from '../wait-for-order.js';
import type { ParsedServiceOrder } from '../../orders/posted-order.js';
import type { ServiceOrder } from '../../orders/service-order.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const warn = (line: string): void => void process.stderr.write(`${line}\n`);

/** An order that was already there: what it is, marked as the earlier one throughout. */
function describeEarlier(order: ServiceOrder, posted: ParsedServiceOrder): string[] {
  const matched = posted.givenId === order.id ? `id ${order.id}` : `externalId ${JSON.stringify(posted.externalId)}`;
  const lines = [
    `not submitted: an order with ${matched} already exists (an earlier submission; this file was not stored)`,
    `  the earlier order ${order.id}: ${order.state}, ordered ${order.orderDate}${order.completionDate ? `, finished ${order.completionDate}` : ''}`,
  ];
  if (order.state === 'rejected') {
    lines.push('  the earlier order was rejected for:');
    for (const e of order.errorMessage ?? []) lines.push(`    ${e.code}: ${e.message}`);
  }
  lines.push('  to order again, submit under a new id and externalId');
  return lines;
}

export const command = defineCommand({
  usage: 'submit ORDER.json [--wait] [--json]',
  help: `Submits a TMF641 service order (ServiceOrder_Create JSON) and prints its id.

The file is checked against the API's schema first: an order the TMF641 API would answer 400
is refused here (exit 2) and nothing is stored. A well-formed order the fleet refuses (catalog,
characteristics, inventory, policies) is stored as rejected, with its reasons (exit 2).
Submitting an id or externalId that exists stores nothing and shows the earlier order: its
state, when, and its rejection reasons if it was rejected (exit 4).

options:
  --wait   follow the order until it is final, printing each item's progress;
           exit 0 when it completed, 3 when it ended failed, partial or cancelled
  --json   print the order as stored (TMF641 JSON) instead of its id

exit status: 0 submitted (with --wait: completed), 2 refused or rejected, 3 not completed,
             4 already exists, 66 file unreadable, 1 other failures`,
  options: {
    wait: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }) {
    const [file] = positionals as [string];
    const input = await readOrderFile(file);
    const config = await cliConfig();
    return withOrderClient(config, async (client) => {
      const { order, created } = await client.producer.submitServiceOrder(input);
      if (!created) {
        if (values.json) say(JSON.stringify(order, null, 2));
        describeEarlier(order, input).forEach(warn);
        return EXIT.alreadyExists;
      }
      if (order.state === 'rejected') {
        say(values.json ? JSON.stringify(order, null, 2) : order.id);
        for (const e of order.errorMessage ?? []) warn(`rejected: ${e.code}: ${e.message}`);
        return EXIT.refused;
      }
      if (!values.wait) {
        say(values.json ? JSON.stringify(order, null, 2) : order.id);
        return EXIT.ok;
      }
      const startedAt = Date.now();
      const progress = values.json ? warn : say;
      progress(`order ${order.id} ${order.state}: ${order.serviceOrderItem.length} items; following it until it is final`);
      const final = await waitForOrder(client.store, order.id, progress);
      if (values.json) say(JSON.stringify(final, null, 2));
      progress(`order ${final.id}: ${final.state} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
      return final.state === 'completed' ? EXIT.ok : EXIT.notCompleted;
    });
  },
});
