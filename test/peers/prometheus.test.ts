import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleetHarness, type FleetHarness } from '../support/fleet-harness.js';
import { freePort } from '../support/free-port.js';
import { mobileBundle } from '../support/mobile-bundle.js';

const run = promisify(execFile);
let h: FleetHarness;
let prometheus: ChildProcess;
let dir: string;
let promUrl: string;
let metricsUrl: string;

async function query(expr: string): Promise<unknown[]> {
  const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

beforeAll(async () => {
  // The service audit is scheduled (an hour: the test runs it itself) so its gauges are there.
  h = await startFleetHarness({ http: true, env: { JEOPARDY_CHECK_MS: '200', CHECK_SYNC_INTERVAL_MS: '3600000' } });
  const address = h.fleet.http?.server.address();
  metricsUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/metrics`;
  dir = await mkdtemp(join(tmpdir(), 'fleet-prometheus-'));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  // The shipped alert rules, loaded by a real Prometheus scraping this fleet every second.
  await writeFile(join(dir, 'alerts.yml'), await readFile('deploy/prometheus/alerts.yml'));
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [alerts.yml]',
      'scrape_configs:',
      '  - job_name: activation-fleet',
      `    static_configs: [{ targets: ["${new URL(metricsUrl).host}"] }]`,
    ].join('\n'),
  );
  prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  // A busy machine can take Prometheus many seconds to open its TSDB: wait for it, and say so if it never comes.
  const readyBy = Date.now() + 90_000;
  while (!(await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false))) {
    if (Date.now() > readyBy || prometheus.exitCode !== null) throw new Error(`prometheus not ready at ${promUrl} after 90 s (exit code ${prometheus.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

/**
 * The query's result once Prometheus has scraped enough to answer it: a rate needs two scrapes
 * after the traffic, and on a busy machine they come when they come. Empty only if nothing came
 * by the deadline.
 */
async function queryWhenScraped(expr: string, deadline: number): Promise<unknown[]> {
  for (;;) {
    const result = await query(expr);
    if (result.length > 0 || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 250));
  }
}

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const gone = new Promise((r) => prometheus.once('exit', r));
    prometheus.kill('SIGTERM');
    await gone;
  }
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Prometheus and the Grafana dashboard', () => {
  it('exposes valid metrics (promtool check metrics) whose series move after orders', async () => {
    const before = await (await fetch(metricsUrl)).text();
    const { order } = await h.fleet.producer.submitServiceOrder(mobileBundle().order);
    await h.waitForFinal(order.id);
    const after = await (await fetch(metricsUrl)).text();
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end(after);
    const code = await new Promise((r) => child.on('exit', r));
    expect(out.trim()).toBe('');
    expect(code).toBe(0);
    const value = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(series))?.split(' ').at(-1) ?? 0);
    expect(value(after, 'activation_order_items_finished_total{specification="mobile-plan",action="add",outcome="completed"}')).toBe(
      value(before, 'activation_order_items_finished_total{specification="mobile-plan",action="add",outcome="completed"}') + 1,
    );
    expect(value(after, 'activation_orders_finished_total{state="completed"}')).toBeGreaterThan(value(before, 'activation_orders_finished_total{state="completed"}'));
  });

  it('the shipped rules and scrape config are valid for promtool', async () => {
    const rules = await run('promtool', ['check', 'rules', 'deploy/prometheus/alerts.yml']);
    expect(rules.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const config = await run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml']);
    expect(config.stdout).toContain('SUCCESS');
  });

  it('every dashboard panel query returns data from Prometheus scraping the fleet', async () => {
    // Traffic of every kind the dashboard shows: completions, a failed bundle with rollback,
    // a transient retry, and an order that misses its date.
    h.lab.npdb.dropSessionOnRpc('edit-config');
    const ok = await h.fleet.producer.submitServiceOrder(mobileBundle().order);
    h.lab.pcrf.failOn(/^plan /, 'refused');
    const bad = await h.fleet.producer.submitServiceOrder(mobileBundle().order);
    await h.waitForFinal(ok.order.id);
    await h.waitForFinal(bad.order.id);
    h.lab.pcrf.failOn(null);
    h.lab.pcrf.setLatencyMs(150);
    const late = await h.fleet.producer.submitServiceOrder(mobileBundle({ extra: { requestedCompletionDate: new Date(Date.now() + 300).toISOString() } }).order);
    await h.waitFor(late.order.id, (o) => (o.jeopardyAlert ?? []).some((a) => a.jeopardyType === 'missed'), 15_000);
    await new Promise((r) => setTimeout(r, 2500));
    h.lab.pcrf.setLatencyMs(0);
    await h.waitForFinal(late.order.id);
    // A service audit of what these orders left, for the drift panels.
    expect(await h.fleet.serviceAudit?.runDue()).toBe(true);

    const dashboard = JSON.parse(await readFile('deploy/grafana/dashboards/activation-fleet.json', 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(15);
    const empty: string[] = [];
    // Rates over 5m: the traffic stays in the window however long the scrapes take to come.
    const deadline = Date.now() + 80_000;
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$__rate_interval', '5m');
        if ((await queryWhenScraped(expr, deadline)).length === 0) empty.push(`${panel.title}: ${expr}`);
      }
    }
    expect(empty).toEqual([]);
  }, 180_000);
});
