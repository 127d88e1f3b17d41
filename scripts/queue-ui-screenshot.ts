/**
 * The queue UI as an operator sees it, photographed by headless Chromium (Debian's chromium,
 * driven by playwright-core). A fleet of its own (a private redis-server, the simulated NEs,
 * every role, one API token) runs an order that completes and one whose plan the PCRF refuses;
 * then bull-board's item-activation queue is opened on one tab and saved as a PNG. The fleet keeps
 * JOBS_KEEP_COMPLETED=2 completed jobs, so the completed count shows the retention at work;
 * on the failed tab the first job's Options (its removeOnComplete / removeOnFail) are opened
 * and saved as a second PNG (`queue-ui-failed-options.png`).
 *
 *   npm run check:queue-ui                         # the failed tab  -> queue-ui-failed.png
 *   npm run check:queue-ui -- --status completed   # the completed tab
 *   npm run check:queue-ui -- --out /tmp/ui.png
 *
 * Exits 1 when the tab does not show the jobs BullMQ holds in that state, or holds none: the
 * failed tab is only right once a failed item fails its job.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createLogger } from '../observability/logger.js';
import { QUEUE_NAMES } from '../queues/queue-names.js';
import { loadFleetConfig, ROLES } from '../runtime/fleet-config.js';
import { startPrivateRedis } from '../runtime/private-redis.js';
import { startSimulatedLab } from '../simulators/simulated-lab.js';
import { startFleetProcess } from '../runtime/fleet-process.js';
import { isFinalState } from '../orders/order-states.js';
import { loadServiceCatalog } from '../runtime/loading/catalog-files.js';

const { values } = parseArgs({
  options: {
    status: { type: 'string', default: 'failed' },
    out: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const status = values.status === 'completed' ? 'completed' : 'failed';
const out = values.out ?? `queue-ui-${status}.png`;

const bundle = (msisdn: string) => ({
  description: `queue UI check ${msisdn}`,
  serviceOrderItem: [
    { id: 'number-porting', action: 'add', service: { serviceSpecification: { id: 'number-porting' }, serviceCharacteristic: [{ name: 'msisdn', value: msisdn }, { name: 'donorOperator', value: 'Other Mobile' }, { name: 'routingNumber', value: 'D042' }] } },
    {
      id: 'mobile-plan',
      action: 'add',
      service: { serviceSpecification: { id: 'mobile-plan' }, serviceCharacteristic: [{ name: 'msisdn', value: msisdn }, { name: 'plan', value: 'gold' }] },
      serviceOrderItemRelationship: [{ relationshipType: 'reliesOn', orderItem: { itemId: 'number-porting' } }],
    },
  ],
});

const redis = await startPrivateRedis();
const lab = await startSimulatedLab();
const token = randomBytes(24).toString('base64url');
const KEEP_COMPLETED = 2;
const config = loadFleetConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: 'queue-ui-check', HTTP_PORT: '0', ACTIVATION_ATTEMPTS: '1', JOBS_KEEP_COMPLETED: String(KEEP_COMPLETED), API_TOKENS: `operator ${token} read` });
const fleet = await startFleetProcess({ config, roles: ROLES, log: createLogger({ level: 'error' }), catalog: await loadServiceCatalog('config/catalog'), inventory: lab.inventory, credentials: lab.credentials });
let exitCode: number;
try {
  const waitFinal = async (id: string): Promise<string> => {
    for (;;) {
      const record = await fleet.store.get(id);
      if (record && isFinalState(record.order.state)) return record.order.state;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const ok = await fleet.producer.submitServiceOrder(bundle('447700900201'));
  console.log(`order ${ok.order.id}: ${await waitFinal(ok.order.id)}`);
  lab.pcrf.failOn(/^plan /, 'plan not provisioned on this PCRF');
  const bad = await fleet.producer.submitServiceOrder(bundle('447700900202'));
  console.log(`order ${bad.order.id}: ${await waitFinal(bad.order.id)} (the PCRF refused its plan)`);
  lab.pcrf.failOn(null);

  const counts = await fleet.queues.activation.getJobCounts('completed', 'failed');
  const jobs = await fleet.queues.activation.getJobs([status], 0, 20);
  const finished = await fleet.metrics.itemsFinished.get();
  const itemJobsRun = finished.values.reduce((sum, v) => sum + v.value, 0);
  console.log(`BullMQ ${QUEUE_NAMES.activation}: ${counts.completed} completed kept (JOBS_KEEP_COMPLETED=${KEEP_COMPLETED}; ${itemJobsRun} item activations finished), ${counts.failed} failed`);
  const retained = (counts.completed ?? 0) <= KEEP_COMPLETED;
  const port = (fleet.http?.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/queues/queue/${QUEUE_NAMES.activation}?status=${status}`;
  // The flags that let Chromium run as root on a machine without a network (see the README).
  const browser = await chromium.launch({
    executablePath: values.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ httpCredentials: { username: 'operator', password: token }, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'networkidle' });
    const expected = jobs.map((j) => String(j.id));
    const shown = await page
      // Runs in the page: the DOM is there, not in this program's types.
      .waitForFunction((ids: string[]) => ids.length > 0 && ids.every((id) => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes(id)), expected, { timeout: 15_000 })
      .then(() => true, () => false);
    await page.screenshot({ path: out, fullPage: true });
    console.log(`screenshot of ${url.replace(String(port), 'PORT')}: ${out}`);
    if (jobs.length === 0) console.log(`the ${status} tab holds no job: BullMQ has none in that state`);
    else console.log(shown ? `the ${status} tab shows all ${jobs.length} ${status} jobs (${expected.join(', ')})` : `the ${status} tab does NOT show the ${status} jobs ${expected.join(', ')}`);
    // The job's Options tab: the retention it carries, as bull-board shows it.
    let optionsShown = true;
    if (jobs.length > 0) {
      await page.getByText('Options', { exact: true }).first().click();
      optionsShown = await page
        .waitForFunction(() => ['removeOnComplete', 'removeOnFail'].every((k) => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes(k)), undefined, { timeout: 10_000 })
        .then(() => true, () => false);
      const optionsOut = out.replace(/(\.png)?$/, '-options.png');
      await page.screenshot({ path: optionsOut, fullPage: true });
      console.log(optionsShown ? `the first ${status} job's Options show its removeOnComplete and removeOnFail: ${optionsOut}` : `the first ${status} job's Options do NOT show removeOnComplete / removeOnFail: ${optionsOut}`);
    }
    if (!retained) console.log(`the queue holds ${counts.completed} completed jobs, more than JOBS_KEEP_COMPLETED=${KEEP_COMPLETED}`);
    exitCode = jobs.length > 0 && shown && optionsShown && retained ? 0 : 1;
  } finally {
    await browser.close();
  }
} finally {
  await fleet.stop();
  await lab.close();
  await redis.stop();
}
process.exit(exitCode);
