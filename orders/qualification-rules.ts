import { z } from 'zod';
import { FleetError, type RejectionReason } from '../errors/index.js';
import { formatIssues } from '../errors/issue-format.js';
import type { ServiceInstance } from '../inventory/service-instance.js';
import type { ValidatedItem } from './order-validation.js';
import type { ServiceOrderInput } from './service-order.js';

/**
 * Feasibility and qualification: declarative rules from `config/policies.yaml`, evaluated before
 * an order is acknowledged. Each rule carries the message the upstream system gets back.
 * (No add of an existing service and no change of a terminated one are always checked, by
 * order validation.)
 */
const base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids are kebab-case'),
  message: z.string().min(1),
  specification: z.string().optional(),
};

export const qualificationRuleSchema = z.discriminatedUnion('kind', [
  /** The specification's steps may only run on NEs of these roles. */
  z.object({ ...base, kind: z.literal('allowedNeRoles'), roles: z.array(z.string()).min(1) }).strict(),
  /** At most `max` live (active or suspended) services of the specification per customer. */
  z.object({ ...base, kind: z.literal('maxServicesPerCustomer'), max: z.number().int().min(0) }).strict(),
  /** Limits on one characteristic, tighter than the catalog's own type. */
  z
    .object({
      ...base,
      kind: z.literal('characteristicLimit'),
      characteristic: z.string(),
      min: z.number().optional(),
      max: z.number().optional(),
      values: z.array(z.union([z.string(), z.number()])).optional(),
    })
    .strict(),
  /** An action that is not offered (optionally only while the service is in a given state). */
  z.object({ ...base, kind: z.literal('forbidAction'), action: z.enum(['add', 'modify', 'delete', 'suspend', 'resume']), serviceState: z.string().optional() }).strict(),
]);

export const qualificationPolicySchema = z.object({ rules: z.array(qualificationRuleSchema).default([]) }).strict();
export type QualificationRule = z.infer<typeof qualificationRuleSchema>;

/** The rules of a parsed policy document; `source` (the file name) heads the error. */
export function qualificationRulesFromDocument(content: unknown, source: string): QualificationRule[] {
  const parsed = qualificationPolicySchema.safeParse(content);
  if (!parsed.success) throw new FleetError('POLICY_INVALID', `invalid ${source}:\n  ${formatIssues(parsed.error).join('\n  ')}`);
  return parsed.data.rules;
}

export interface QualificationContext {
  order: ServiceOrderInput;
  items: ValidatedItem[];
  /** itemId -> roles of the NEs its steps would run on. */
  neRoles: Map<string, string[]>;
  services: (id: string) => ServiceInstance | undefined;
  /** Live services of a specification held by a customer, from the service inventory. */
  liveServicesOfCustomer: (specification: string, customerId: string) => number;
}

/** The customer of an order: its relatedParty with role customer (any case). */
export function customerOf(order: Pick<ServiceOrderInput, 'relatedParty'>): string | undefined {
  const party = (order.relatedParty ?? []).find((p) => typeof p.role === 'string' && p.role.toLowerCase() === 'customer');
  return typeof party?.id === 'string' ? party.id : undefined;
}

export function evaluateQualification(rules: readonly QualificationRule[], ctx: QualificationContext): RejectionReason[] {
  const reasons: RejectionReason[] = [];
  const fail = (rule: QualificationRule, itemId?: string): void => {
    reasons.push({ code: 'ORDER_QUALIFICATION_FAILED', message: `${itemId ? `serviceOrderItem ${itemId}: ` : ''}${rule.message} (rule ${rule.id})`, ...(itemId ? { itemId } : {}) });
  };
  for (const rule of rules) {
    const items = ctx.items.filter((i) => rule.specification === undefined || i.specId === rule.specification);
    switch (rule.kind) {
      case 'allowedNeRoles':
        for (const item of items) {
          if ((ctx.neRoles.get(item.itemId) ?? []).some((role) => !rule.roles.includes(role))) fail(rule, item.itemId);
        }
        break;
      case 'characteristicLimit':
        for (const item of items) {
          const value = item.values[rule.characteristic];
          if (value === undefined) continue;
          const n = Number(value);
          const outside = (rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max) || (rule.values !== undefined && !rule.values.map(String).includes(String(value)));
          if (outside) fail(rule, item.itemId);
        }
        break;
      case 'forbidAction':
        for (const item of items) {
          if (item.lifecycle !== rule.action) continue;
          const state = item.serviceId ? ctx.services(item.serviceId)?.state : undefined;
          if (rule.serviceState === undefined || rule.serviceState === state) fail(rule, item.itemId);
        }
        break;
      case 'maxServicesPerCustomer': {
        const customer = customerOf(ctx.order);
        const adding = items.filter((i) => i.lifecycle === 'add');
        if (customer === undefined || adding.length === 0 || rule.specification === undefined) break;
        if (ctx.liveServicesOfCustomer(rule.specification, customer) + adding.length > rule.max) fail(rule, adding.at(-1)?.itemId);
        break;
      }
    }
  }
  return reasons;
}
