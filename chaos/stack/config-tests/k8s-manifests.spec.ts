// Issue 9: the Kubernetes manifests render with kustomize and every rendered object validates
// against its schema (Kubernetes v1.34 strict schemas; the k6-operator TestRun schema), and the
// pieces fit together: 3 replicas with their probes, every pod scraped, the TestRun's script
// ConfigMap and Services exist, faults shared through the Redis Service.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { parse, parseAllDocuments } from 'yaml';
import { K6_TAGS } from '../../contract/metrics';
import { remoteWriteEnv } from '../../k6/k6-runner';
import { foundTools, REPO_ROOT } from '../../tools';

const K8S_DIR = join(REPO_ROOT, 'stack', 'k8s');
const SCHEMAS = join(K8S_DIR, 'schemas');
const BUNDLE = join(REPO_ROOT, 'dist', 'scenarios', 'average.js');

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
};

/** kustomize as `chaos/setup/setup.mjs --tests` built it (ROQUE_KUSTOMIZE wins), else on PATH. */
function kustomizePath(): string {
  if (process.env.ROQUE_KUSTOMIZE) return process.env.ROQUE_KUSTOMIZE;
  const found = foundTools().kustomize;
  if (found && existsSync(found)) return found;
  const local = join(REPO_ROOT, '.tools', 'bin', 'kustomize');
  return existsSync(local) ? local : 'kustomize';
}

function render(): Manifest[] {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`node webpack-free-build.mjs\` first`);
  const result = spawnSync(kustomizePath(), ['build', '--load-restrictor', 'LoadRestrictionsNone', K8S_DIR], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error)
    throw new Error(`kustomize could not run (${result.error.message}): run \`node chaos/setup/setup.mjs --tests\``);
  if (result.status !== 0) throw new Error(`kustomize build failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Manifest);
}

/** One validator per apiVersion/kind, from the vendored schemas. */
function validators(): Map<string, ValidateFunction> {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const k8s = join(SCHEMAS, 'kubernetes-v1.34.0');
  ajv.addSchema(JSON.parse(readFileSync(join(k8s, '_definitions.json'), 'utf8')));
  const byKind = new Map<string, ValidateFunction>();
  for (const file of readdirSync(k8s).filter((name) => name !== '_definitions.json')) {
    const schema = JSON.parse(readFileSync(join(k8s, file), 'utf8'));
    const apiVersion = schema.properties.apiVersion.enum[0] as string;
    const kind = schema.properties.kind.enum[0] as string;
    byKind.set(`${apiVersion}/${kind}`, ajv.compile(schema));
  }
  byKind.set(
    'k6.io/v1alpha1/TestRun',
    ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'k6-operator', 'testrun-k6.io-v1alpha1.json'), 'utf8'))),
  );
  return byKind;
}

function problems(validate: ValidateFunction, manifest: unknown): string[] {
  return validate(manifest)
    ? []
    : (validate.errors ?? []).map(
        (error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`,
      );
}

describe('stack/k8s (kustomize)', () => {
  let manifests: Manifest[];
  let schemas: Map<string, ValidateFunction>;
  const find = (kind: string, name: string) => {
    const found = manifests.find(
      (m) => m.kind === kind && (m.metadata.name === name || m.metadata.name.startsWith(`${name}-`)),
    );
    if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
    return found;
  };

  beforeAll(() => {
    manifests = render();
    schemas = validators();
  });

  it('renders, and every object validates against its Kubernetes or k6-operator schema', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(12);
    const failures: string[] = [];
    for (const manifest of manifests) {
      const validate = schemas.get(`${manifest.apiVersion}/${manifest.kind}`);
      if (!validate)
        failures.push(`${manifest.apiVersion} ${manifest.kind} ${manifest.metadata.name}: no schema vendored for it`);
      else
        failures.push(...problems(validate, manifest).map((p) => `${manifest.kind} ${manifest.metadata.name}: ${p}`));
      expect(manifest.metadata.namespace).toBe('roque');
    }
    expect(failures).toEqual([]);
  });

  it('the validators reject what the API server would (so the check above can fail)', () => {
    const deployment = structuredClone(find('Deployment', 'target-app'));
    deployment.spec.replicas = 'three';
    deployment.spec.template.spec.containers[0].livenessProbe.httpGet.paht = '/health/live';
    expect(problems(schemas.get('apps/v1/Deployment')!, deployment).join('\n')).toMatch(
      /replicas.*integer[\s\S]*additional/,
    );
    const testRun = structuredClone(find('TestRun', 'roque-average'));
    delete testRun.spec.parallelism;
    testRun.spec.script.configMap = { file: 'average.js' };
    expect(problems(schemas.get('k6.io/v1alpha1/TestRun')!, testRun).join('\n')).toMatch(/parallelism[\s\S]*name/);
  });

  it('runs the app as 3 replicas with liveness on /health/live and readiness on /health/ready, behind a Service', () => {
    const deployment = find('Deployment', 'target-app');
    expect(deployment.spec.replicas).toBe(3);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/health/ready', port: 'http' });
    expect(container.ports).toContainEqual(expect.objectContaining({ name: 'http', containerPort: 8080 }));
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(env).toMatchObject({ HOST: '0.0.0.0', PORT: '8080' });
    const service = find('Service', 'target-app');
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0].targetPort).toBe('http');
    // Faults reach every replica through the Redis Service.
    const redis = find('Service', 'redis');
    expect(env.CHAOS_SYNC_REDIS_URL).toBe(`redis://${redis.metadata.name}:${redis.spec.ports[0].port}`);
    expect(find('Deployment', 'redis').spec.template.metadata.labels).toMatchObject(redis.spec.selector);
  });

  it('Redis requires the password from a Secret the app reads too, and only the app pods may reach it', () => {
    const fromSecret = (container: any, name: string) =>
      container.env.find((e: any) => e.name === name)?.valueFrom?.secretKeyRef;
    const redisPod = find('Deployment', 'redis').spec.template;
    const redisContainer = redisPod.spec.containers[0];
    expect(redisContainer.args.slice(-2)).toEqual(['--requirepass', '$(REDIS_PASSWORD)']);
    const secret = fromSecret(redisContainer, 'REDIS_PASSWORD');
    expect(secret).toEqual({ name: 'roque-redis', key: 'password' });
    const appPod = find('Deployment', 'target-app').spec.template;
    expect(fromSecret(appPod.spec.containers[0], 'CHAOS_SYNC_REDIS_PASSWORD')).toEqual(secret);
    const policy = find('NetworkPolicy', 'redis');
    expect(redisPod.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'target-app' } } },
    ]);
    expect(appPod.metadata.labels).toMatchObject(policy.spec.ingress[0].from[0].podSelector.matchLabels);
  });

  it('Prometheus discovers every app pod (kubernetes_sd, pod role) and may list pods in its namespace', () => {
    const prometheus = find('Deployment', 'prometheus');
    const configMapName = prometheus.spec.template.spec.volumes.find((v: any) => v.name === 'config').configMap.name;
    const config = parse(find('ConfigMap', configMapName).data!['prometheus.yml']);
    const job = config.scrape_configs.find((j: any) => j.job_name === 'target-app');
    expect(job.kubernetes_sd_configs).toEqual([expect.objectContaining({ role: 'pod' })]);
    // The keep rule selects the label the app's pods carry.
    const keep = job.relabel_configs.find(
      (r: any) => r.source_labels[0] === '__meta_kubernetes_pod_label_roque_dev_scrape',
    );
    expect(find('Deployment', 'target-app').spec.template.metadata.labels['roque.dev/scrape']).toMatch(
      new RegExp(`^(${keep.regex})$`),
    );
    expect(prometheus.spec.template.spec.containers[0].args).toContain('--web.enable-remote-write-receiver');
    const role = find('Role', 'prometheus-discovery');
    expect(role.spec ?? (role as any).rules).toBeDefined();
    expect((role as any).rules[0]).toMatchObject({
      resources: ['pods'],
      verbs: expect.arrayContaining(['list', 'watch']),
    });
    expect(prometheus.spec.template.spec.serviceAccountName).toBe('prometheus');
    // The same rules as the local stack, mounted where rule_files looks.
    const rules = prometheus.spec.template.spec.volumes.find((v: any) => v.name === 'rules').configMap.name;
    expect(Object.keys(find('ConfigMap', rules).data!)).toEqual(
      expect.arrayContaining(['golden-signals.yml', 'slo.yml']),
    );
  });

  it('the TestRun splits the bundled scenario over parallel runners that remote-write with distinct series', () => {
    const testRun = find('TestRun', 'roque-average');
    expect(testRun.spec.parallelism).toBeGreaterThanOrEqual(2);
    // The script is the generated ConfigMap (name with its content hash) holding the esbuild bundle.
    const script = find('ConfigMap', testRun.spec.script.configMap.name);
    expect(script.metadata.name).toBe(testRun.spec.script.configMap.name);
    expect(script.data![testRun.spec.script.configMap.file]).toBe(readFileSync(BUNDLE, 'utf8'));
    expect(testRun.spec.arguments).toMatch(/--out experimental-prometheus-rw/);
    expect(testRun.spec.arguments).toMatch(/--tag testid=\S+/);
    // k6-operator adds `--tag instance_id=<index>` to each runner; overriding it would make runners collide.
    expect(testRun.spec.arguments).not.toMatch(/instance_id/);
    const env = Object.fromEntries(
      testRun.spec.runner.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(env.BASE_URL).toBe(`http://${find('Service', 'target-app').metadata.name}:8080`);
    expect(env.K6_PROMETHEUS_RW_SERVER_URL).toBe(
      `http://${find('Service', 'prometheus').metadata.name}:9090/api/v1/write`,
    );
    expect(testRun.spec.runner.image).toBe('grafana/k6:2.2.0');
  });

  it("the TestRun remote-writes as `roque run --runners` does, and the operator's runner tag is the one the merge reads", () => {
    const env = Object.fromEntries(
      find('TestRun', 'roque-average').spec.runner.env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    const local = remoteWriteEnv('http://127.0.0.1:9090');
    for (const name of ['K6_PROMETHEUS_RW_TREND_STATS', 'K6_PROMETHEUS_RW_STALE_MARKERS'])
      expect([name, env[name]]).toEqual([name, local[name]]);
    expect(K6_TAGS.instance).toBe('instance_id');
  });
});
