import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatIssues } from '../catalog/issue-format.js';
import type { NeDirectory } from '../catalog/activation-plan.js';
import { FleetError } from '../errors/index.js';
import { networkElementSchema, type NetworkElement, type NetworkElementInput } from './network-element.js';

const inventoryFileSchema = z.object({ networkElements: z.array(networkElementSchema) }).strict();

/** The network elements the fleet manages, by id and by role. */
export class ResourceInventory implements NeDirectory {
  private readonly byId: ReadonlyMap<string, NetworkElement>;

  constructor(elements: Iterable<NetworkElement>) {
    const map = new Map<string, NetworkElement>();
    for (const ne of elements) {
      if (map.has(ne.id)) throw new FleetError('INVENTORY_INVALID', `network element ${ne.id} is defined twice`);
      map.set(ne.id, ne);
    }
    this.byId = map;
  }

  static fromInputs(inputs: NetworkElementInput[]): ResourceInventory {
    return new ResourceInventory(inputs.map((i) => networkElementSchema.parse(i)));
  }

  get(id: string): NetworkElement | undefined {
    return this.byId.get(id);
  }

  byRole(role: string): NetworkElement[] {
    return [...this.byId.values()].filter((ne) => ne.role === role);
  }

  all(): NetworkElement[] {
    return [...this.byId.values()];
  }

  /** Loads every YAML/JSON file of a directory; each holds `networkElements: [...]`. */
  static async load(directory: string): Promise<ResourceInventory> {
    let names: string[];
    try {
      names = (await readdir(directory)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
    } catch (error) {
      throw new FleetError('INVENTORY_INVALID', `cannot read inventory directory ${directory}: ${(error as Error).message}`);
    }
    const elements: NetworkElement[] = [];
    const problems: string[] = [];
    for (const name of names) {
      const text = await readFile(join(directory, name), 'utf8');
      let content: unknown;
      try {
        content = name.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      } catch (error) {
        problems.push(`${name}: ${(error as Error).message}`);
        continue;
      }
      const parsed = inventoryFileSchema.safeParse(content);
      if (parsed.success) elements.push(...parsed.data.networkElements);
      else problems.push(...formatIssues(parsed.error).map((line) => `${name}: ${line}`));
    }
    if (problems.length > 0) throw new FleetError('INVENTORY_INVALID', `invalid inventory:\n  ${problems.join('\n  ')}`, { details: { problems } });
    return new ResourceInventory(elements);
  }
}
