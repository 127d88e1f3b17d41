import { defineCommand } from '../cli-command.js';
import { cliConfig, withReadStores } from '../cli-context.js';
import { notFound, UsageError } from '../cli-errors.js';
import { EXIT } from '../exit-codes.js';

export const command = defineCommand({
  usage: 'events [--follow [--from-start]] [--order ORDER_ID]',
  help: `Prints the order events (TMF641 notifications) from the fleet's events stream, one JSON object
a line: the stream id, the event type, the order and the description.

options:
  --follow         keep printing events as they are stored, from now on (Ctrl-C ends it)
  --from-start     with --follow: replay every stored event first, then follow
  --order ORDER_ID only this order's events (the order must exist)

Without --follow, every stored event is printed and the command ends.

exit status: 0 done, 1 no such order`,
  options: {
    follow: { type: 'boolean', default: false },
    'from-start': { type: 'boolean', default: false },
    order: { type: 'string' },
  },
  positionals: { min: 0, max: 0 },
  async run({ values }) {
    if (values['from-start'] && !values.follow) throw new UsageError('--from-start goes with --follow (without --follow every stored event is printed anyway)');
    const config = await cliConfig();
    await withReadStores(config, async ({ store }) => {
      if (values.order !== undefined && !(await store.get(values.order))) throw notFound(`error ORDER_NOT_FOUND: no service order with id ${values.order}`);
      // '$' is "after the newest entry": resolved once, by the first (blocking) read.
      let cursor = values.follow && !values['from-start'] ? '$' : '0';
      for (;;) {
        const blocking = values.follow ? { blockMs: cursor === '$' ? 0 : 5000 } : {};
        const events = await store.readEvents(cursor, { count: 500, ...blocking });
        for (const e of events) {
          cursor = e.streamId;
          if (values.order !== undefined && e.orderId !== values.order) continue;
          console.log(JSON.stringify({ id: e.streamId, type: e.event.eventType, orderId: e.orderId, description: e.event.description }));
        }
        if (!values.follow && events.length === 0) return;
      }
    });
    return EXIT.ok;
  },
});
