import { EXIT, type ExitCode } from './exit-codes.js';

/** A wrong command line: printed with the command's usage, exit 64. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Ends the command with this status and message (on stderr), without a stack. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

export const notFound = (message: string): CliExit => new CliExit(EXIT.failed, message);
