import { z } from 'zod';
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

const varbindSchema = z
  .object({
    oid: z.string().min(1),
    type: z.enum(['Integer', 'OctetString', 'Gauge', 'Counter', 'Unsigned32', 'IpAddress', 'TimeTicks', 'ObjectIdentifier']),
    value: z.union([z.string(), z.number()]),
    expect: z.union([z.string(), z.number(), z.null()]).optional(),
  })
  .strict();

/** XML as a YAML tree (xmlbuilder2 object notation: `@attr`, `#` for text); leaves may be templates. */
const xmlTree = z.record(z.string(), z.unknown());

/** What a step pushes: exactly one of the protocol forms, matching the step's protocol. */
export const changeTemplateSchema = z
  .object({
    lines: z.array(z.string().min(1)).min(1).optional(),
    varbinds: z.array(varbindSchema).min(1).optional(),
    config: xmlTree.optional(),
  })
  .strict();

export const testTemplateSchema = z
  .object({
    name: z.string().optional(),
    // ssh-cli
    command: z.string().optional(),
    /** ssh-cli: look only inside the config block(s) this line opens (`router bgp {{ localAs }}`). */
    within: z.string().min(1).optional(),
    /** ssh-cli: whole lines the output must hold; netconf: text the reply must hold. */
    contains: z.union([z.string(), z.array(z.string())]).optional(),
    /** ssh-cli: a regular expression a whole line must match (anchored for you); escape values with `regex_escape`. */
    matches: z.string().optional(),
    absent: z.boolean().optional(),
    // snmp
    oid: z.string().optional(),
    equals: z.union([z.string(), z.number()]).optional(),
    // netconf
    filter: xmlTree.optional(),
  })
  .strict();

export const stepSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'step names are kebab-case'),
    neRole: z.string().min(1),
    /** Characteristic whose value names the NE id to use when several NEs have the role. */
    neSelector: z.string().optional(),
    protocol: z.enum(['ssh-cli', 'snmp', 'netconf']),
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
    const field = { 'ssh-cli': 'lines', snmp: 'varbinds', netconf: 'config' }[step.protocol] as 'lines' | 'varbinds' | 'config';
    for (const key of ['apply', 'undo'] as const) {
      const change = step[key];
      if (!change) continue;
      const present = (['lines', 'varbinds', 'config'] as const).filter((f) => change[f] !== undefined);
      if (present.length !== 1 || present[0] !== field) {
        ctx.addIssue({ code: 'custom', path: [key], message: `a ${step.protocol} step's ${key} holds exactly \`${field}\`` });
      }
    }
    step.tests.forEach((test, i) => {
      if (test.within !== undefined && step.protocol !== 'ssh-cli') {
        ctx.addIssue({ code: 'custom', path: ['tests', i, 'within'], message: `within scopes ssh-cli tests only, not ${step.protocol} ones` });
      }
      const ok =
        step.protocol === 'ssh-cli'
          ? test.command !== undefined && (test.contains !== undefined || test.matches !== undefined)
          : step.protocol === 'snmp'
            ? test.oid !== undefined && test.equals !== undefined
            : test.filter !== undefined && test.contains !== undefined;
      if (!ok) {
        const need = { 'ssh-cli': 'command and contains/matches', snmp: 'oid and equals', netconf: 'filter and contains' }[step.protocol];
        ctx.addIssue({ code: 'custom', path: ['tests', i], message: `a ${step.protocol} test needs ${need}` });
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
