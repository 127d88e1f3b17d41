import { Pipeline, Redis } from 'ioredis';

/**
 * Counts the requests every ioredis client in this process sends (the fleet's and BullMQ's
 * alike): a plain command is one round trip, a pipeline or MULTI is one for the whole batch.
 * Redis's own `total_commands_processed` counts every command a Lua script runs as well, so
 * it says how much work Redis did, not how often a client waited for it.
 */
let direct = 0;
let batches = 0;
let installed = false;
const byName = new Map<string, number>();

function count(name: string): void {
  byName.set(name, (byName.get(name) ?? 0) + 1);
}

export function installRoundTripCounter(): void {
  if (installed) return;
  installed = true;
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    // A pipeline passes its own buffering stream; those commands travel with their batch.
    if (args[1] === undefined) {
      direct += 1;
      count(args[0].name);
    }
    return send.apply(this, args);
  };
  const exec = Pipeline.prototype.exec;
  Pipeline.prototype.exec = function (this: Pipeline, ...args: Parameters<Pipeline['exec']>) {
    batches += 1;
    const queued = (this as unknown as { _queue: Array<{ name: string }> })._queue;
    count(`[${[...new Set(queued.map((c) => c.name))].filter((n) => n !== 'multi' && n !== 'exec').join(',')}]`);
    return exec.apply(this, args);
  };
}

export function roundTrips(): number {
  return direct + batches;
}

/** Round trips so far by command name (a batch as [its command names]), for a breakdown. */
export function roundTripsByCommand(): Map<string, number> {
  return new Map(byName);
}
