import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ServiceCatalog } from '../../catalog/service-catalog.js';
import { ResourceInventory } from '../../inventory/resource-inventory.js';
import type { NetworkElementInput } from '../../inventory/network-element.js';
import { serviceOrderInputSchema } from '../../orders/service-order.js';
import { loadServiceCatalog } from '../../runtime/loading/catalog-files.js';

/** Every example in docs/catalog.md and the README's catalog example load, so they cannot rot (indented fragments with `...` aside). */
async function blocks(file: string, language: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1] ?? '');
}

describe('the catalog reference', () => {
  it('every specification example loads, templates rendered, alongside the shipped catalog', async () => {
    const docs = (await blocks('docs/catalog.md', 'yaml')).map((t) => parseYaml(t) as Record<string, unknown>);
    const specs = docs.filter((d) => 'actions' in d);
    expect(specs.map((s) => s.id)).toEqual(['docs-bgp-neighbor', 'docs-system-contact', 'docs-network-interface']);
    const readme = (await blocks('README.md', 'yaml')).map((t) => parseYaml(t) as Record<string, unknown>).filter((d) => 'actions' in d);
    expect(readme.length).toBeGreaterThanOrEqual(1);
    const catalog = ServiceCatalog.fromDocuments([
      ...specs.map((content, i) => ({ source: `docs/catalog.md example ${i + 1}`, content })),
      ...readme.map((content, i) => ({ source: `README.md example ${i + 1}`, content: { ...content, id: `readme-${i}` } })),
    ]);
    expect(catalog.ids()).toContain('docs-system-contact');
    const bgp = catalog.get('docs-bgp-neighbor');
    expect(Object.keys(bgp?.actions ?? {}).sort()).toEqual(['add', 'delete', 'modify', 'resume', 'suspend']);
  });

  it('the inventory example loads, with one NE per protocol', async () => {
    const [inventory] = (await blocks('docs/catalog.md', 'yaml')).map((t) => parseYaml(t) as Record<string, unknown>).filter((d) => 'networkElements' in d);
    const loaded = ResourceInventory.fromInputs((inventory?.networkElements ?? []) as NetworkElementInput[]);
    expect(loaded.all().map((ne) => ne.protocol).sort()).toEqual(['netconf', 'snmp', 'ssh-cli']);
  });

  it('every order example is a valid TMF641 ServiceOrder_Create naming shipped specifications', async () => {
    const orders = (await blocks('docs/catalog.md', 'json')).map((t) => JSON.parse(t) as unknown);
    expect(orders.length).toBe(5);
    const shipped = await loadServiceCatalog('config/catalog');
    for (const order of orders) {
      const parsed = serviceOrderInputSchema.safeParse(order);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      for (const item of parsed.data?.serviceOrderItem ?? []) {
        const id = item.service.serviceSpecification?.id;
        if (id !== undefined) expect(shipped.get(id), id).toBeDefined();
      }
    }
  });
});
