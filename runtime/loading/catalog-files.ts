import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { FleetError } from '../../errors/index.js';
import { documentFileNames, documentKind, parseDocument } from './document-files.js';

/** Loads every `.yaml`, `.yml` and `.json` file of a directory, one specification per file. */
export async function loadServiceCatalog(directory: string): Promise<ServiceCatalog> {
  let names: string[];
  try {
    names = await documentFileNames(directory);
  } catch (error) {
    throw new FleetError('CATALOG_INVALID', `cannot read catalog directory ${directory}: ${(error as Error).message}`, { cause: error });
  }
  const documents = await Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(directory, name), 'utf8');
      try {
        return { source: name, content: parseDocument(name, text) };
      } catch (error) {
        throw new FleetError('CATALOG_INVALID', `${name}: not valid ${documentKind(name)}: ${(error as Error).message}`);
      }
    }),
  );
  return ServiceCatalog.fromDocuments(documents);
}
