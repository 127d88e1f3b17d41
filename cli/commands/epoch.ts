import { defineCommand } from '../cli-command.js';
import { cliConfig } from '../cli-context.js';
import type { ExitCode } from '../exit-codes.js';

export const command = defineCommand({
  usage: 'epoch [--acknowledge-loss] [--json]',
  help: `The fleet's epoch (its identity record in Redis) and every recorded loss of Redis state: a
Redis restarted without persistence, a bad failover, a flush. While a loss is recorded every
fleet process reports it (/readyz 503, activation_redis_state_lost 1).

options:
  --acknowledge-loss   the operator's word that the loss was dealt with (the NEs reconciled
                       against the inventory: activation-fleet reconcile --ne ID); every process
                       then follows the current epoch again
  --json               one JSON object a line

exit status: 0 no loss recorded (or acknowledged now), 3 a loss awaits acknowledgement, 1 Redis unavailable`,
  options: { 'acknowledge-loss': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  positionals: { min: 0, max: 0 },
  async run({ values }) {
    const { epochCommand } = await import('../epoch-command.js');
    return (await epochCommand(await cliConfig(), { acknowledge: values['acknowledge-loss'] === true, json: values.json === true })) as ExitCode;
  },
});
