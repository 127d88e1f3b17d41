import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-errors.js';
import type { ExitCode } from './exit-codes.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** One `activation-fleet` command, in a module of its own under cli/commands/ (loaded on use). */
export interface CliCommand<O extends Options = Options> {
  /** `submit ORDER.json [--wait] [--json]` */
  usage: string;
  /** What it does and each option, for `activation-fleet COMMAND --help`. */
  help: string;
  options: O;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  /** The exit status, or `running` for a command that runs until a signal (start, lab). */
  run(args: ParsedArgs<O>): Promise<ExitCode | 'running'>;
}

export interface ParsedArgs<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

/** A command definition with its option types inferred. */
export const defineCommand = <O extends Options>(command: CliCommand<O>): CliCommand<O> => command;

/** The command's arguments, or a UsageError that names what is wrong (never a stack trace). */
export function parseCommandArgs<O extends Options>(command: CliCommand<O>, argv: string[]): ParsedArgs<O> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages name the option; drop its advice about `--` for positionals starting with '-'.
    throw new UsageError((error as Error).message.replace(/\s*To specify a positional argument.*$/s, ''));
  }
  const { positionals } = parsed;
  if (positionals.length < command.positionals.min) throw new UsageError('missing argument');
  if (positionals.length > command.positionals.max) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[command.positionals.max])}`);
  return { values: parsed.values, positionals };
}

/** An option that must be a whole number of at least `min`. */
export function intOption(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
  return Number(value);
}
