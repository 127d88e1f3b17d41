import { Pipeline, Redis } from 'ioredis';

/**
 * Counts the requests every ioredis client in this process sends (the fleet's and BullMQ's
 * alike), two ways:
 *
 * - round trips: how often a caller waited for Redis. A plain command is one, an explicit
 *   pipeline or MULTI is one for the whole batch, and each command an auto-pipelining connection
 *   batched is one: its caller still waited for its own reply, the batch only shared a write
 *   with other items' commands. This is the per-item latency cost the issue's target is about.
 * - wire batches: socket writes as Redis sees them (an auto-pipeline counts once), which fall as
 *   concurrency rises and so say little per item.
 *
 * Redis's own command counters count every command a Lua script runs as well, so they say how
 * much work Redis did, not how often a client waited for it.
 */
let trips = 0;
let wire = 0;
let installed = false;
const byName = new Map<string, number>();

const scriptNames = new Map<string, string>();

/** A command's name for the breakdown: a script call by the name it was defined under (ioredis's scriptsSet). */
function nameOf(client: unknown, command: { name: string; args: unknown[] }): string {
  if (command.name !== 'evalsha') return command.name;
  const sha = String(command.args[0]);
  let name = scriptNames.get(sha);
  if (name === undefined) {
    const scripts = (client as { scriptsSet?: Record<string, { sha: string }> }).scriptsSet ?? {};
    name = Object.entries(scripts).find(([, s]) => s.sha === sha)?.[0];
    if (name === undefined) return `evalsha ${sha.slice(0, 8)}`;
    scriptNames.set(sha, name);
  }
  return name;
}

function count(name: string): void {
  byName.set(name, (byName.get(name) ?? 0) + 1);
}

/** ioredis marks the pipelines it builds for auto-pipelining with this symbol (autoPipelining.js kExec). */
function isAutoPipeline(pipeline: Pipeline): boolean {
  return Object.getOwnPropertySymbols(pipeline).some((s) => s.description === 'exec');
}

export function installRoundTripCounter(): void {
  if (installed) return;
  installed = true;
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
    // A pipeline passes its own buffering stream; those commands travel with their batch.
    if (args[1] === undefined) {
      trips += 1;
      wire += 1;
      count(nameOf(this, args[0] as unknown as { name: string; args: unknown[] }));
    }
    return send.apply(this, args);
  };
  const exec = Pipeline.prototype.exec;
  Pipeline.prototype.exec = function (this: Pipeline, ...args: Parameters<Pipeline['exec']>) {
    wire += 1;
    const queued = (this as unknown as { _queue: Array<{ name: string; args: unknown[] }> })._queue;
    if (isAutoPipeline(this)) {
      trips += queued.length;
      const client = (this as unknown as { redis: unknown }).redis;
      for (const c of queued) count(nameOf(client, c));
    } else {
      trips += 1;
      count(`[${[...new Set(queued.map((c) => c.name))].filter((n) => n !== 'multi' && n !== 'exec').join(',')}]`);
    }
    return exec.apply(this, args);
  };
}

export function roundTrips(): number {
  return trips;
}

export function wireBatches(): number {
  return wire;
}

/** Round trips so far by command name (an explicit batch as [its command names]), for a breakdown. */
export function roundTripsByCommand(): Map<string, number> {
  return new Map(byName);
}
