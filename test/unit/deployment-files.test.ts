import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ApiTokens } from '../../api/auth/api-tokens.js';
import { allSettings, loadFleetConfig } from '../../runtime/fleet-config.js';
import { OLD_SPACE_SHARE_OF_LIMIT, heapFlags, mebibytes } from '../support/heap-sizing.js';

const run = promisify(execFile);
const docs = async (path: string) => parseAllDocuments(await readFile(path, 'utf8'), { merge: true }).map((d) => d.toJS() as Record<string, any>);

describe('docker-compose', () => {
  it('runs Redis without eviction and with AOF, every role, the lab, Prometheus and Grafana', async () => {
    const [compose] = await docs('docker-compose.yml');
    expect(compose?.services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(Object.keys(compose?.services ?? {})).toEqual(expect.arrayContaining(['intake', 'orchestrator', 'worker', 'api', 'prometheus', 'grafana', 'lab']));
  });

  it('gives each role a stop grace period equal to its SHUTDOWN_TIMEOUT_MS, and never a simulated lab', async () => {
    const [compose] = await docs('docker-compose.yml');
    for (const role of ['intake', 'orchestrator', 'worker', 'api']) {
      const service = compose?.services[role];
      expect(Number(service.environment.SHUTDOWN_TIMEOUT_MS), role).toBe(Number(String(service.stop_grace_period).replace(/s$/, '')) * 1000);
      expect(service.environment.SIMULATED_LAB, role).toBe('off');
    }
  });

  it('takes the API tokens from .env, made by the one-liner its header documents, which the API accepts', async () => {
    const text = await readFile('docker-compose.yml', 'utf8');
    const oneLiner = /^#\s+(node -e .+ > \.env)$/m.exec(text)?.[1];
    expect(oneLiner, 'the one-liner in the header of docker-compose.yml').toBeDefined();
    expect(await readFile('README.md', 'utf8'), 'the README shows the same one-liner').toContain(oneLiner);
    const dir = await mkdtemp(join(tmpdir(), 'compose-env-'));
    try {
      await run('sh', ['-c', oneLiner!], { cwd: dir });
      const env = await readFile(join(dir, '.env'), 'utf8');
      expect(env).toMatch(/^API_TOKENS=operator [A-Za-z0-9_-]{32} read,order\n$/);
      const tokens = ApiTokens.parse(env.slice('API_TOKENS='.length), '.env');
      expect(tokens).toBeInstanceOf(ApiTokens);
      const [compose] = await docs('docker-compose.yml');
      expect(compose?.services.api.environment.API_TOKENS).toMatch(/^\$\{API_TOKENS:\?/);
      // The compose file checks out with the generated env file (docker-compose is in CI).
      const hasCompose = await run('docker-compose', ['version']).then(() => true, () => false);
      if (hasCompose) await run('docker-compose', ['--env-file', join(dir, '.env'), '-f', 'docker-compose.yml', 'config', '-q']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the Grafana dashboard', () => {
  it('takes its datasource as a variable: no panel or query names a datasource uid of its own', async () => {
    const dashboard = JSON.parse(await readFile('deploy/grafana/dashboards/activation-fleet.json', 'utf8')) as { templating: { list: Array<{ name: string; type: string; query: string }> }; panels: Array<Record<string, any>> };
    expect(dashboard.templating.list).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' })]));
    const uids: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'datasource') uids.push(typeof value === 'object' && value ? String((value as { uid?: unknown }).uid) : String(value));
          else walk(value);
        }
      }
    };
    walk(dashboard.panels);
    expect(uids.length).toBeGreaterThan(dashboard.panels.length);
    expect(new Set(uids)).toEqual(new Set(['${datasource}']));
    expect(JSON.stringify(dashboard.panels)).toContain('activation_build_info');
  });
});

describe('listening address', () => {
  it('every process listens beyond loopback in a container (HTTP_HOST), where its probes reach it', async () => {
    for (const d of await docs('deploy/k8s/deployments.yaml')) {
      const container = d.spec.template.spec.containers[0];
      expect(container.env, d.metadata.name).toContainEqual({ name: 'HTTP_HOST', value: '0.0.0.0' });
      expect(container.readinessProbe.httpGet.path, d.metadata.name).toBe('/readyz');
    }
    // Compose shares the fleet's settings through YAML merge keys.
    const [compose] = await docs('docker-compose.yml');
    for (const role of ['intake', 'orchestrator', 'worker', 'api']) expect(compose?.services[role].environment.HTTP_HOST, role).toBe('0.0.0.0');
    expect(await readFile('Dockerfile', 'utf8')).toMatch(/^ENV HTTP_HOST=0\.0\.0\.0$/m);
  });
});

describe('deploy/k8s/config', () => {
  it('is an exact copy of config/ catalog and policies (npm run sync:k8s), each catalog file listed in the kustomization', async () => {
    const files = (await readdir('config/catalog')).filter((f) => f.endsWith('.yaml')).sort();
    expect((await readdir('deploy/k8s/config/catalog')).sort()).toEqual(files);
    for (const file of files) expect(await readFile(`deploy/k8s/config/catalog/${file}`, 'utf8'), file).toBe(await readFile(`config/catalog/${file}`, 'utf8'));
    expect(await readFile('deploy/k8s/config/policies.yaml', 'utf8')).toBe(await readFile('config/policies.yaml', 'utf8'));
    const [kustomization] = await docs('deploy/k8s/kustomization.yaml');
    const listed = kustomization?.configMapGenerator.flatMap((g: { files: string[] }) => g.files);
    expect(listed.every((f: string) => !f.startsWith('..')), 'kustomize refuses files outside the folder').toBe(true);
    expect(listed.filter((f: string) => f.startsWith('config/catalog/')).map((f: string) => f.split('/').at(-1)).sort()).toEqual(files);
  });
});

describe('V8 heap limits (NODE_OPTIONS)', () => {
  const FLEET_ROLES = ['intake', 'orchestrator', 'worker', 'api'];

  it('the image sets old and new space; compose and k8s set the same on every role, old space at most half the memory limit, a worker exactly half', async () => {
    const image = /^ENV NODE_OPTIONS="([^"]+)"$/m.exec(await readFile('Dockerfile', 'utf8'))?.[1];
    expect(image, 'ENV NODE_OPTIONS in the Dockerfile').toBeDefined();
    const { oldSpaceMiB, semiSpaceMiB } = heapFlags(image!);
    expect(oldSpaceMiB, '--max-old-space-size').toBeGreaterThan(0);
    expect(semiSpaceMiB, '--max-semi-space-size').toBeGreaterThan(0);
    const workerLimitMiB = oldSpaceMiB! / OLD_SPACE_SHARE_OF_LIMIT;

    const [compose] = await docs('docker-compose.yml');
    for (const role of FLEET_ROLES) {
      const service = compose?.services[role];
      expect(service.environment.NODE_OPTIONS, `compose ${role}`).toBe(image);
      expect(oldSpaceMiB! / mebibytes(String(service.mem_limit)), `compose ${role}: old space / mem_limit`).toBeLessThanOrEqual(OLD_SPACE_SHARE_OF_LIMIT);
    }
    expect(mebibytes(compose?.services.worker.mem_limit), 'compose worker mem_limit').toBe(workerLimitMiB);

    const deployments = await docs('deploy/k8s/deployments.yaml');
    expect(deployments.map((d) => d.spec.template.spec.containers[0].args[2]).sort()).toEqual([...FLEET_ROLES].sort());
    for (const d of deployments) {
      const container = d.spec.template.spec.containers[0];
      const role = container.args[2] as string;
      expect(container.env, `k8s ${role}`).toContainEqual({ name: 'NODE_OPTIONS', value: image });
      const limitMiB = mebibytes(container.resources.limits.memory);
      expect(oldSpaceMiB! / limitMiB, `k8s ${role}: old space / memory limit`).toBeLessThanOrEqual(OLD_SPACE_SHARE_OF_LIMIT);
      expect(mebibytes(container.resources.requests.memory), `k8s ${role}: request within the limit`).toBeLessThanOrEqual(limitMiB);
      if (role === 'worker') expect(limitMiB, 'k8s worker memory limit').toBe(workerLimitMiB);
    }

    // The README states the flags and the rule that sizes them.
    const readme = await readFile('README.md', 'utf8');
    expect(readme).toContain(`NODE_OPTIONS="${image}"`);
    expect(readme).toMatch(/old space[^.]*half the container's memory limit/);
  });
});

describe('the fleet settings the deployment files set', () => {
  // Read by Node, the build or the tracing SDK, not by runtime/fleet-config.ts.
  const outside = (name: string) => ['NODE_OPTIONS', 'NODE_ENV', 'BUILD_COMMIT'].includes(name) || name.startsWith('OTEL_');
  const known = new Set(allSettings().map((s) => s.setting.env));

  it('are settings of the config schema, with values it accepts (compose and k8s)', async () => {
    const envs: Array<[string, Record<string, string>]> = [];
    const [compose] = await docs('docker-compose.yml');
    for (const role of ['intake', 'orchestrator', 'worker', 'api']) envs.push([`compose ${role}`, compose?.services[role].environment]);
    for (const d of await docs('deploy/k8s/deployments.yaml')) {
      const container = d.spec.template.spec.containers[0];
      // A value from a Secret is checked by name only.
      envs.push([`k8s ${container.args[2]}`, Object.fromEntries(container.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]))]);
      for (const e of container.env as Array<{ name: string }>) expect(known.has(e.name) || outside(e.name), `k8s ${container.args[2]}: ${e.name} is no setting`).toBe(true);
    }
    for (const [where, env] of envs) {
      for (const name of Object.keys(env)) expect(known.has(name) || outside(name), `${where}: ${name} is no setting`).toBe(true);
      // Compose interpolates secrets (\${API_TOKENS:?...}); those are checked by name only.
      const literal = Object.fromEntries(Object.entries(env).filter(([, v]) => !String(v).includes('${')).map(([k, v]) => [k, String(v)]));
      expect(() => loadFleetConfig(literal), where).not.toThrow();
    }
  });
});
