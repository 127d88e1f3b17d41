import { z } from 'zod';
import type { AnyDriver } from '../adapters/driver.js';
import { DRIVERS, NE_PROTOCOLS, driverOf } from '../adapters/registry.js';
import { ACTIVATION_POLICIES } from './activation-policy.js';

/**
 * A service specification as the catalog files declare it: the parameters an order item must
 * carry, and per action the activation steps with their undo steps and post-activation tests.
 * Templates (LiquidJS syntax, `{{ msisdn }}`) are rendered over validated characteristic values.
 */

/** `object`: a JSON object (TMF characteristic values may be objects); templates reach its fields, `{{ ip.address }}`. */
export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'enum', 'ipv4', 'ipv6', 'object'] as const;

/** TMF's ServiceSpecification category: customer facing (CFS) or resource facing (RFS). */
export const SPECIFICATION_CATEGORIES = ['CFS', 'RFS'] as const;

/**
 * Another name under which upstream systems refer to this specification: their catalog's id,
 * and optionally the version and name they send. A reference that gives a version must match it.
 */
export const specificationAliasSchema = z
  .object({
    id: z.string().min(1).max(128),
    version: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    description: z.string().optional(),
  })
  .strict();

export const parameterSchema = z
  .object({
    type: z.enum(PARAMETER_TYPES),
    description: z.string().optional(),
    mandatory: z.boolean().default(false),
    /**
     * Set by the add and never changed by a modify: what the device keys the service by (an
     * interface name, an MSISDN). A modify giving another value is refused at intake, naming the
     * characteristic: the catalog's modify cannot move the device's configuration to a new key.
     */
    immutable: z.boolean().default(false),
    /** Anchored automatically: the whole value must match. */
    pattern: z.string().optional(),
    values: z.array(z.union([z.string(), z.number()])).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    maxLength: z.number().int().positive().default(256),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === 'enum' && (!p.values || p.values.length === 0)) ctx.addIssue({ code: 'custom', message: 'an enum parameter needs values' });
    if (p.pattern !== undefined) {
      try {
        new RegExp(p.pattern, 'u');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `pattern is not a valid regular expression: ${(error as Error).message}` });
      }
    }
  });

/**
 * What a step pushes: exactly one of the drivers' change fields (`lines`, `varbinds`, `config`),
 * the one of the step's protocol. Composed from the registry (adapters/registry.ts).
 */
const changeFields = DRIVERS.map((driver) => driver.catalog.changeField);
export const changeTemplateSchema = z
  .object(Object.fromEntries((DRIVERS as readonly AnyDriver[]).map((driver) => [driver.catalog.changeField, driver.catalog.changeTemplate.optional()])))
  .strict();

/**
 * A post-activation test: its `name` and every driver's test fields. Drivers that read the same
 * field (`contains`) share it: the first one declaring it gives its schema.
 */
const testShape: Record<string, z.core.$ZodType> = { name: z.string().optional() };
for (const driver of DRIVERS as readonly AnyDriver[]) {
  for (const [field, schema] of Object.entries(driver.catalog.testShape)) if (!(field in testShape)) testShape[field] = schema;
}
export const testTemplateSchema = z.object(testShape).strict();

/** Test fields only one protocol may use, by field: the owning protocol. */
const exclusiveTestFields = new Map((DRIVERS as readonly AnyDriver[]).flatMap((driver) => (driver.catalog.exclusiveTestFields ?? []).map((field): [string, string] => [field, driver.protocol])));

export const stepSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'step names are kebab-case'),
    neRole: z.string().min(1),
    /** Characteristic whose value names the NE id to use when several NEs have the role. */
    neSelector: z.string().optional(),
    protocol: z.enum(NE_PROTOCOLS),
    /**
     * For `modify`: the step runs only when one of these characteristics changes, so only the
     * difference reaches the network. CLI lines that render empty are dropped for the same end.
     */
    onlyIfChanged: z.array(z.string()).optional(),
    apply: changeTemplateSchema,
    undo: changeTemplateSchema.optional(),
    tests: z.array(testTemplateSchema).default([]),
    /**
     * The device resources an add of this step makes the service own on its NE (an OID instance,
     * a config path, an interface name), rendered like the step: a second service claiming one of
     * them on the same NE is refused at intake, naming the holder (orders/resource-claims.ts).
     */
    claims: z.array(z.string().min(1).max(512)).optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const driver = driverOf(step.protocol);
    // The enum above refuses an unregistered protocol; no default driver is ever assumed.
    if (driver === undefined) {
      ctx.addIssue({ code: 'custom', path: ['protocol'], message: `no driver is registered for protocol ${step.protocol}` });
      return;
    }
    const field = driver.catalog.changeField;
    for (const key of ['apply', 'undo'] as const) {
      const change = step[key];
      if (!change) continue;
      const present = changeFields.filter((f) => change[f] !== undefined);
      if (present.length !== 1 || present[0] !== field) {
        ctx.addIssue({ code: 'custom', path: [key], message: `a ${step.protocol} step's ${key} holds exactly \`${field}\`` });
      }
    }
    step.tests.forEach((test, i) => {
      for (const [name, owner] of exclusiveTestFields) {
        if (test[name] !== undefined && step.protocol !== owner) {
          ctx.addIssue({ code: 'custom', path: ['tests', i, name], message: `${name} scopes ${owner} tests only, not ${step.protocol} ones` });
        }
      }
      if (!driver.isCompleteTest(test)) {
        ctx.addIssue({ code: 'custom', path: ['tests', i], message: `a ${step.protocol} test needs ${driver.catalog.testNeeds}` });
      }
    });
  });

export const actionSchema = z.object({ steps: z.array(stepSchema).min(1) }).strict();

export const serviceSpecificationSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/),
    name: z.string().min(1),
    version: z.string().default('1.0'),
    description: z.string().optional(),
    /** CFS or RFS, shown as the category of its services (TMF638). */
    category: z.enum(SPECIFICATION_CATEGORIES).default('CFS'),
    /** The ids (or aliases) upstream catalogs use for this specification; see ServiceCatalog.resolve. */
    aliases: z.array(specificationAliasSchema).default([]),
    /**
     * The specifications that realise this one (a CFS over its RFS): the services of an order's
     * items with these specifications become this service's supportingService.
     */
    composedOf: z.array(z.string().min(1)).default([]),
    /** How long one item of this specification usually takes, for the order's expected completion. */
    typicalDurationSeconds: z.number().positive().default(30),
    /** What a failed item does to its order when the order names no policy. */
    onFailure: z.enum(ACTIVATION_POLICIES).default('atomic'),
    /**
     * Whether this specification's NETCONF changes go into the order's window (confirmed commits,
     * confirmed once the whole order passed) on NEs that take part in one. `false`: its items
     * commit plainly and are undone by template, whatever the NE offers. Absent means true (no
     * default written in: the hash of an entry that does not set it stays what it was).
     */
    commitWindow: z.boolean().optional(),
    characteristics: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'characteristic names are identifiers'), parameterSchema).default({}),
    /**
     * Characteristics that identify the service among its specification's (an MSISDN): an add
     * whose identity a live service already holds is refused at intake, naming that service.
     */
    identity: z.array(z.string().min(1)).default([]),
    actions: z
      .object({
        add: actionSchema.optional(),
        modify: actionSchema.optional(),
        delete: actionSchema.optional(),
        /** What suspending does on the network (shut a neighbor, lower a rate): it may be partial. */
        suspend: actionSchema.optional(),
        resume: actionSchema.optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    spec.identity.forEach((name, i) => {
      if (!(name in spec.characteristics)) ctx.addIssue({ code: 'custom', path: ['identity', i], message: `identity names ${name}, which is not a declared characteristic` });
    });
    for (const [action, body] of Object.entries(spec.actions)) {
      const seen = new Set<string>();
      body?.steps.forEach((step, i) => {
        // Step names key the NE each step ran on, which rollback reuses: they must be unique.
        if (seen.has(step.name)) ctx.addIssue({ code: 'custom', path: ['actions', action, 'steps', i, 'name'], message: `step name ${step.name} is used twice in ${action}` });
        seen.add(step.name);
        for (const name of step.onlyIfChanged ?? []) {
          if (!(name in spec.characteristics)) ctx.addIssue({ code: 'custom', path: ['actions', action, 'steps', i, 'onlyIfChanged'], message: `onlyIfChanged names ${name}, which is not a declared characteristic` });
        }
        if (step.neSelector !== undefined && !(step.neSelector in spec.characteristics)) {
          ctx.addIssue({ code: 'custom', path: ['actions', action, 'steps', i, 'neSelector'], message: `neSelector ${step.neSelector} is not a declared characteristic` });
        }
      });
    }
  });

export type ParameterSpec = z.infer<typeof parameterSchema>;
export type StepSpec = z.infer<typeof stepSchema>;
export type ChangeTemplate = z.infer<typeof changeTemplateSchema>;
export type TestTemplate = z.infer<typeof testTemplateSchema>;
export type ServiceSpecification = z.infer<typeof serviceSpecificationSchema>;
export type ServiceAction = keyof ServiceSpecification['actions'];
export type SpecificationAlias = z.infer<typeof specificationAliasSchema>;
