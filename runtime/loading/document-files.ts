import { readdir } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

/** The `.yaml`, `.yml` and `.json` files of a directory, sorted, so loading order never depends on the file system. */
export async function documentFileNames(directory: string): Promise<string[]> {
  return (await readdir(directory)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
}

/** A file's text parsed by its extension; throws the parser's own error, which the caller names the file in. */
export function parseDocument(name: string, text: string): unknown {
  return name.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
}

export const documentKind = (name: string): string => (name.endsWith('.json') ? 'JSON' : 'YAML');
