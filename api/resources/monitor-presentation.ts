import { withAbsoluteHrefs } from '../http/absolute-hrefs.js';
import { absolute } from '../http/public-url.js';
import type { Monitor } from '../schemas/service-schemas.js';

/** The Service (or Error) a monitor's response carries, with absolute hrefs like every other answer. */
function absoluteBody(body: string, base: string): string {
  if (body === '') return body;
  try {
    return JSON.stringify(withAbsoluteHrefs(JSON.parse(body) as unknown, base));
  } catch {
    return body;
  }
}

/** A monitor as the API answers it: every href absolute, those inside its response body too. */
export function presentMonitor(monitor: Monitor, base: string): Monitor {
  return {
    ...monitor,
    href: absolute(base, monitor.href ?? ''),
    ...(monitor.sourceHref ? { sourceHref: absolute(base, monitor.sourceHref) } : {}),
    ...(monitor.request ? { request: { ...monitor.request, to: absolute(base, monitor.request.to) } } : {}),
    ...(monitor.response ? { response: { ...monitor.response, body: absoluteBody(monitor.response.body, base) } } : {}),
  };
}
