import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExperiment } from '../experiment/load';
import { planExperiment } from '../experiment/plan';
import type { RunResult } from '../report/result-schema';
import {
  buildMatrix,
  disturbancesOf,
  floorAtTwiceThresholdSeconds,
  floorSeconds,
  spread,
  type MatrixRun,
} from './matrix';
import { matrixHtml } from './matrix-html';
import { matrixMarkdown } from './matrix-md';
import { alertRules, checkRuleFiles, promDurationSeconds, RuleFileError } from './rule-files';
import { ownStackReason } from './run-matrix';

const dir = mkdtempSync(join(tmpdir(), 'roque-matrix-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = planExperiment(
  parseExperiment(
    `name: two
load: { rate: 40 }
phases:
  - { name: baseline, duration: 20s }
  - { name: slow, duration: 30s, faults: [{ type: latency, delayMs: 200 }] }
  - { name: drop, duration: 30s, rate: 4 }
checks:
  - { kind: detection, phase: slow, alert: RoqueHighMedianLatency, firesWithin: 30s }
  - { kind: detection, phase: drop, alert: RoqueTrafficDrop, firesWithin: 30s }
`,
    'two.yaml',
  ),
  false,
);

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

/** A result with the given times to detect (null: missed) and alert episodes (start seconds). */
function result(ttd: [number | null, number | null], episodes: { alert: string; at: number }[] = []): RunResult {
  const phases = plan.phases.map((p) => ({
    name: p.name,
    start: iso(p.startMs / 1000),
    end: iso((p.startMs + p.durationMs) / 1000),
    faults: p.faults,
  }));
  return {
    runId: `run-${Math.random()}`,
    experiment: { name: 'two', file: 'two.yaml' },
    status: ttd.every((t) => t !== null) ? 'passed' : 'failed',
    abortReason: null,
    wallSeconds: 90,
    phases,
    checks: ttd.map((t, i) => ({
      name: `c${i}`,
      kind: 'detection',
      phase: ['slow', 'drop'][i],
      passed: t !== null && t <= 30,
      expected: '',
      observed: '',
      details: {},
    })),
    detection: ttd.map((t, i) => ({
      alert: ['RoqueHighMedianLatency', 'RoqueTrafficDrop'][i],
      phase: ['slow', 'drop'][i],
      timeToDetectSeconds: t,
      timeToResolveSeconds: t === null ? null : 10,
    })),
    alerts: episodes.map((e) => ({ alert: e.alert, firedAt: iso(e.at), resolvedAt: null })),
  } as unknown as RunResult;
}

const rules = alertRules([]);
const meta = {
  id: 'm',
  quick: true,
  repeat: 3,
  startedAt: iso(0),
  finishedAt: iso(300),
  wallSeconds: 300,
  rules: { roque: true, skipped: [], user: [] },
  leftOut: [],
};
const run = (r: RunResult | null, repeat: number): MatrixRun => ({
  file: 'two.yaml',
  plan,
  repeat,
  result: r,
  error: r ? null : 'the stack died',
  link: r ? `../${r.runId}` : null,
  ownStack: null,
});

test('a cell counts every repeat, and a miss pushes the median and maximum out instead of being dropped', () => {
  const m = buildMatrix([run(result([20, 18]), 1), run(result([null, 19]), 2), run(result([22, 21]), 3)], rules, meta);
  const latency = m.cells.find((c) => c.alert === 'RoqueHighMedianLatency')!;
  expect(latency).toMatchObject({ disturbance: 'latency', signal: 'latency', expected: 3, held: 2, fired: 2 });
  expect(latency.timeToDetect).toEqual({ min: 20, median: 22, max: null, misses: 1 });
  expect(m.cells.find((c) => c.alert === 'RoqueTrafficDrop')).toMatchObject({
    disturbance: 'traffic',
    expected: 3,
    held: 3,
    timeToDetect: { min: 18, median: 19, max: 21, misses: 0 },
  });
  expect(m.passed).toBe(false);
  expect(m.failures).toEqual(['latency × RoqueHighMedianLatency (2/3)']);
  expect(matrixMarkdown(m)).toMatch(
    /\| ⚠️ \| latency \| RoqueHighMedianLatency \| latency \| 2\/3 \| 20\.0 \/ 22\.0 \/ miss \|/,
  );
  expect(matrixHtml(m)).toMatch(
    /<td class="partial"[^>]*><div class="ttd">22\.0 s<\/div><div class="count">2\/3<\/div>/,
  );
});

test('every detection held in every repeat passes; a run without a result fails the matrix, its detections missed', () => {
  expect(buildMatrix([run(result([20, 18]), 1)], rules, meta)).toMatchObject({ passed: true, failures: [] });
  const m = buildMatrix([run(result([20, 18]), 1), run(null, 2)], rules, meta);
  expect(m.passed).toBe(false);
  expect(m.cells.every((c) => c.expected === 2 && c.held === 1)).toBe(true);
  expect(m.failures.at(-1)).toMatch(/two \(repeat 2\) produced no result: the stack died/);
});

test('an alert that begins while nothing it reads is disturbed is a false alert; after-effects and covered faults are not', () => {
  const episodes = [
    { alert: 'RoqueHighErrorRate', at: 5 }, // baseline: false
    { alert: 'RoqueHighMedianLatency', at: 40 }, // during the latency fault: expected
    { alert: 'RoqueHighLatency', at: 55 }, // the drop phase, 5 s after the latency fault: an after-effect
    { alert: 'RoqueHighMemory', at: 60 }, // nothing memory-like anywhere: false
    { alert: 'RoqueTrafficSurge', at: 200 }, // after the load ended: left out
  ];
  const m = buildMatrix([run(result([20, 18], episodes), 1)], rules, meta);
  expect(m.falseAlerts.map((f) => [f.alert, f.phase])).toEqual([
    ['RoqueHighErrorRate', 'baseline'],
    ['RoqueHighMemory', 'drop'],
  ]);
});

test('the matrix says which experiments ran on a stack of their own, and which were left out for want of one', () => {
  const own = { ...run(result([20, 18]), 1), ownStack: 'stack: own' };
  const m = buildMatrix([own, { ...own, repeat: 2 }], rules, {
    ...meta,
    leftOut: [{ experiment: 'one-sick-replica', reason: '3 replicas' }],
  });
  expect(m.runs.map((r) => r.ownStack)).toEqual(['stack: own', 'stack: own']);
  const text =
    'On a stack of their own: two (stack: own). Left out, needing a stack of their own where --target gave one: one-sick-replica (3 replicas).';
  expect(matrixMarkdown(m)).toContain(text);
  expect(matrixHtml(m)).toContain(text);
  expect(matrixMarkdown(m)).toContain('A stack of its own starts with empty windows');
  expect(matrixMarkdown(buildMatrix([run(result([20, 18]), 1)], rules, meta))).not.toContain('of their own');
});

test('an experiment gets a stack of its own when it asks, starts replicas, or tests an upstream; else it shares', () => {
  const experiment = (extra: string) =>
    planExperiment(
      parseExperiment(
        `name: x\n${extra}\nphases: [{ name: a, duration: 10s }]\nchecks: [{ kind: quiet, phase: a }]\n`,
        'x.yaml',
      ),
      true,
    ).experiment;
  expect(ownStackReason(experiment('load: { rate: 10 }'))).toBeNull();
  expect(ownStackReason(experiment('load: { rate: 10 }\nstack: shared'))).toBeNull();
  expect(ownStackReason(experiment('load: { rate: 10 }\nstack: own'))).toBe('stack: own');
  expect(ownStackReason(experiment('load: { rate: 30, replicas: 3 }'))).toBe('3 replicas');
  expect(ownStackReason(experiment("load: { rate: 10 }\nupstream: { seed: flask-dice, routes: ['/'] }"))).toBe(
    'a service behind the fault proxy',
  );
  expect(() => experiment('load: { rate: 10 }\nstack: mine')).toThrow(/stack/);
});

test('disturbances: fault types, and traffic when the rate changes', () => {
  expect(plan.phases.map((p, i) => disturbancesOf(p, plan.phases[i - 1]))).toEqual([[], ['latency'], ['traffic']]);
});

test('spread of nothing, of misses only', () => {
  expect(spread([])).toEqual({ min: null, median: null, max: null, misses: 0 });
  expect(spread([null, null])).toEqual({ min: null, median: null, max: null, misses: 2 });
  expect(spread([3, 1, null, 2])).toEqual({ min: 1, median: 2.5, max: null, misses: 1 });
});

test("Roque's alerts: for, window (through recording rules), signal, and the floor they allow", () => {
  const byName = new Map(rules.map((r) => [r.alert, r]));
  expect(byName.get('RoqueHighMedianLatency')).toMatchObject({ forSeconds: 10, windowSeconds: 20, signal: 'latency' });
  expect(byName.get('RoqueTargetDown')).toMatchObject({ forSeconds: 15, windowSeconds: null, signal: 'availability' });
  expect(byName.get('DiceApiAvailabilityBurnRateFast')).toMatchObject({
    forSeconds: 60,
    windowSeconds: 300,
    signal: 'availability',
  });
  // Any fault: `for`. At twice the threshold: half of a 15 s span under the fault (7.5 s), then `for`.
  expect(floorSeconds(byName.get('RoqueHighMedianLatency')!)).toBe(10);
  expect(floorAtTwiceThresholdSeconds(byName.get('RoqueHighMedianLatency')!)).toBe(17.5);
  expect(floorAtTwiceThresholdSeconds(byName.get('RoqueTargetDown')!)).toBe(15);
  expect(promDurationSeconds('1h30m')).toBe(5400);
  expect(() => promDurationSeconds('soon')).toThrow(/not a Prometheus duration/);
});

test('a rule file promtool refuses is named with its line; a missing one too', () => {
  const bad = join(dir, 'bad.yml');
  writeFileSync(bad, 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n');
  expect(() => checkRuleFiles([bad])).toThrow(RuleFileError);
  expect(() => checkRuleFiles([bad])).toThrow(/bad\.yml:5: group "g", rule 1, "A": could not parse expression/);
  const unknownField = join(dir, 'field.yml');
  writeFileSync(unknownField, 'groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: up\n      foo: 1\n');
  expect(() => checkRuleFiles([unknownField])).toThrow(/field\.yml:6: field foo not found/);
  expect(() => checkRuleFiles([join(dir, 'none.yml')])).toThrow(/none\.yml: no such rule file/);
  const good = join(dir, 'good.yml');
  writeFileSync(good, 'groups:\n  - name: g\n    rules:\n    - alert: Mine\n      expr: up == 0\n      for: 30s\n');
  expect(checkRuleFiles([good])).toEqual([good]);
  expect(alertRules([good], false)).toEqual([
    { alert: 'Mine', forSeconds: 30, windowSeconds: null, signal: null, file: good },
  ]);
});
