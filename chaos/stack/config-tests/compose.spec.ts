// docker-compose.yml checked without a Docker engine: against the Compose Specification's
// JSON Schema, and for the repository files it mounts, its pinned images and its health.
import Ajv from 'ajv';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../tools';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  volumes?: string[];
  ports?: string[];
  healthcheck?: unknown;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const composeText = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
// Compose resolves YAML merge keys (`<<: *restart`) before validating; so does this.
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const services = Object.entries(compose.services);

function validator() {
  // The schema names draft-07 by an https URL ajv does not know; draft-07 is ajv's default.
  const { $schema: _draft07, ...schema } = JSON.parse(
    readFileSync(join(REPO_ROOT, 'stack', 'compose', 'compose-spec.json'), 'utf8'),
  );
  // strict: false because the schema uses annotations ajv does not know (`deprecated`).
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

test('docker-compose.yml is valid against the Compose Specification schema', () => {
  const validate = validator();
  expect(validate(compose) ? [] : validate.errors).toEqual([]);
});

test('(the check itself: the schema rejects a broken file)', () => {
  const validate = validator();
  expect(validate({ services: { app: { image: 'x', depends_on: { db: {} } } } })).toBe(false);
  expect(validate({ services: { app: { image: 'x', ports: 8080 } } })).toBe(false);
});

/** Host paths of bind mounts that point into the repository (./…), per service. */
const repoMounts = services.flatMap(([name, service]) =>
  (service.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => ({ name, source: v.split(':')[0] })),
);

test('every repository file or folder the compose file mounts exists', () => {
  expect(repoMounts.length).toBeGreaterThanOrEqual(5);
  const missing = repoMounts.filter(({ source }) => {
    // dist/ is build output: it must come from a source folder the build script compiles.
    if (source.startsWith('./dist/scenarios')) {
      return !readdirSync(join(REPO_ROOT, 'scenarios')).some((f) => f.endsWith('.ts'));
    }
    return !existsSync(join(REPO_ROOT, source));
  });
  expect(missing).toEqual([]);
});

test('every image is pinned to a version', () => {
  const unpinned = services
    .filter(([, s]) => s.image && !/:v?\d+\.\d+(\.\d+)?$/.test(s.image) && !s.build)
    .map(([n]) => n);
  expect(unpinned).toEqual([]);
});

test('long-running services have healthchecks, and dependencies wait on conditions', () => {
  // These images ship no shell or HTTP client to run a check with (see the compose file).
  const noShell = ['otel-collector', 'jaeger'];
  const unchecked = services
    .filter(([name, s]) => !s.healthcheck && !s.profiles && !noShell.includes(name))
    .map(([name]) => name);
  expect(unchecked).toEqual([]);
  for (const [, s] of services) {
    for (const dep of Object.values(s.depends_on ?? {})) expect(dep.condition).toMatch(/^service_/);
  }
});

test('published ports bind loopback only', () => {
  const ports = services.flatMap(([, s]) => (s.ports ?? []).map(String));
  expect(ports.length).toBeGreaterThan(0);
  expect(ports.filter((p) => !p.startsWith('127.0.0.1:'))).toEqual([]);
});

test("Grafana's provisioning points at what compose mounts and runs", () => {
  const grafana = parse(readFileSync(join(REPO_ROOT, 'stack/grafana/provisioning/dashboards/roque.yml'), 'utf8'));
  const datasources = parse(
    readFileSync(join(REPO_ROOT, 'stack/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
  );
  const mounts = compose.services.grafana.volumes ?? [];
  expect(mounts).toContain(`./stack/grafana/dashboards:${grafana.providers[0].options.path}:ro`);
  const url = new URL(datasources.datasources[0].url);
  expect(Object.keys(compose.services)).toContain(url.hostname);
  expect(compose.services[url.hostname].ports).toContain(`127.0.0.1:${url.port}:${url.port}`);
});
