import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The shipped alert rules through the real promtool (Debian's prometheus package; .ci/run
 * installs it): they load, the scrape config loads, and every alert has a unit test in
 * deploy/prometheus/alerts.test.yml that makes it fire and one moment where it must not.
 */
const run = promisify(execFile);
const promtool = (...args: string[]) => run('promtool', args, { timeout: 120_000 }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
  throw new Error(`promtool ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
});

interface RuleFile { groups: Array<{ rules: Array<{ alert?: string }> }> }
interface TestFile { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }> }

beforeAll(async () => {
  await run('promtool', ['--version']).catch(() => {
    throw new Error('promtool is not installed: apt-get install prometheus (Debian), as .ci/run does');
  });
});

describe('alert rules', () => {
  it('load in promtool, as does the scrape config', async () => {
    const rules = JSON.parse(JSON.stringify(parse(await readFile('deploy/prometheus/alerts.yml', 'utf8')))) as RuleFile;
    const count = rules.groups.flatMap((g) => g.rules).length;
    expect((await promtool('check', 'rules', 'deploy/prometheus/alerts.yml')).stdout).toContain(`SUCCESS: ${count} rules found`);
    expect((await promtool('check', 'config', 'deploy/prometheus/prometheus.yml')).stdout).toContain('SUCCESS');
  });

  it('pass their promtool unit tests', async () => {
    const { stdout, stderr } = await promtool('test', 'rules', 'deploy/prometheus/alerts.test.yml');
    expect(`${stdout}${stderr}`).toContain('SUCCESS');
  });

  it('each alert has a test where it fires and a moment where it stays quiet', async () => {
    const rules = parse(await readFile('deploy/prometheus/alerts.yml', 'utf8')) as RuleFile;
    const tests = parse(await readFile('deploy/prometheus/alerts.test.yml', 'utf8')) as TestFile;
    const checks = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    const alerts = rules.groups.flatMap((g) => g.rules).map((r) => r.alert).filter((a): a is string => a !== undefined);
    expect(alerts).toEqual(expect.arrayContaining(['ActivationFleetRoleDown', 'ActivationQueueBacklogGrowing', 'ActivationDelayedBacklogGrowing', 'ActivationRedisStateLost', 'ActivationServicesDrifted']));
    for (const alert of alerts) {
      expect(checks.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length > 0), `${alert} fires in a test`).toBe(true);
      expect(checks.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length === 0), `${alert} stays quiet in a test`).toBe(true);
    }
  });
});
