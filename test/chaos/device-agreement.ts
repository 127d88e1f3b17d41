import type { ServiceInstance } from '../../inventory/service-instance.js';
import type { SimulatedLab } from '../../simulators/simulated-lab.js';

/** What one subscriber holds on the lab's three NEs, read from each device's own state. */
export interface DeviceView {
  /** The PCRF's subscriber block (its child lines), from its running config. */
  pcrf?: string[];
  /** The NPDB's ported-number entry (routing number), from its running datastore. */
  npdb?: { routingNumber: string };
  /** The VMS's mailbox row, from its MIB. */
  vms?: { quotaMinutes: number; language: string };
}

function pcrfBlocks(lab: SimulatedLab): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lab.pcrf.configLines()) {
    const msisdn = /^subscriber (\d+)$/.exec(line)?.[1];
    if (msisdn) blocks.set(msisdn, (current = []));
    else if (line.startsWith(' ') && current) current.push(line.trim());
    else current = undefined;
  }
  return blocks;
}

function npdbEntries(lab: SimulatedLab): Map<string, { routingNumber: string }> {
  const entries = new Map<string, { routingNumber: string }>();
  for (const [, body] of lab.npdb.runningXml().matchAll(/<ported-number>([\s\S]*?)<\/ported-number>/g)) {
    const msisdn = /<msisdn>(\d+)<\/msisdn>/.exec(body ?? '')?.[1];
    if (msisdn) entries.set(msisdn, { routingNumber: /<routing-number>([^<]*)<\/routing-number>/.exec(body ?? '')?.[1] ?? '' });
  }
  return entries;
}

/** Every subscriber any of the three devices holds, with what each holds. */
export function deviceViews(lab: SimulatedLab): Map<string, DeviceView> {
  const views = new Map<string, DeviceView>();
  const view = (msisdn: string): DeviceView => views.get(msisdn) ?? (views.set(msisdn, {}), views.get(msisdn) as DeviceView);
  for (const [msisdn, block] of pcrfBlocks(lab)) view(msisdn).pcrf = block;
  for (const [msisdn, entry] of npdbEntries(lab)) view(msisdn).npdb = entry;
  for (const m of lab.vms.mailboxes()) if (m.status === 1) view(m.msisdn).vms = { quotaMinutes: m.quotaMinutes, language: m.language };
  return views;
}

const LIVE = new Set(['active', 'suspended']);

function valueOf(service: ServiceInstance, name: string, fallback?: string): string | undefined {
  const found = service.serviceCharacteristic.find((c) => c.name === name);
  return found === undefined ? fallback : String(found.value);
}

/** What the device must hold for a live service of the inventory, as the view's part for it. */
function expectedPart(service: ServiceInstance): { ne: keyof DeviceView; expected: unknown } | undefined {
  const suspended = service.state === 'suspended';
  switch (service.serviceSpecification.id) {
    case 'mobile-plan': {
      const lines = [`plan ${valueOf(service, 'plan')}`, `data-cap-gb ${valueOf(service, 'dataCapGb', '20')}`, `apn ${valueOf(service, 'apn', 'internet')}`, ...(suspended ? ['rate-limit-kbps 64'] : [])];
      return { ne: 'pcrf', expected: lines.sort() };
    }
    case 'number-porting':
      return { ne: 'npdb', expected: { routingNumber: valueOf(service, 'routingNumber') } };
    case 'voicemail':
      return { ne: 'vms', expected: { quotaMinutes: Number(valueOf(service, 'quotaMinutes', '30')), language: valueOf(service, 'language', 'en') } };
    default:
      return undefined;
  }
}

function actualPart(view: DeviceView | undefined, ne: keyof DeviceView): unknown {
  const part = view?.[ne];
  return Array.isArray(part) ? [...part].sort() : part;
}

/**
 * Where the devices and the service inventory disagree, one line each, for the given subscribers
 * (all the devices know of when omitted): a live service the device does not hold as recorded,
 * or a device holding a subscriber's entry with no live service for it in the inventory.
 */
export function deviceInventoryDisagreements(lab: SimulatedLab, services: ServiceInstance[], msisdns?: Iterable<string>): string[] {
  const views = deviceViews(lab);
  const wanted = new Set(msisdns ?? [...views.keys(), ...services.map((s) => valueOf(s, 'msisdn') ?? '')]);
  const problems: string[] = [];
  const covered = new Set<string>();
  for (const service of services) {
    const msisdn = valueOf(service, 'msisdn');
    if (!msisdn || !wanted.has(msisdn) || !LIVE.has(service.state)) continue;
    const part = expectedPart(service);
    if (!part) continue;
    covered.add(`${msisdn}|${part.ne}`);
    const actual = actualPart(views.get(msisdn), part.ne);
    if (JSON.stringify(actual) !== JSON.stringify(part.expected)) {
      problems.push(`${service.id} (${service.serviceSpecification.id} ${service.state}): inventory says ${JSON.stringify(part.expected)}, ${part.ne} holds ${JSON.stringify(actual ?? null)}`);
    }
  }
  for (const msisdn of wanted) {
    const view = views.get(msisdn);
    for (const ne of ['pcrf', 'npdb', 'vms'] as const) {
      if (view?.[ne] !== undefined && !covered.has(`${msisdn}|${ne}`)) problems.push(`${msisdn}: ${ne} holds ${JSON.stringify(view[ne])}, with no live service for it in the inventory`);
    }
  }
  return problems;
}
