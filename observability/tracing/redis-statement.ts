/**
 * The `db.statement` of an ioredis span: the command and the keys it touches, never values.
 * The instrumentation's default keeps every argument of EVAL/EVALSHA (BullMQ's scripts carry
 * whole job payloads, our stores whole order records) and the first argument of commands it
 * does not know, which for AUTH is the password.
 */
const NAME_ONLY = new Set(['auth', 'hello', 'acl', 'config', 'migrate', 'client']);
const SCRIPTS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);
const MAX_KEY_LENGTH = 200;
const MAX_KEYS = 8;

type Arg = string | Buffer | number | unknown;

const key = (arg: Arg): string | undefined => {
  const text = typeof arg === 'string' ? arg : Buffer.isBuffer(arg) ? arg.toString('utf8') : undefined;
  return text !== undefined && text.length <= MAX_KEY_LENGTH ? text : undefined;
};

export function redisStatement(command: string, args: readonly Arg[]): string {
  const name = command.toLowerCase();
  if (NAME_ONLY.has(name)) return command;
  if (SCRIPTS.has(name)) {
    const numKeys = Number(args[1]);
    if (!Number.isInteger(numKeys) || numKeys < 0) return command;
    const keys = args.slice(2, 2 + Math.min(numKeys, MAX_KEYS)).map((k) => key(k) ?? '?');
    const script = name.startsWith('evalsha') ? (key(args[0]) ?? '?') : name.startsWith('fcall') ? (key(args[0]) ?? '?') : '<script>';
    return [command, script, String(numKeys), ...keys, ...(numKeys > MAX_KEYS ? [`[${numKeys - MAX_KEYS} more keys]`] : [])].join(' ');
  }
  const first = args.length > 0 ? key(args[0]) : undefined;
  return first === undefined ? command : `${command} ${first}`;
}
