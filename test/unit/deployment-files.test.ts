import { readFile, readdir } from 'node:fs/promises';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../runtime/fleet-config.js';

const docs = async (path: string) => parseAllDocuments(await readFile(path, 'utf8')).map((d) => d.toJS() as Record<string, any>);

describe('deployment files', () => {
  it('every Kubernetes manifest parses and names its kind', async () => {
    for (const file of (await readdir('deploy/k8s')).filter((f) => f.endsWith('.yaml'))) {
      for (const doc of await docs(`deploy/k8s/${file}`)) {
        expect(doc.kind, file).toBeTypeOf('string');
        expect(doc.apiVersion, file).toBeTypeOf('string');
      }
    }
  });

  it('runs every role, with a worker grace period longer than the activation lock', async () => {
    const deployments = await docs('deploy/k8s/deployments.yaml');
    const roles = deployments.map((d) => d.spec.template.spec.containers[0].args[2]);
    expect(roles.sort()).toEqual([...ROLES].sort());
    const worker = deployments.find((d) => d.metadata.name === 'activation-fleet-worker');
    expect(worker?.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(120);
  });

  it('every process listens beyond loopback in a container (HTTP_HOST), where its probes reach it', async () => {
    for (const d of await docs('deploy/k8s/deployments.yaml')) {
      const container = d.spec.template.spec.containers[0];
      expect(container.env, d.metadata.name).toContainEqual({ name: 'HTTP_HOST', value: '0.0.0.0' });
      expect(container.readinessProbe.httpGet.path, d.metadata.name).toBe('/readyz');
    }
    // Compose shares the fleet's settings through YAML merge keys.
    const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true }) as Record<string, any>;
    for (const role of ['intake', 'orchestrator', 'worker', 'api']) expect(compose?.services[role].environment.HTTP_HOST, role).toBe('0.0.0.0');
    expect(await readFile('Dockerfile', 'utf8')).toMatch(/^ENV HTTP_HOST=0\.0\.0\.0$/m);
  });

  it('the KEDA autoscaler targets the worker deployment on the activation backlog', async () => {
    const [scaled] = await docs('deploy/k8s/worker-scaledobject.yaml');
    expect(scaled?.kind).toBe('ScaledObject');
    expect(scaled?.spec.scaleTargetRef.name).toBe('activation-fleet-worker');
    expect(scaled?.spec.triggers[0].metadata.query).toContain('activation_queue_jobs');
  });

  it('the kustomization ships every catalog file', async () => {
    const [kustomization] = await docs('deploy/k8s/kustomization.yaml');
    const shipped = kustomization?.configMapGenerator[0].files.map((f: string) => f.split('/').at(-1));
    expect(shipped.sort()).toEqual((await readdir('config/catalog')).filter((f) => f.endsWith('.yaml')).sort());
  });

  it('docker-compose runs Redis without eviction and with AOF', async () => {
    const [compose] = await docs('docker-compose.yml');
    expect(compose?.services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(Object.keys(compose?.services ?? {})).toEqual(expect.arrayContaining(['worker', 'api', 'prometheus', 'grafana', 'lab']));
  });
});
