import { z } from 'zod';

/** An NE's `netconf` settings (its SSH host keys are under `ssh`, as for the CLI). */
export const netconfProfile = z
  .object({
    /**
     * Whether this NE's changes go into the order's window: each is a confirmed commit with a
     * persist-id, confirmed once the whole order passed and cancelled if it fails, so a worker
     * that dies leaves the device to revert by itself. `auto`: when the NE's hello advertises
     * :candidate and :confirmed-commit:1.1; `true`: always, and the dry run names the NE for
     * certain (a device that turns out not to offer it is still committed plainly); `false` (the
     * default): plain commits, undone by template. Off unless asked for, per NE: a device holds
     * one pending confirmed commit at a time, so every other order for it waits until the window
     * closes, and an NE that most orders touch (a number-portability database) would run them
     * one order at a time; the wait bound does not yet follow a queue of windows.
     */
    confirmedCommit: z.union([z.literal('auto'), z.boolean()]).default(false),
  })
  .strict();
