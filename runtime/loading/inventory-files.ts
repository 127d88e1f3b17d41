import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FleetError } from '../../errors/index.js';
import { ResourceInventory, type InventoryDocument } from '../../inventory/resource-inventory.js';
import { documentFileNames, parseDocument } from './document-files.js';

/** Loads every YAML/JSON file of a directory; each holds `networkElements: [...]` (and maybe `budgetGroups`). */
export async function loadResourceInventory(directory: string): Promise<ResourceInventory> {
  let names: string[];
  try {
    names = await documentFileNames(directory);
  } catch (error) {
    throw new FleetError('INVENTORY_INVALID', `cannot read inventory directory ${directory}: ${(error as Error).message}`);
  }
  const documents: InventoryDocument[] = [];
  for (const name of names) {
    const text = await readFile(join(directory, name), 'utf8');
    try {
      documents.push({ source: name, content: parseDocument(name, text) });
    } catch (error) {
      documents.push({ source: name, syntaxError: (error as Error).message });
    }
  }
  return ResourceInventory.fromDocuments(documents);
}
