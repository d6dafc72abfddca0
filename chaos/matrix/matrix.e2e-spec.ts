// `roque matrix` end to end, real app, Prometheus, blackbox exporter and k6: two
// experiments twice each with the user's rule files (one alert that fires, one that never
// can), then bad input. The whole library's quick matrix is in library.e2e-spec.ts.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roque } from '../local/roque-cli';
import type { MatrixResult } from './matrix';

const reports = mkdtempSync(join(tmpdir(), 'roque-matrix-'));
const TEAM_RULES = 'chaos/experiments/own-rules/dice-team.rules.yml';
const NEVER_RULES = 'chaos/matrix/fixtures/never-fires.rules.yml';

test("two experiments × 2 repeats with the user's rules only: the counts, the team's alert seen firing, the never-firing cell named, exit 1", async () => {
  const started = Date.now();
  const run = await roque(
    [
      'matrix',
      'chaos/experiments/own-rules/slow-dice.yaml',
      'chaos/matrix/fixtures/slow-and-never.yaml',
      '--quick',
      '--repeat',
      '2',
      '--rules',
      TEAM_RULES,
      '--rules',
      NEVER_RULES,
      '--rules-only',
      '--reports',
      reports,
    ],
    {},
    480_000,
  );
  console.log(`matrix of 4 quick runs: ${Math.round((Date.now() - started) / 1000)} s\n${run.stdout}`);
  expect(run.stdout + run.stderr).toMatch(/did not hold: latency × NeverFires \(0\/2\)/);
  expect(run.code).toBe(1);

  const latest = join(reports, 'latest');
  for (const file of ['matrix.json', 'matrix.md', 'matrix.html']) expect(existsSync(join(latest, file))).toBe(true);
  const matrix = JSON.parse(readFileSync(join(latest, 'matrix.json'), 'utf8')) as MatrixResult;
  expect(matrix).toMatchObject({
    repeat: 2,
    quick: true,
    passed: false,
    rules: { roque: false, user: [TEAM_RULES, NEVER_RULES] },
  });
  expect(matrix.runs.map((r) => [r.experiment, r.repeat])).toEqual([
    ['slow-dice', 1],
    ['slow-and-never', 1],
    ['slow-dice', 2],
    ['slow-and-never', 2],
  ]);
  expect(matrix.alerts.map((a) => a.alert).sort()).toEqual(['DiceRollsSlow', 'NeverFires']);
  const slow = matrix.cells.find((c) => c.alert === 'DiceRollsSlow')!;
  expect(slow).toMatchObject({ disturbance: 'latency', signal: 'latency', expected: 4, held: 4, fired: 4 });
  expect(slow.timeToDetect.misses).toBe(0);
  expect(slow.timeToDetect.min!).toBeGreaterThanOrEqual(slow.floorSeconds!);
  expect(slow.timeToDetect.max!).toBeLessThanOrEqual(25);
  const never = matrix.cells.find((c) => c.alert === 'NeverFires')!;
  expect(never).toMatchObject({
    expected: 2,
    held: 0,
    fired: 0,
    timeToDetect: { min: null, median: null, max: null, misses: 2 },
  });
  // Every observation links to its run's report.
  for (const o of [...slow.observations, ...never.observations])
    expect(existsSync(join(latest, o.link!, 'report.html'))).toBe(true);

  const md = readFileSync(join(latest, 'matrix.md'), 'utf8');
  expect(md).toMatch(/\| ✅ \| latency \| DiceRollsSlow \| latency \| 4\/4 \|/);
  expect(md).toMatch(/\| ❌ \| latency \| NeverFires \| latency \| 0\/2 \| miss \/ miss \/ miss \|/);
  const html = readFileSync(join(latest, 'matrix.html'), 'utf8');
  expect(html).toMatch(/<td class="held"[^>]*><div class="ttd">\d+\.\d s<\/div><div class="count">4\/4<\/div>/);
  expect(html).toMatch(/<td class="missed"[^>]*><div class="ttd">miss<\/div><div class="count">0\/2<\/div>/);
  expect(html).not.toMatch(/<script src=|<link [^>]*href="http/);
}, 500_000);

test('a rule file promtool refuses exits 2 naming the file and line, before anything starts', async () => {
  const bad = join(reports, 'bad.rules.yml');
  writeFileSync(bad, 'groups:\n  - name: g\n    rules:\n      - alert: Broken\n        expr: rate(up[5m]\n');
  for (const command of [['matrix'], ['run', 'chaos/experiments/golden-signals.yaml']]) {
    const run = await roque([...command, '--rules', bad, '--reports', reports], {}, 30_000);
    expect(run.stderr).toMatch(
      /bad rule file: .*bad\.rules\.yml:5: group "g", rule 1, "Broken": could not parse expression/,
    );
    expect(run.code).toBe(2);
  }
});

test('--rules with a given Prometheus, an experiment that needs a stack of its own with one, and --repeat 0, are bad input', async () => {
  const withTarget = await roque(
    [
      'matrix',
      '--rules',
      TEAM_RULES,
      '--target',
      'http://127.0.0.1:1',
      '--prometheus',
      'http://127.0.0.1:1',
      '--reports',
      reports,
    ],
    {},
    30_000,
  );
  expect(withTarget.stderr).toMatch(/--rules loads rule files into the local Prometheus/);
  expect(withTarget.code).toBe(2);
  const given = ['--target', 'http://127.0.0.1:1', '--prometheus', 'http://127.0.0.1:1', '--admin-token', 't'];
  const ownStack = await roque(
    ['matrix', 'chaos/experiments/slo-burn.yaml', ...given, '--reports', reports],
    {},
    30_000,
  );
  expect(ownStack.stderr).toMatch(
    /chaos\/experiments\/slo-burn\.yaml needs a stack of its own \(stack: own\); roque matrix starts one locally, not with --target\/--prometheus/,
  );
  expect(ownStack.code).toBe(2);
  // `roque run` goes on (the user chose the target), saying what its windows hold.
  const run = await roque(['run', 'chaos/experiments/slo-burn.yaml', ...given, '--reports', reports], {}, 60_000);
  expect(run.stderr).toMatch(/slo-burn asks for a stack of its own \(stack: own\): the given Prometheus's windows/);
  expect(run.code).toBe(2);
  const zero = await roque(
    ['run', 'chaos/experiments/golden-signals.yaml', '--repeat', '0', '--reports', reports],
    {},
    30_000,
  );
  expect(zero.stderr).toMatch(/--repeat must be a whole number of at least 1/);
  expect(zero.code).toBe(2);
});
