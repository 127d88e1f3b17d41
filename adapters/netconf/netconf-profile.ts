import { z } from 'zod';

/** An NE's `netconf` settings (its SSH host keys are under `ssh`, as for the CLI). */
export const netconfProfile = z
  .object({
    /**
     * Whether this NE's changes go into the order's window: each is a confirmed commit with a
     * persist-id, confirmed once the whole order passed and cancelled if it fails, so a worker
     * that dies leaves the device to revert by itself. `auto` (the default): when the order's
     * changes span this NE and at least one other window NE (orders/window-scope.ts) and the
     * NE's hello advertises :candidate and :confirmed-commit:1.1; `true`: in every order, even
     * as its only window NE, and the dry run names the NE for certain (a device that turns out
     * not to offer it is still committed plainly); `false`: plain commits, undone by template.
     * A device holds one pending confirmed commit at a time, so every other order for a window
     * NE waits until the window closes (its wait bounded from when the NE last took a change).
     */
    confirmedCommit: z.union([z.literal('auto'), z.boolean()]).default('auto'),
  })
  .strict();
