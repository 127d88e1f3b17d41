import { CliExit, UsageError } from './cli-errors.js';
import { parseCommandArgs } from './cli-command.js';
import { COMMANDS, mainUsage } from './command-table.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * `activation-fleet COMMAND ...`: finds the command, loads its module (and only its module),
 * and turns every way it can end into an exit status (cli/exit-codes.ts) and one message.
 */
async function main(argv: string[]): Promise<ExitCode | 'running'> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(mainUsage());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0];
    if (topic !== undefined && COMMANDS[topic]) {
      console.log(await helpOf(topic));
      return EXIT.ok;
    }
    console.log(mainUsage());
    return topic === undefined ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-V') {
    const { buildInfo } = await import('../observability/build-info.js');
    const info = buildInfo();
    console.log(`activation-fleet ${info.version} (${info.commit.slice(0, 12)}) node ${info.nodeVersion}`);
    return EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`activation-fleet: unknown command ${JSON.stringify(name)}\n\n${mainUsage()}`);
    return EXIT.usage;
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(await helpOf(name));
    return EXIT.ok;
  }
  try {
    return await command.run(parseCommandArgs(command, rest));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`activation-fleet ${name}: ${error.message}\nusage: activation-fleet ${command.usage}\n(activation-fleet ${name} --help for more)`);
      return EXIT.usage;
    }
    throw error;
  }
}

async function helpOf(name: string): Promise<string> {
  const { command } = await (COMMANDS[name] as (typeof COMMANDS)[string]).load();
  return `usage: activation-fleet ${command.usage}\n\n${command.help}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 'running') process.exit(code);
  },
  async (error: unknown) => {
    const { isFleetError } = await import('../errors/index.js');
    if (error instanceof CliExit) {
      console.error(error.message);
      process.exit(error.exitCode);
    } else if (isFleetError(error)) {
      console.error(`error ${error.code}: ${error.message}`);
      process.exit(EXIT.failed);
    } else {
      console.error('activation-fleet: unexpected error (a bug; please report it with this output):');
      console.error(error);
      process.exit(EXIT.software);
    }
  },
);
