import { defineCommand } from '../cli-command.js';
import { cliConfig, withOrderClient } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { readOrderFile } from '../order-file.js';

export const command = defineCommand({
  usage: 'dry-run ORDER.json',
  help: `Validates an order as submit would and renders every step for the NE it would run on: the exact
CLI lines, SNMP varbinds and NETCONF configs, their undo and their tests, as JSON. Sends nothing
to any NE and stores nothing.

exit status: 0 valid, 2 refused (schema) or invalid (the reasons are in the output), 66 file unreadable`,
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ positionals }) {
    const input = await readOrderFile(positionals[0] as string);
    const result = await withOrderClient(await cliConfig(), (c) => c.producer.dryRunServiceOrder(input));
    console.log(JSON.stringify(result, null, 2));
    return result.valid ? EXIT.ok : EXIT.refused;
  },
});
