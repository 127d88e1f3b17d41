import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FleetError } from '../errors/index.js';
import { formatIssues } from './issue-format.js';
import { serviceSpecificationSchema, type ServiceSpecification } from './service-specification.js';

/** The service specifications the fleet can activate, by id. Built once, read by every role. */
export class ServiceCatalog {
  private readonly specs: ReadonlyMap<string, ServiceSpecification>;

  constructor(specs: Iterable<ServiceSpecification>) {
    const byId = new Map<string, ServiceSpecification>();
    for (const spec of specs) {
      if (byId.has(spec.id)) throw new FleetError('CATALOG_INVALID', `service specification ${spec.id} is defined twice`);
      byId.set(spec.id, spec);
    }
    this.specs = byId;
  }

  get(id: string): ServiceSpecification | undefined {
    return this.specs.get(id);
  }

  ids(): string[] {
    return [...this.specs.keys()].sort();
  }

  /** Validates raw parsed documents (as from YAML/JSON); `source` names them in errors. */
  static fromDocuments(documents: Array<{ source: string; content: unknown }>): ServiceCatalog {
    const specs: ServiceSpecification[] = [];
    const problems: string[] = [];
    for (const { source, content } of documents) {
      const parsed = serviceSpecificationSchema.safeParse(content);
      if (parsed.success) specs.push(parsed.data);
      else problems.push(...formatIssues(parsed.error).map((line) => `${source}: ${line}`));
    }
    if (problems.length > 0) throw new FleetError('CATALOG_INVALID', `invalid catalog:\n  ${problems.join('\n  ')}`, { details: { problems } });
    return new ServiceCatalog(specs);
  }

  /** Loads every `.yaml`, `.yml` and `.json` file of a directory, one specification per file. */
  static async load(directory: string): Promise<ServiceCatalog> {
    let names: string[];
    try {
      names = (await readdir(directory)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
    } catch (error) {
      throw new FleetError('CATALOG_INVALID', `cannot read catalog directory ${directory}: ${(error as Error).message}`, { cause: error });
    }
    const documents = await Promise.all(
      names.map(async (name) => {
        const text = await readFile(join(directory, name), 'utf8');
        try {
          return { source: name, content: name.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown) };
        } catch (error) {
          throw new FleetError('CATALOG_INVALID', `${name}: not valid ${name.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
        }
      }),
    );
    return ServiceCatalog.fromDocuments(documents);
  }
}
