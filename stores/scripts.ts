import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { Packr } from 'msgpackr';

/**
 * The fleet's Lua scripts, one file each under stores/lua/ with its keys documented at the top.
 * Every key a script touches is passed in KEYS, so a Redis Cluster routes it to the one slot it
 * lives in. ioredis sends them with EVALSHA (and EVAL once, when a server does not know one).
 */
export const SCRIPT_NAMES = ['order-create', 'order-apply', 'item-start', 'order-delete', 'order-doc-cas', 'lease-keep', 'resource-claims-take', 'resource-claims-release'] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

const sources = new Map<ScriptName, string>();

function source(name: ScriptName): string {
  let lua = sources.get(name);
  if (lua === undefined) {
    lua = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
    sources.set(name, lua);
  }
  return lua;
}

// MessagePack, as BullMQ passes its own arguments: Redis's Lua has cmsgpack built in, and a
// packed control carries the documents in it as raw strings, not escaped again as JSON.
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: false });

/** A script's control document, packed for cmsgpack.unpack(ARGV[1]). */
export function packControl(control: Record<string, unknown>): Buffer {
  return packr.pack(control);
}

/** Calls a script: the number of keys, the keys, then the arguments. */
export type ScriptCall = (numKeys: number, ...keysAndArgs: Array<string | number | Buffer>) => Promise<unknown>;

/** Defines the scripts on a connection (once per connection) and returns a caller for each. */
export function scriptsOn(redis: Redis): Record<ScriptName, ScriptCall> {
  const commands = redis as unknown as Record<string, ScriptCall | undefined>;
  const out = {} as Record<ScriptName, ScriptCall>;
  for (const name of SCRIPT_NAMES) {
    const command = `fleet_${name.replace(/-/g, '_')}`;
    if (typeof commands[command] !== 'function') redis.defineCommand(command, { lua: source(name) });
    out[name] = (numKeys, ...rest) => (commands[command] as ScriptCall).call(redis, numKeys, ...rest);
  }
  return out;
}
