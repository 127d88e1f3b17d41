import type { ChangeSet, Check } from '../adapters/change-set.js';
import type { TemplateRender } from '../adapters/driver.js';
import { driverFor } from '../adapters/registry.js';
import { FleetError } from '../errors/index.js';
import type { NetworkElement } from '../inventory/network-element.js';
import type { CharacteristicValues } from '../inventory/characteristic-value.js';
import type { NeDirectory } from '../inventory/ne-directory.js';
import type { ChangeTemplate, ServiceAction, ServiceSpecification, StepSpec, TestTemplate } from './service-specification.js';
import { renderText, renderXml, type TemplateContext } from './template-renderer.js';

/** One step as planned for one NE, by NE id: the change, its undo and its tests, rendered (as stored with an order). */
export interface StoredStep {
  name: string;
  neId: string;
  apply: ChangeSet;
  undo?: ChangeSet;
  tests: Check[];
}

/** One step of an item's activation, rendered for one NE: exactly what will be sent. */
export interface PlannedStep {
  name: string;
  ne: NetworkElement;
  apply: ChangeSet;
  undo?: ChangeSet;
  tests: Check[];
  /** The device resources the step claims for its service on `ne` (rendered; empty ones dropped). */
  claims?: string[];
}

export interface PlanRequest {
  spec: ServiceSpecification;
  action: ServiceAction;
  values: CharacteristicValues;
  directory: NeDirectory;
  /** NE ids chosen by an earlier run of the same item (undo must reach the same NEs). */
  pinnedNeIds?: Record<string, string>;
  /** NE role -> NE id the service was built on: modify, suspend and delete go back there. */
  serviceNeIds?: Record<string, string>;
  /** For modify: the values before the change; templates see them as `previous.*`. */
  previousValues?: CharacteristicValues;
  context?: TemplateContext;
}

function selectNe(step: StepSpec, req: PlanRequest): NetworkElement {
  const pinned = req.pinnedNeIds?.[step.name];
  if (pinned) {
    const ne = req.directory.get(pinned);
    if (ne) return ne;
    throw new FleetError('INVENTORY_NO_NETWORK_ELEMENT', `step ${step.name}: network element ${pinned} is no longer in the inventory`);
  }
  const serviceNe = req.serviceNeIds?.[step.neRole];
  if (serviceNe) {
    const ne = req.directory.get(serviceNe);
    if (ne) return ne;
    throw new FleetError('INVENTORY_NO_NETWORK_ELEMENT', `step ${step.name}: network element ${serviceNe}, which the service is built on, is no longer in the inventory`);
  }
  if (step.neSelector !== undefined) {
    const wanted = req.values[step.neSelector];
    // By id, then checked: the same NE as the first of the role's candidates with that id, without scanning the role.
    const ne = req.directory.get(String(wanted));
    if (ne && ne.role === step.neRole && ne.protocol === step.protocol) return ne;
    throw new FleetError(
      'INVENTORY_NO_NETWORK_ELEMENT',
      `step ${step.name}: no ${step.protocol} network element with role ${step.neRole} and id ${String(wanted)} (from ${step.neSelector})`,
    );
  }
  const candidates = req.directory.byRole(step.neRole).filter((ne) => ne.protocol === step.protocol);
  const ne = candidates.sort((a, b) => a.id.localeCompare(b.id))[0];
  if (!ne) throw new FleetError('INVENTORY_NO_NETWORK_ELEMENT', `step ${step.name}: no ${step.protocol} network element with role ${step.neRole}`);
  return ne;
}

/**
 * The step's driver renders it (adapters/<protocol>/*-catalog-form.ts). Its result is typed by
 * that driver's own ChangeSet and Check members; the registry erases the types, hence the casts.
 */
function renderChange(step: StepSpec, change: ChangeTemplate, render: TemplateRender, where: string): ChangeSet {
  const driver = driverFor(step.protocol);
  const template = change[driver.catalog.changeField];
  // The step schema lets through exactly the driver's field.
  if (template === undefined) throw new FleetError('CATALOG_INVALID', `${where}: a ${step.protocol} step's change holds no ${driver.catalog.changeField}`);
  return driver.renderChange(template, render, where) as ChangeSet;
}

/** One catalog test becomes one check, or several (one per expected line of a CLI `contains` list). */
function renderTest(step: StepSpec, test: TestTemplate, render: TemplateRender, where: string): Check[] {
  return driverFor(step.protocol).renderTest(test, render, where) as Check[];
}

/** The template engine bound to one step's values, as the drivers render through it. */
function renderer(ctx: TemplateContext): TemplateRender {
  return { text: (template, where) => renderText(template, ctx, where), xml: (tree, where) => renderXml(tree, ctx, where) };
}

/**
 * Renders every step of one item's action for the NEs it targets. Pure apart from reading the
 * directory: the same request always gives the same commands, which is what a dry run shows.
 */
export function planActivation(req: PlanRequest): PlannedStep[] {
  const action = req.spec.actions[req.action];
  if (!action) throw new FleetError('ORDER_UNSUPPORTED_ACTION', `${req.spec.id} has no ${req.action} action in the catalog`);
  const previous = req.previousValues ?? {};
  const changed = Object.fromEntries(Object.keys(req.spec.characteristics).map((name) => [name, req.previousValues !== undefined && previous[name] !== req.values[name]]));
  const steps = action.steps.filter((step) => req.action !== 'modify' || !step.onlyIfChanged || step.onlyIfChanged.some((name) => changed[name]));
  return steps.map((step) => {
    const ne = selectNe(step, req);
    const ctx: TemplateContext = { ...req.values, ...req.context, previous, changed, ne: { id: ne.id, role: ne.role } };
    const where = `${req.spec.id}.${req.action}.${step.name}`;
    const render = renderer(ctx);
    return {
      name: step.name,
      ne,
      apply: renderChange(step, step.apply, render, `${where}.apply`),
      ...(step.undo ? { undo: renderChange(step, step.undo, render, `${where}.undo`) } : {}),
      tests: step.tests.flatMap((t, i) => renderTest(step, t, render, `${where}.tests[${i}]`)),
      ...(step.claims ? { claims: step.claims.map((c, i) => canonicalClaim(renderText(c, ctx, `${where}.claims[${i}]`))).filter((c) => c !== '') } : {}),
    };
  });
}

/**
 * A claim as it is compared: rendered text with its whitespace runs as one space, and an OID
 * instance without a leading dot or zero-padded arcs (`.1.3.6.1.2.1.1.04.0` is `1.3.6.1.2.1.1.4.0`),
 * so two specifications writing one resource in two spellings still collide.
 */
export function canonicalClaim(text: string): string {
  const claim = text.trim().replace(/\s+/g, ' ');
  return /^\.?\d+(\.\d+)+$/.test(claim) ? claim.replace(/^\./, '').split('.').map((arc) => String(Number(arc))).join('.') : claim;
}
