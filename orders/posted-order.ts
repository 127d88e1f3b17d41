import type { RejectionReason } from '../errors/index.js';
import { formatIssues } from '../errors/issue-format.js';
import { inputBoundsProblems } from './input-bounds.js';
import { ID_PATTERN, serviceOrderInputSchema, type ServiceOrderInput } from './service-order.js';

const PARSED = Symbol('parsed service order');

/**
 * A posted order after the one parse every intake path makes (HTTP, CLI, intake queue, embedded
 * client): the bounds check, then the TMF641 schema. Later steps take this, never the raw input
 * again. JSON cannot carry the symbol key, so a raw order from a queue is never mistaken for one.
 */
export type ParsedServiceOrder = {
  readonly [PARSED]: true;
  /** As posted (the schema's output when it passed: the same fields), for the record of a rejected order. */
  readonly input: unknown;
  /** The posted id and externalId when usable as such, valid order or not: a rejected order is stored under them too. */
  readonly givenId: string | undefined;
  readonly externalId: string | undefined;
} & (
  | { readonly ok: true; readonly order: ServiceOrderInput }
  | {
      readonly ok: false;
      readonly reasons: RejectionReason[];
      /** The schema's `field: problem` lines when the schema refused it: what an API answers 400 with. */
      readonly schemaIssues?: string[];
    }
);

export function isParsedServiceOrder(value: unknown): value is ParsedServiceOrder {
  return value !== null && typeof value === 'object' && PARSED in value;
}

/**
 * Parses a posted order once. The bounds come first in the reasons (they keep a walker of the
 * order from recursing deep); the schema runs even then, so an API answers 400 to a body the
 * schema refuses whatever its depth, as it did when it parsed the body itself.
 */
export function parseServiceOrder(input: unknown): ParsedServiceOrder {
  const raw = (input !== null && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const ids = {
    givenId: typeof raw.id === 'string' && ID_PATTERN.test(raw.id) ? raw.id : undefined,
    externalId: typeof raw.externalId === 'string' && raw.externalId.length <= 128 ? raw.externalId : undefined,
  };
  const bounds = inputBoundsProblems(input);
  const parsed = serviceOrderInputSchema.safeParse(input);
  if (parsed.success) {
    const base = { [PARSED]: true as const, input: parsed.data, ...ids };
    return bounds.length > 0 ? { ...base, ok: false, reasons: bounds } : { ...base, ok: true, order: parsed.data };
  }
  const base = { [PARSED]: true as const, input, ...ids };
  const schemaIssues = formatIssues(parsed.error);
  const reasons: RejectionReason[] = bounds.length > 0 ? bounds : schemaIssues.map((message) => ({ code: 'ORDER_INVALID', message, path: message.split(':')[0] }));
  return { ...base, ok: false, reasons, schemaIssues };
}

/** An order built by the fleet from one already parsed (an add carried out as a modify): valid by construction, not parsed again. */
export function parsedFrom(order: ServiceOrderInput): ParsedServiceOrder {
  return { [PARSED]: true, input: order, givenId: order.id, externalId: order.externalId, ok: true, order };
}
