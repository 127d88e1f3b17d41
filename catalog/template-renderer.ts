import { Liquid } from 'liquidjs';
import { create } from 'xmlbuilder2';
import type { AnyDriver } from '../adapters/driver.js';
import { DRIVERS } from '../adapters/registry.js';
import { FleetError } from '../errors/index.js';
import { hasUnsafeCharacters } from './characteristic-validator.js';

/**
 * Renders catalog templates. LiquidJS (Jinja-like, familiar from Ansible/Nornir templates) runs
 * in strict mode: an unknown variable or filter is an error, never an empty string pushed to a
 * device. Includes and layouts are disabled: templates come from the catalog, not from disk.
 */
const noFileSystem = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: () => Promise.reject(new Error('templates cannot include files')),
  readFileSync: () => {
    throw new Error('templates cannot include files');
  },
  resolve: (_root: string, file: string) => file,
};

const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  fs: noFileSystem,
  cache: 500,
  relativeReference: false,
});

// The drivers' own filters (SNMP's `oid_index`), so a template reaches what its protocol needs.
for (const driver of DRIVERS as readonly AnyDriver[]) {
  for (const [name, filter] of Object.entries(driver.templateFilters ?? {})) engine.registerFilter(name, filter);
}
/** For test patterns: the value matched literally (`192.0.2.1` must not match `192002.1`). */
engine.registerFilter('regex_escape', (value: unknown) => String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

export type TemplateContext = Record<string, unknown>;

/**
 * Parsed templates by source: a catalog holds a few hundred, each rendered for every item, and
 * LiquidJS's own cache covers only file templates. Text without a tag renders as itself.
 */
const parsed = new Map<string, ReturnType<Liquid['parse']>>();
const MAX_PARSED = 5000;

function parse(template: string): ReturnType<Liquid['parse']> {
  let tpl = parsed.get(template);
  if (tpl === undefined) {
    tpl = engine.parse(template);
    if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value as string);
    parsed.set(template, tpl);
  }
  return tpl;
}

export function renderText(template: string, context: TemplateContext, where: string): string {
  let rendered: string;
  try {
    rendered = template.includes('{') ? (engine.renderSync(parse(template), context) as string) : template;
  } catch (error) {
    throw new FleetError('TEMPLATE_RENDER_FAILED', `${where}: ${(error as Error).message}`, { cause: error });
  }
  if (hasUnsafeCharacters(rendered)) {
    throw new FleetError('UNSAFE_DEVICE_INPUT', `${where}: rendered text holds control or line-break characters`);
  }
  return rendered;
}

/** Renders every string (keys excluded) in a YAML tree, then builds escaped XML from it. */
function renderTree(node: unknown, context: TemplateContext, where: string): unknown {
  if (typeof node === 'string') return renderText(node, context, where);
  if (Array.isArray(node)) return node.map((child, i) => renderTree(child, context, `${where}[${i}]`));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, renderTree(child, context, `${where}.${key}`)]));
  }
  return node;
}

/**
 * XML from a tree in xmlbuilder2 object notation (`{ porting: { '@xmlns': 'urn:..', 'ported-number': { msisdn: '{{ msisdn }}' } } }`).
 * Values are escaped by xmlbuilder2: a characteristic can never inject markup.
 */
export function renderXml(tree: Record<string, unknown>, context: TemplateContext, where: string): string {
  const rendered = renderTree(tree, context, where) as Record<string, unknown>;
  try {
    return create().ele(rendered).end({ headless: true });
  } catch {
    // Several top-level elements are fine inside <config>/<filter>: build them as a fragment.
    return Object.entries(rendered)
      .map(([name, child]) => create().ele({ [name]: child }).end({ headless: true }))
      .join('');
  }
}
