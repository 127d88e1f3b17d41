import { z } from 'zod';
import type { CheckWords, TemplateRender } from '../driver.js';

/** The `<config>` content of an edit-config, as an XML string built by an escaping library. */
export interface NetconfChange {
  protocol: 'netconf';
  configXml: string;
}

/** get-config (running) with a subtree filter; the reply must contain each string. */
export interface NetconfCheck {
  protocol: 'netconf';
  filterXml: string;
  contains: string[];
  absent?: boolean;
}

/** XML as a YAML tree (xmlbuilder2 object notation: `@attr`, `#` for text); leaves may be templates. */
const xmlTree = z.record(z.string(), z.unknown());

export const netconfChangeTemplate = xmlTree;

export const netconfTestShape = {
  /** ssh-cli: whole lines the output must hold; netconf: text the reply must hold. */
  contains: z.union([z.string(), z.array(z.string())]).optional(),
  absent: z.boolean().optional(),
  filter: xmlTree.optional(),
};

type NetconfTest = z.output<z.ZodObject<typeof netconfTestShape>>;

export function renderNetconfChange(config: Record<string, unknown>, render: TemplateRender, where: string): NetconfChange {
  return { protocol: 'netconf', configXml: render.xml(config, `${where}.config`) };
}

export function renderNetconfTest(test: NetconfTest, render: TemplateRender, where: string): NetconfCheck[] {
  const expected = test.contains === undefined ? [] : Array.isArray(test.contains) ? test.contains : [test.contains];
  return [
    {
      protocol: 'netconf',
      filterXml: render.xml(test.filter ?? {}, `${where}.filter`),
      contains: expected.map((c) => render.text(c, `${where}.contains`)),
      ...(test.absent === undefined ? {} : { absent: test.absent }),
    },
  ];
}

export function netconfCheckWords(check: NetconfCheck): CheckWords {
  return { what: 'get-config', expected: check.contains.join(', ') };
}
