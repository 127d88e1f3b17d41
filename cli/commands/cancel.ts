import { defineCommand } from '../cli-command.js';
import { cliConfig, withOrderClient } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';

export const command = defineCommand({
  usage: 'cancel ORDER_ID [--reason TEXT]',
  help: `Cancels an order in flight: items not yet started are cancelled, running ones finish, then the
completed ones are rolled back and the order ends cancelled. Prints the order's state.

options:
  --reason TEXT   why (kept on the order)

exit status: 0 cancellation started, 1 no such order or the order is already final`,
  options: { reason: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }) {
    const [id] = positionals as [string];
    const order = await withOrderClient(await cliConfig(), (c) => c.producer.cancelServiceOrder(id, values.reason));
    console.log(`${order.id}: ${order.state}`);
    return EXIT.ok;
  },
});
