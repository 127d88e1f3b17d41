/**
 * The exit status of every `activation-fleet` command (README, "The command line"). Scripts
 * rely on these: each means one thing for every command.
 */
export const EXIT = {
  /** Done; for `submit --wait`, the order completed. */
  ok: 0,
  /** The command could not do it: an unknown id, an NE or role not in the inventory, a Redis or device error. */
  failed: 1,
  /** The order was refused: it does not match the TMF641 schema (nothing stored) or the fleet rejected it. */
  refused: 2,
  /** `submit --wait`: the order ended failed, partial or cancelled; `check-sync`: a service drifted or could not be checked. */
  notCompleted: 3,
  /** `submit`: an order with that id or externalId already exists; the earlier order is shown. */
  alreadyExists: 4,
  /** A wrong command line: unknown command or option, a missing or malformed argument (sysexits EX_USAGE). */
  usage: 64,
  /** An input file that cannot be read (sysexits EX_NOINPUT). */
  noInput: 66,
  /** A bug: an unexpected error, printed with its stack (sysexits EX_SOFTWARE). */
  software: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
