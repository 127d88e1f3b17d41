import { FleetError } from '../errors/index.js';
import { formatIssues } from '../errors/issue-format.js';
import { templateProblems } from './template-check.js';
import { serviceSpecificationSchema, type ServiceSpecification } from './service-specification.js';
import type { SpecificationLookupProblem, SpecificationRef } from './specification-ref.js';

/** One way to reach a specification: its own id, or one of its aliases (with the version that alias names). */
interface Entry {
  spec: ServiceSpecification;
  version: string | undefined;
  name: string | undefined;
}

/**
 * The service specifications the fleet can activate. Built once, read by every role. Upstream
 * systems name a specification by their own catalog's id (an alias), by name, or by id and
 * version; every one of those ways is declared in the catalog files, so a lookup never guesses.
 */
export class ServiceCatalog {
  private readonly specs: ReadonlyMap<string, ServiceSpecification>;
  /** Own ids and alias ids -> the entries they reach (an alias id may name several versions). */
  private readonly byRefId: ReadonlyMap<string, Entry[]>;

  constructor(specs: Iterable<ServiceSpecification>) {
    const byId = new Map<string, ServiceSpecification>();
    for (const spec of specs) {
      if (byId.has(spec.id)) throw new FleetError('CATALOG_INVALID', `service specification ${spec.id} is defined twice`);
      byId.set(spec.id, spec);
    }
    const byRefId = new Map<string, Entry[]>();
    const add = (id: string, entry: Entry) => byRefId.set(id, [...(byRefId.get(id) ?? []), entry]);
    for (const spec of byId.values()) add(spec.id, { spec, version: spec.version, name: spec.name });
    for (const spec of byId.values()) {
      for (const alias of spec.aliases ?? []) {
        if (byId.has(alias.id) && byId.get(alias.id) !== spec) {
          throw new FleetError('CATALOG_INVALID', `${spec.id}: alias ${alias.id} is the id of specification ${alias.id}`);
        }
        const clash = (byRefId.get(alias.id) ?? []).find((e) => e.spec !== spec && (e.version === undefined || alias.version === undefined || e.version === alias.version));
        if (clash) {
          throw new FleetError('CATALOG_INVALID', `${spec.id}: alias ${alias.id}${alias.version ? ` version ${alias.version}` : ''} also names ${clash.spec.id}; give each a distinct version`);
        }
        add(alias.id, { spec, version: alias.version, name: alias.name ?? spec.name });
      }
    }
    this.specs = byId;
    this.byRefId = byRefId;
  }

  /**
   * By the catalog's own id, or an alias id (only when that alias reaches one specification);
   * a reference object goes through `resolve`.
   */
  get(idOrRef: string | SpecificationRef): ServiceSpecification | undefined {
    if (typeof idOrRef !== 'string') {
      const found = this.resolve(idOrRef);
      return 'spec' in found ? found.spec : undefined;
    }
    const own = this.specs.get(idOrRef);
    if (own) return own;
    const entries = this.byRefId.get(idOrRef) ?? [];
    const distinct = new Set(entries.map((e) => e.spec));
    return distinct.size === 1 ? entries[0]?.spec : undefined;
  }

  /** Every specification whose name (or an alias's name) is `name`. */
  byName(name: string): ServiceSpecification[] {
    return [...this.specs.values()].filter((s) => s.name === name || (s.aliases ?? []).some((a) => a.name === name));
  }

  /**
   * A ServiceSpecificationRef as upstream sends it: by id (the catalog's or an alias), checked
   * against the version when the reference gives one; by name only when it gives no id.
   */
  resolve(ref: SpecificationRef): { spec: ServiceSpecification } | { problem: SpecificationLookupProblem } {
    if (ref.id === undefined) {
      if (ref.name === undefined) return { problem: { kind: 'unknown', message: 'serviceSpecification needs an id or a name' } };
      const named = this.byName(ref.name).filter((s) => ref.version === undefined || s.version === ref.version || (s.aliases ?? []).some((a) => a.name === ref.name && a.version === ref.version));
      if (named.length === 1 && named[0]) return { spec: named[0] };
      if (named.length === 0) return { problem: { kind: 'unknown', message: `no service specification is named ${ref.name}${ref.version ? ` in version ${ref.version}` : ''}` } };
      return { problem: { kind: 'ambiguous', message: `several specifications are named ${ref.name} (${named.map((s) => s.id).join(', ')}); name one by id` } };
    }
    const entries = this.byRefId.get(ref.id) ?? [];
    if (entries.length === 0) return { problem: { kind: 'unknown', message: `unknown service specification ${ref.id}` } };
    const matching = ref.version === undefined ? entries : entries.filter((e) => e.version === undefined || e.version === ref.version);
    const specs = [...new Set(matching.map((e) => e.spec))];
    if (specs.length === 1 && specs[0]) return { spec: specs[0] };
    const versions = [...new Set(entries.map((e) => e.version).filter((v): v is string => v !== undefined))];
    if (specs.length === 0) {
      return { problem: { kind: 'version', message: `service specification ${ref.id} version ${ref.version ?? ''} is not in the catalog (versions: ${versions.join(', ') || 'none'})` } };
    }
    return { problem: { kind: 'ambiguous', message: `service specification ${ref.id} has several versions (${versions.join(', ')}); give serviceSpecification.version` } };
  }

  ids(): string[] {
    return [...this.specs.keys()].sort();
  }

  /** Every specification, in id order. */
  specifications(): ServiceSpecification[] {
    return this.ids().map((id) => this.specs.get(id)).filter((s): s is ServiceSpecification => s !== undefined);
  }

  /**
   * Validates raw parsed documents (as from YAML/JSON), then renders every template of every
   * action (catalog/template-check.ts); `source` names them in errors. The files are read by
   * runtime/loading/catalog-files.ts: the catalog itself does no I/O.
   */
  static fromDocuments(documents: Array<{ source: string; content: unknown }>): ServiceCatalog {
    const specs: ServiceSpecification[] = [];
    const problems: string[] = [];
    for (const { source, content } of documents) {
      const parsed = serviceSpecificationSchema.safeParse(content);
      if (!parsed.success) {
        problems.push(...formatIssues(parsed.error).map((line) => `${source}: ${line}`));
        continue;
      }
      const rendering = templateProblems(parsed.data);
      if (rendering.length === 0) specs.push(parsed.data);
      else problems.push(...rendering.map((line) => `${source}: ${line}`));
    }
    if (problems.length > 0) throw new FleetError('CATALOG_INVALID', `invalid catalog:\n  ${problems.join('\n  ')}`, { details: { problems } });
    return new ServiceCatalog(specs);
  }
}
