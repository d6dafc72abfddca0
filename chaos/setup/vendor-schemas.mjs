#!/usr/bin/env node
// Refreshes the vendored JSON schemas the manifests' and workflow's tests validate against.
// Sources (both from PyPI, through pip, since GitHub itself is not reachable from every CI):
//   pip download --no-deps kubernetes-validate==1.37.0 check-jsonschema==0.39.0 -d /tmp/wheels
//   (cd /tmp/wheels && unzip -oq kubernetes_validate-1.37.0-py3-none-any.whl && unzip -oq check_jsonschema-0.39.0-py3-none-any.whl)
//   node chaos/setup/vendor-schemas.mjs /tmp/wheels
// Kubernetes: kubernetes-validate's v1.34.0-local-strict schemas (generated from the Kubernetes
// OpenAPI, like yannh/kubernetes-json-schema's *-standalone-strict): the kind files verbatim,
// and _definitions.json trimmed to the definitions those kinds reach.
// GitHub workflow: SchemaStore's github-workflow.json as vendored by check-jsonschema (Apache-2.0),
// written to .github/schemas/ beside the workflow's test.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wheels = process.argv[2];
if (!wheels) throw new Error('usage: vendor-schemas.mjs <dir with the unzipped wheels>');
const KINDS = [
  'deployment-apps-v1',
  'service-v1',
  'configmap-v1',
  'serviceaccount-v1',
  'role-rbac-v1',
  'rolebinding-rbac-v1',
  'namespace-v1',
  'networkpolicy-networking-v1',
];
const source = join(wheels, 'kubernetes_validate', 'kubernetes-json-schema', 'v1.34.0-local-strict');
const target = join(REPO, 'stack', 'k8s', 'schemas', 'kubernetes-v1.34.0');
mkdirSync(target, { recursive: true });

const definitions = JSON.parse(readFileSync(join(source, '_definitions.json'), 'utf8'));
const keep = new Set();
const visit = (node) => {
  if (Array.isArray(node)) return node.forEach(visit);
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = value.split('#/$defs/')[1];
      if (name && !keep.has(name)) {
        keep.add(name);
        visit(definitions.$defs[name]);
      }
    } else visit(value);
  }
};
for (const kind of KINDS) {
  visit(JSON.parse(readFileSync(join(source, `${kind}.json`), 'utf8')));
  copyFileSync(join(source, `${kind}.json`), join(target, `${kind}.json`));
}
const trimmed = {
  ...definitions,
  $defs: Object.fromEntries([...keep].sort().map((name) => [name, definitions.$defs[name]])),
};
writeFileSync(join(target, '_definitions.json'), JSON.stringify(trimmed, null, 1) + '\n');

const vendor = join(wheels, 'check_jsonschema', 'builtin_schemas', 'vendor');
copyFileSync(join(vendor, 'github-workflows.json'), join(REPO, '.github', 'schemas', 'github-workflow.json'));
console.log(`kubernetes: ${KINDS.length} kinds, ${keep.size} definitions; github-workflow.json copied`);
