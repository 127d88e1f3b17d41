// kustomize refuses files outside deploy/k8s (and symlinks out of it), so the kustomization's
// config generator reads copies: this refreshes them from config/. A test fails on any drift.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

rmSync('deploy/k8s/config', { recursive: true, force: true });
mkdirSync('deploy/k8s/config/catalog', { recursive: true });
const files = readdirSync('config/catalog').filter((f) => f.endsWith('.yaml'));
for (const file of files) copyFileSync(`config/catalog/${file}`, `deploy/k8s/config/catalog/${file}`);
copyFileSync('config/policies.yaml', 'deploy/k8s/config/policies.yaml');
console.log(`deploy/k8s/config: ${files.length} catalog files and policies.yaml copied from config/; list new catalog files in deploy/k8s/kustomization.yaml`);
