import { z } from 'zod';
import { FleetError } from '../../errors/index.js';
import type { CheckWords, TemplateRender } from '../driver.js';
import { encodeKey, RESTCONF_OPERATIONS, type RestconfChange, type RestconfCheck } from './restconf-change.js';

/**
 * A RESTCONF step in the catalog: `edits`, each an operation, a data path and (but for delete
 * and remove) a value as a YAML tree of RFC 7951 JSON whose string leaves are templates:
 *
 * ```yaml
 * apply:
 *   edits:
 *     - operation: replace
 *       path: example-porting:ported-numbers/ported-number={{ msisdn }}
 *       value: { example-porting:ported-number: [{ msisdn: '{{ msisdn }}', routing-number: '{{ routingNumber }}' }] }
 * ```
 *
 * Key values in a path (after `=`, between `,`) are rendered one by one and percent-encoded, so
 * a characteristic holding `/` or `,` stays one key value and cannot move the path elsewhere.
 */

const editTemplate = z
  .object({
    operation: z.enum(RESTCONF_OPERATIONS),
    path: z.string().min(1),
    value: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((e) => (e.operation === 'delete' || e.operation === 'remove') === (e.value === undefined), {
    message: 'create, merge and replace edits take a value; delete and remove take none',
  });

export const restconfChangeTemplate = z.array(editTemplate).min(1);

export const restconfTestShape = {
  /** restconf: the data path to GET; its key values are encoded as in edits. */
  path: z.string().optional(),
  /** restconf: member names below the resource (`routing-number`), `/`-separated. */
  field: z.string().optional(),
  equals: z.union([z.string(), z.number()]).optional(),
  contains: z.union([z.string(), z.array(z.string())]).optional(),
  absent: z.boolean().optional(),
};

type RestconfTest = z.output<z.ZodObject<typeof restconfTestShape>>;

/** Renders a path template segment by segment; key values are encoded after rendering. */
export function renderPath(template: string, render: TemplateRender, where: string): string {
  return template
    .split('/')
    .map((segment, i) => {
      const at = segment.indexOf('=');
      const name = render.text(at === -1 ? segment : segment.slice(0, at), `${where}[${i}]`);
      if (at === -1) return name;
      const keys = segment.slice(at + 1).split(',').map((key) => encodeKey(render.text(key, `${where}[${i}]`)));
      return `${name}=${keys.join(',')}`;
    })
    .join('/');
}

function renderValue(node: unknown, render: TemplateRender, where: string): unknown {
  if (typeof node === 'string') return render.text(node, where);
  if (Array.isArray(node)) return node.map((child, i) => renderValue(child, render, `${where}[${i}]`));
  if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, renderValue(child, render, `${where}.${key}`)]));
  if (typeof node === 'number' || typeof node === 'boolean' || node === null) return node;
  throw new FleetError('TEMPLATE_RENDER_FAILED', `${where}: a JSON value holds only objects, arrays, strings, numbers, booleans and null`);
}

export function renderRestconfChange(edits: z.output<typeof restconfChangeTemplate>, render: TemplateRender, where: string): RestconfChange {
  return {
    protocol: 'restconf',
    edits: edits.map((edit, i) => {
      const at = `${where}.edits[${i}]`;
      const path = renderPath(edit.path, render, `${at}.path`);
      return edit.value === undefined
        ? { operation: edit.operation, path }
        : { operation: edit.operation, path, value: renderValue(edit.value, render, `${at}.value`) as Record<string, unknown> };
    }),
  };
}

export function renderRestconfTest(test: RestconfTest, render: TemplateRender, where: string): RestconfCheck[] {
  const contains = test.contains === undefined ? [] : Array.isArray(test.contains) ? test.contains : [test.contains];
  return [
    {
      protocol: 'restconf',
      path: renderPath(test.path ?? '', render, `${where}.path`),
      ...(test.field !== undefined ? { field: render.text(test.field, `${where}.field`) } : {}),
      ...(test.equals !== undefined ? { equals: render.text(String(test.equals), `${where}.equals`) } : {}),
      ...(contains.length > 0 ? { contains: contains.map((c) => render.text(c, `${where}.contains`)) } : {}),
      ...(test.absent !== undefined ? { absent: test.absent } : {}),
    },
  ];
}

export function describeRestconfCheck(check: RestconfCheck): string {
  if (check.absent) return `GET ${check.path} is absent`;
  const field = check.field !== undefined ? ` ${check.field}${check.equals !== undefined ? ` = ${check.equals}` : ''}` : '';
  return `GET ${check.path}${field}${check.contains?.length ? ` contains ${check.contains.join(', ')}` : ''}`;
}

export function restconfCheckWords(check: RestconfCheck): CheckWords {
  if (check.absent) return { what: `GET ${check.path}`, expected: 'the resource' };
  if (check.field !== undefined) return { what: `GET ${check.path} ${check.field}`, expected: check.equals !== undefined ? `= ${check.equals}` : 'a value' };
  return { what: `GET ${check.path}`, expected: (check.contains ?? []).join(', ') || 'the resource' };
}
