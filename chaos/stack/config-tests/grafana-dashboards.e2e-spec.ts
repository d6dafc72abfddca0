// The Grafana dashboards as files: generated from chaos/dashboards/definitions.ts, no ${DS_…} inputs, every
// datasource the provisioned one, and every query (panels, annotations, variables) valid
// PromQL for a real Prometheus, which answers 400 to anything it cannot parse.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../../local/network';
import { REPO_ROOT } from '../../tools';
import { startStack, type Stack } from '..';
import { DASHBOARDS } from '../../dashboards/definitions';
import { dashboardQueries, substitute } from '../../dashboards/queries';
import { DASHBOARDS_DIR, dashboardText } from '../../dashboards/write-json';

const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'));
const read = (file: string) => readFileSync(join(DASHBOARDS_DIR, file), 'utf8');
const provisioned = parse(
  readFileSync(join(REPO_ROOT, 'stack', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
);
const GRAFANA_BUILT_IN = '-- Grafana --';

test('the JSON files are what chaos/dashboards/definitions.ts generates (node dist/chaos/dashboards/write-json.js)', () => {
  expect(files.sort()).toEqual(
    Object.keys(DASHBOARDS)
      .map((name) => `${name}.json`)
      .sort(),
  );
  for (const [name, dashboard] of Object.entries(DASHBOARDS))
    expect(read(`${name}.json`)).toBe(dashboardText(dashboard));
});

test.each(files)('%s has no ${DS_…} placeholders', (file) => {
  expect(read(file)).not.toMatch(/\$\{DS_/);
  expect(read(file)).not.toMatch(/__inputs/);
});

test.each(files)('every datasource in %s is the provisioned one', (file) => {
  const uids = provisioned.datasources.map((d: { uid: string }) => d.uid);
  const refs: unknown[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'datasource') refs.push(value);
        else walk(value);
      }
    }
  };
  walk(JSON.parse(read(file)));
  expect(refs.length).toBeGreaterThan(0);
  for (const ref of refs) {
    expect(ref).toEqual(expect.objectContaining({ uid: expect.any(String) }));
    const { uid, type } = ref as { uid: string; type: string };
    if (uid === GRAFANA_BUILT_IN) continue;
    expect(type).toBe('prometheus');
    expect(uids).toContain(uid);
  }
});

describe('every query parses as PromQL', () => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'roque-parse-'));
  beforeAll(async () => {
    stack = await startStack({ dataDir: dir, prometheusPort: await freePort(), alertmanagerPort: null });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rejects = async (expr: string) => {
    const res = await fetch(`${stack.prometheusUrl}/api/v1/query`, {
      method: 'POST',
      body: new URLSearchParams({ query: expr }),
    });
    const body = (await res.json()) as { error?: string };
    return res.status === 200 ? null : `${res.status} ${body.error}`;
  };

  test('(the check itself: Prometheus refuses broken PromQL)', async () => {
    expect(await rejects('sum(rate(x[5m])')).toMatch(/^400 .*parse error/);
    expect(await rejects('label_values(up, job)')).toMatch(/^400 /);
  });

  test.each(files)('%s', async (file) => {
    const queries = dashboardQueries(JSON.parse(read(file)));
    expect(queries.length).toBeGreaterThan(3);
    const rejected: string[] = [];
    for (const q of queries) {
      const expr = substitute(q.expr, { testid: '.*', phase: '.*' });
      const error = await rejects(expr);
      if (error) rejected.push(`${q.where}: ${expr}\n  → ${error}`);
    }
    expect(rejected).toEqual([]);
  });
});
