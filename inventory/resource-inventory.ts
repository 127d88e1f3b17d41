import { z } from 'zod';
import { formatIssues } from '../errors/issue-format.js';
import type { NeDirectory } from './ne-directory.js';
import { FleetError } from '../errors/index.js';
import { budgetGroupSchema, networkElementSchema, type BudgetGroup, type NetworkElement, type NetworkElementInput } from './network-element.js';

const inventoryFileSchema = z
  .object({ networkElements: z.array(networkElementSchema).default([]), budgetGroups: z.array(budgetGroupSchema).default([]) })
  .strict();

/** One inventory file, parsed, or the reason it did not parse. */
export type InventoryDocument = { source: string; content: unknown } | { source: string; syntaxError: string };

/** The network elements the fleet manages, by id and by role. */
export class ResourceInventory implements NeDirectory {
  private readonly byId: ReadonlyMap<string, NetworkElement>;
  /** By role, built once: every item's planning asks for a role's NEs. */
  private readonly roles: ReadonlyMap<string, readonly NetworkElement[]>;
  private readonly groups: ReadonlyMap<string, BudgetGroup>;

  constructor(elements: Iterable<NetworkElement>, groups: Iterable<BudgetGroup> = []) {
    const map = new Map<string, NetworkElement>();
    for (const ne of elements) {
      if (map.has(ne.id)) throw new FleetError('INVENTORY_INVALID', `network element ${ne.id} is defined twice`);
      map.set(ne.id, ne);
    }
    this.byId = map;
    const roles = new Map<string, NetworkElement[]>();
    for (const ne of map.values()) {
      const list = roles.get(ne.role);
      if (list) list.push(ne);
      else roles.set(ne.role, [ne]);
    }
    this.roles = roles;
    this.groups = new Map([...groups].map((g) => [g.id, g]));
    for (const ne of map.values()) {
      if (ne.budgetGroup !== undefined && !this.groups.has(ne.budgetGroup)) {
        throw new FleetError('INVENTORY_INVALID', `network element ${ne.id} names budget group ${ne.budgetGroup}, which no budgetGroups entry declares`);
      }
    }
  }

  static fromInputs(inputs: NetworkElementInput[], groups: BudgetGroup[] = []): ResourceInventory {
    return new ResourceInventory(
      inputs.map((i) => networkElementSchema.parse(i)),
      groups.map((g) => budgetGroupSchema.parse(g)),
    );
  }

  budgetGroup(id: string): BudgetGroup | undefined {
    return this.groups.get(id);
  }

  get(id: string): NetworkElement | undefined {
    return this.byId.get(id);
  }

  byRole(role: string): NetworkElement[] {
    return [...(this.roles.get(role) ?? [])];
  }

  all(): NetworkElement[] {
    return [...this.byId.values()];
  }

  /**
   * Validates parsed inventory documents (as read by runtime/loading/inventory-files.ts);
   * `source` names each in errors. A file that was not even YAML/JSON comes with its syntax
   * error, so one error lists every broken file, in file order.
   */
  static fromDocuments(documents: readonly InventoryDocument[]): ResourceInventory {
    const elements: NetworkElement[] = [];
    const groups: BudgetGroup[] = [];
    const problems: string[] = [];
    for (const document of documents) {
      const { source } = document;
      if ('syntaxError' in document) {
        problems.push(`${source}: ${document.syntaxError}`);
        continue;
      }
      const parsed = inventoryFileSchema.safeParse(document.content);
      if (parsed.success) {
        elements.push(...parsed.data.networkElements);
        groups.push(...parsed.data.budgetGroups);
      } else problems.push(...formatIssues(parsed.error).map((line) => `${source}: ${line}`));
    }
    if (problems.length > 0) throw new FleetError('INVENTORY_INVALID', `invalid inventory:\n  ${problems.join('\n  ')}`, { details: { problems } });
    return new ResourceInventory(elements, groups);
  }
}
