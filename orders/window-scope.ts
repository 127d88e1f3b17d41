/**
 * Which NEs an order's network transaction (its window of confirmed commits) spans. A window is
 * worth its cost when it makes several NETCONF NEs change together: a device holds one pending
 * confirmed commit at a time, so every other order for a window NE waits until the window
 * closes. An order with one such NE gains nothing on the network from it (its one commit is
 * atomic already; CLI and SNMP items are undone by template either way), so an NE left to
 * `auto` opens a window only beside another; `true` on an NE asks for one even alone.
 */

/** An NE's `netconf.confirmedCommit` setting. */
export type ConfirmedCommitMode = boolean | 'auto';

export interface WindowScope {
  /** The NEs the window spans. */
  neIds: string[];
  /** Those left to `auto`: in the window if their hello advertises :confirmed-commit:1.1 when the order runs. */
  ifAdvertised: string[];
}

/**
 * The window of an order whose steps go to these NEs, or undefined when it has none. `modeOf`
 * is an NE's window mode: false for an NE whose driver offers no confirmed commit.
 */
export function windowScope(steps: readonly { neId: string }[], modeOf: (neId: string) => ConfirmedCommitMode): WindowScope | undefined {
  const neIds = [...new Set(steps.filter((s) => modeOf(s.neId) !== false).map((s) => s.neId))];
  if (neIds.length === 0 || (neIds.length < 2 && !neIds.some((id) => modeOf(id) === true))) return undefined;
  return { neIds, ifAdvertised: neIds.filter((id) => modeOf(id) === 'auto') };
}
