// The Prometheus configuration and rules, checked by the real promtool; and the rule that
// every alert has a promtool test that fires it and one that keeps it quiet.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, tools } from '../../tools';

const dir = join(REPO_ROOT, 'stack', 'prometheus');
const ruleFiles = readdirSync(join(dir, 'rules')).map((f) => join(dir, 'rules', f));
const testFiles = readdirSync(join(dir, 'tests')).map((f) => join(dir, 'tests', f));
const promtool = (...args: string[]) =>
  execFileSync(tools().promtool, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });

test('promtool check config', () => {
  expect(promtool('check', 'config', 'prometheus.yml')).toMatch(/SUCCESS: 2 rule files found/);
});

test('promtool check rules', () => {
  expect(promtool('check', 'rules', ...ruleFiles)).not.toMatch(/FAILED/);
});

test('promtool test rules', () => {
  expect(promtool('test', 'rules', ...testFiles)).toMatch(/SUCCESS/);
});

interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}

test('every alert has a test that fires it and one that keeps it quiet', () => {
  const alerts = ruleFiles.flatMap((file) =>
    parse(readFileSync(file, 'utf8')).groups.flatMap((g: { rules: { alert?: string }[] }) =>
      g.rules.flatMap((r) => (r.alert ? [r.alert] : [])),
    ),
  );
  const cases: AlertTest[] = testFiles.flatMap((file) =>
    parse(readFileSync(file, 'utf8')).tests.flatMap((t: { alert_rule_test?: AlertTest[] }) => t.alert_rule_test ?? []),
  );
  const coverage = (alert: string) => ({
    alert,
    fires: cases.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length > 0),
    quiet: cases.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length === 0),
  });
  expect(alerts.length).toBeGreaterThanOrEqual(9);
  expect(alerts.map(coverage)).toEqual(alerts.map((alert) => ({ alert, fires: true, quiet: true })));
});
