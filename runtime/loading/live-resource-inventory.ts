import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { NeDirectory } from '../../inventory/ne-directory.js';
import type { BudgetGroup, NetworkElement } from '../../inventory/network-element.js';
import type { ResourceInventory } from '../../inventory/resource-inventory.js';
import { loadResourceInventory } from './inventory-files.js';

/**
 * The resource inventory as the fleet sees it at run time: reloaded from its directory when a
 * file changes (or on `reload()`, e.g. from SIGHUP), without a restart. A file that does not
 * validate is refused whole and the last good inventory stays in force, so a typo never takes
 * NEs away from running orders.
 */
export class LiveResourceInventory implements NeDirectory {
  private current: ResourceInventory;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly directory: string,
    initial: ResourceInventory,
    private readonly log: Logger,
  ) {
    this.current = initial;
  }

  static async open(directory: string, log: Logger, options: { watch?: boolean } = {}): Promise<LiveResourceInventory> {
    const live = new LiveResourceInventory(directory, await loadResourceInventory(directory), log);
    if (options.watch ?? true) live.startWatching();
    return live;
  }

  get(id: string): NetworkElement | undefined {
    return this.current.get(id);
  }

  byRole(role: string): NetworkElement[] {
    return this.current.byRole(role);
  }

  all(): NetworkElement[] {
    return this.current.all();
  }

  budgetGroup(id: string): BudgetGroup | undefined {
    return this.current.budgetGroup(id);
  }

  /** Loads the directory again; returns false (keeping the old inventory) when it is invalid. */
  async reload(): Promise<boolean> {
    try {
      const next = await loadResourceInventory(this.directory);
      const before = new Set(this.current.all().map((ne) => ne.id));
      const after = next.all().map((ne) => ne.id);
      this.current = next;
      this.log.info({ added: after.filter((id) => !before.has(id)), removed: [...before].filter((id) => !after.includes(id)), total: after.length }, 'resource inventory reloaded');
      return true;
    } catch (error) {
      this.log.error({ err: error }, 'resource inventory not reloaded: the files do not validate; the previous inventory stays in force');
      return false;
    }
  }

  private startWatching(): void {
    try {
      this.watcher = watch(this.directory, () => {
        // Editors write in several steps: wait for the burst to end.
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(), 200);
      });
      this.watcher.unref();
    } catch (error) {
      this.log.warn({ err: error }, 'cannot watch the inventory directory; reload with SIGHUP');
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
