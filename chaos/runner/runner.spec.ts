import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseExperiment } from '../experiment/load';
import { planExperiment } from '../experiment/plan';
import { seededRandom } from '../stats';
import { AbortTracker } from './abort-conditions';
import { AlertWatcher, type AlertEpisode } from './alert-watcher';
import { evaluateChecks } from './evaluate';
import { EXIT, RunError } from './exit-codes';
import { phaseShortfall } from './phase-coverage';
import { clientFigures, loadStartOf, phaseData } from './phase-data';
import type { PrometheusClient } from './prometheus';
import { K6CsvReader, readRawResults, splitCsvLine, type RequestSample } from './raw-results';
import { runStatus, type RunEnding } from './run-status';

const HEADER =
  'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,status,extra_tags,metadata';

describe('k6 CSV output', () => {
  it('splits quoted fields as Go writes them', () => {
    expect(splitCsvLine('a,"b, c",,"say ""hi""",')).toEqual(['a', 'b, c', '', 'say "hi"', '']);
  });

  it('reads requests by phase across chunk boundaries, skipping control requests and other metrics', async () => {
    const lines = [
      HEADER,
      'http_req_duration,1000,2.5,,,,true,,GET,/,HTTP/1.1,load_baseline,200,phase=baseline&testid=t,',
      'http_reqs,1000,1,,,,true,,GET,/,HTTP/1.1,load_baseline,200,phase=baseline&testid=t,',
      'http_req_duration,1200,1.5,,,,true,::setup,GET,/health,HTTP/1.1,,200,testid=t&phase=control,',
      'http_req_duration,2000,18,,,1500,false,,GET,/,HTTP/1.1,load_bad,500,phase=bad&testid=t,',
      'http_req_duration,2100,0,,"read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer",1000,false,,GET,/,HTTP/1.1,load_bad,0,testid=t&phase=bad,',
      'dropped_iterations,2200,3,,,,,,,,,load_bad,,phase=bad&testid=t,',
    ].join('\n');
    const reader = new K6CsvReader();
    const into = { requests: [] as RequestSample[], dropped: [] as { t: number; phase: string; count: number }[] };
    for (let i = 0; i < lines.length; i += 37) reader.feed(lines.slice(i, i + 37), into);
    reader.feed('\n', into);
    expect(into.requests).toEqual([
      { t: 1000, phase: 'baseline', durationMs: 2.5, status: 200, failed: false },
      { t: 2000, phase: 'bad', durationMs: 18, status: 500, failed: true },
      { t: 2100, phase: 'bad', durationMs: 0, status: 0, failed: true },
    ]);
    expect(into.dropped).toEqual([{ t: 2200, phase: 'bad', count: 3 }]);

    const file = join(mkdtempSync(join(tmpdir(), 'roque-raw-')), 'requests.csv.gz');
    writeFileSync(file, gzipSync(`${lines}\n`));
    expect((await readRawResults(file)).requests).toHaveLength(3);
  });
});

const EXPERIMENT = `name: unit
load: { rate: 100 }
phases:
  - { name: baseline, duration: 10s }
  - name: latency
    duration: 10s
    faults: [{ type: latency, delayMs: 200 }]
  - name: errors
    duration: 10s
    faults: [{ type: error, probability: 0.1 }]
  - { name: recovery, duration: 10s }
checks:
  - { kind: steady-state, phase: baseline, p95BelowMs: 50, errorShareBelow: 0.01 }
  - { kind: quiet, phase: baseline }
  - { kind: fidelity, signal: latency, phase: latency, toleranceMs: 20 }
  - { kind: fidelity, signal: latency, phase: latency, expectedShiftMs: 500, toleranceMs: 50, name: false claim }
  - { kind: fidelity, signal: errors, phase: errors, tolerance: 0.03 }
  - { kind: detection, phase: errors, alert: HighErrors, firesWithin: 30s, resolvesWithin: 20s }
  - { kind: detection, phase: latency, alert: HighLatency, firesWithin: 15s }
  - { kind: recovery, phase: recovery, settle: 2s }
`;

/** 100 requests per second per phase: ~5 ms baseline, +200 ms under latency, 10% errors. */
function syntheticRun(loadStart: number): RequestSample[] {
  const random = seededRandom(11);
  const requests: RequestSample[] = [];
  ['baseline', 'latency', 'errors', 'recovery'].forEach((phase, index) => {
    for (let i = 0; i < 1000; i++) {
      const durationMs = 3 + random() * 4 + (phase === 'latency' ? 200 : 0);
      const failed = phase === 'errors' && random() < 0.1;
      const start = loadStart + index * 10_000 + i * 10;
      requests.push({ t: start + durationMs, phase, durationMs, status: failed ? 500 : 200, failed });
    }
  });
  return requests;
}

describe('evaluateChecks', () => {
  const loadStart = 1_700_000_000_000;
  const plan = planExperiment(parseExperiment(EXPERIMENT), false);
  const requests = syntheticRun(loadStart);
  const phases = phaseData(plan.phases, loadStartOf(requests)!, requests, [{ t: 0, phase: 'errors', count: 2 }]);
  const errorsStart = loadStart + 20_000;
  const episodes: AlertEpisode[] = [
    { alert: 'HighErrors', firedAt: errorsStart + 21_000, resolvedAt: errorsStart + 10_000 + 12_000 },
  ];
  const { checks, detection } = evaluateChecks(plan, phases, episodes);
  const byName = Object.fromEntries(checks.map((c) => [c.name, c]));

  it('finds the phases where the load put them', () => {
    expect(loadStartOf(requests)).toBe(loadStart);
    expect(phases.map((p) => [p.requests.length, p.startMs - loadStart])).toEqual([
      [1000, 0],
      [1000, 10_000],
      [1000, 20_000],
      [1000, 30_000],
    ]);
    expect(clientFigures(phases[2], phases[0], 1).droppedIterations).toBe(2);
  });

  it('holds the true claims and names what it saw', () => {
    expect(byName['baseline: within SLO']).toMatchObject({ passed: true, kind: 'steady-state' });
    expect(byName['baseline: no alert fires'].passed).toBe(true);
    const latency = byName['latency: latency shift matches injected (200 ms)'];
    expect(latency.passed).toBe(true);
    expect(latency.details.shiftMs).toBeCloseTo(200, 0);
    expect(latency.observed).toMatch(
      /^shift 200\.\d ms \[\d+\.\d, \d+\.\d\] \(95% CI\), Mann-Whitney p < 1e-15, n=1000\/1000$/,
    );
    const errors = byName['errors: error share matches injected (10%)'];
    expect(errors.passed).toBe(true);
    expect(errors.details.share as number).toBeGreaterThan(0.07);
    expect(byName['recovery: back to baseline'].passed).toBe(true);
  });

  it('fails a false claim and an alert that never fired', () => {
    expect(byName['false claim']).toMatchObject({ passed: false, expected: 'shift 500.0 ms ± 50.0 ms' });
    expect(byName['latency: HighLatency fires within 15s']).toMatchObject({
      passed: false,
      observed: 'HighLatency did not fire',
    });
  });

  it('measures time to detect and to resolve', () => {
    expect(byName['errors: HighErrors fires within 30s'].passed).toBe(true);
    expect(detection).toEqual([
      expect.objectContaining({
        alert: 'HighErrors',
        phase: 'errors',
        timeToDetectSeconds: 21,
        timeToResolveSeconds: 12,
      }),
      expect.objectContaining({ alert: 'HighLatency', timeToDetectSeconds: null, firedAt: null }),
    ]);
  });

  it('fails detection that resolves too late, and counts a false alert in a quiet phase', () => {
    const late = evaluateChecks(plan, phases, [
      { alert: 'HighErrors', firedAt: errorsStart + 21_000, resolvedAt: errorsStart + 10_000 + 25_000 },
      { alert: 'Noise', firedAt: loadStart + 3_000, resolvedAt: loadStart + 5_000 },
    ]).checks;
    expect(late.find((c) => c.kind === 'detection' && c.phase === 'errors')!.passed).toBe(false);
    expect(late.find((c) => c.kind === 'quiet')).toMatchObject({ passed: false, observed: 'fired: Noise' });
  });

  it('refuses a verdict on too few samples', () => {
    const slow = planExperiment(parseExperiment(EXPERIMENT.replace('rate: 100', 'rate: 5')), false);
    const few = phaseData(
      slow.phases,
      loadStart,
      requests.filter((_, i) => i % 20 === 0),
      [],
    );
    const result = evaluateChecks(slow, few, episodes).checks[0];
    expect(result).toMatchObject({ passed: false });
    expect(result.observed).toMatch(/^too few requests for a verdict: baseline n=50/);
  });
});

describe('evaluateChecks fails closed', () => {
  const plan = planExperiment(parseExperiment(EXPERIMENT), false);
  const loadStart = 1_700_000_000_000;
  const all = syntheticRun(loadStart);

  it('keeps every check when the load died in the latency phase: those without their phase fail, saying why', () => {
    // k6 killed 4 s into the latency phase: nothing after, the latency phase short.
    const requests = all.filter((r) => r.t < loadStart + 14_000);
    const phases = phaseData(plan.phases, loadStart, requests, []);
    const { checks } = evaluateChecks(plan, phases, []);
    expect(checks).toHaveLength(plan.checks.length);
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName['baseline: within SLO'].passed).toBe(true);
    expect(byName['baseline: no alert fires'].passed).toBe(true);
    const latency = byName['latency: latency shift matches injected (200 ms)'];
    expect(latency.passed).toBe(false);
    expect(latency.observed).toMatch(
      /^no verdict: the latency phase ran short: its last request ended 6\.\d s before its planned end \(measured anyway: shift 200/,
    );
    const errors = byName['errors: error share matches injected (10%)'];
    expect(errors).toMatchObject({
      passed: false,
      observed: 'no verdict: the errors phase did not run (no request in it)',
    });
    expect(byName['errors: HighErrors fires within 30s']).toMatchObject({
      passed: false,
      observed: 'no verdict: the errors phase did not run (no request in it)',
    });
    expect(byName['recovery: back to baseline'].passed).toBe(false);
    expect(checks.filter((c) => c.passed).map((c) => c.phase)).toEqual(['baseline', 'baseline']);
  });

  it('fails a check whose phase sent far fewer requests than planned, and one whose baseline did not run', () => {
    const thin = all.filter((r) => r.phase !== 'errors' || r.t % 3 < 1);
    const { checks } = evaluateChecks(plan, phaseData(plan.phases, loadStart, thin, []), []);
    expect(checks.find((c) => c.kind === 'fidelity' && c.phase === 'errors')!.observed).toMatch(
      /^no verdict: the errors phase sent \d{3} of 1000 planned requests/,
    );
    const noBaseline = all.filter((r) => r.phase !== 'baseline');
    const latency = evaluateChecks(plan, phaseData(plan.phases, loadStart, noBaseline, []), []).checks.find(
      (c) => c.phase === 'latency' && c.kind === 'fidelity',
    )!;
    expect(latency).toMatchObject({ passed: false });
    expect(latency.observed).toMatch(/^no verdict: the baseline phase did not run/);
  });

  it('counts dropped iterations as sent: an overloaded phase is evidence, not a shortfall', () => {
    const phase = phaseData(
      plan.phases,
      loadStart,
      all.filter((r) => r.phase !== 'errors' || r.t % 2 < 1),
      [{ t: 0, phase: 'errors', count: 500 }],
    )[2];
    expect(phaseShortfall(phase, 100)).toBeNull();
  });
});

describe('runStatus', () => {
  const held = [
    { name: 'a', kind: 'quiet', phase: 'p', passed: true, expected: '', observed: '', details: {} },
  ] as const;
  const ending: RunEnding = {
    abort: null,
    k6: { exitCode: 0, meaning: 'passed' },
    shortfalls: [],
    checks: [...held],
    killSwitch: { cleared: true, error: null },
  };

  it('passes only a complete run whose checks held and whose faults were cleared', () => {
    expect(runStatus(ending)).toEqual({ status: 'passed', abortReason: null, exitCode: 0 });
    expect(runStatus({ ...ending, k6: { exitCode: 99, meaning: 'thresholds failed' } }).status).toBe('passed');
    expect(runStatus({ ...ending, checks: [{ ...held[0], passed: false }] })).toEqual({
      status: 'failed',
      abortReason: null,
      exitCode: 1,
    });
    expect(runStatus({ ...ending, killSwitch: { cleared: false, error: 'HTTP 401' } })).toEqual({
      status: 'failed',
      abortReason: null,
      exitCode: 1,
    });
  });

  it('aborts (exit 2) when k6 died or stopped short, and keeps the code of what stopped the run early', () => {
    expect(runStatus({ ...ending, k6: { exitCode: 137, meaning: 'killed by signal 9' } })).toEqual({
      status: 'aborted',
      abortReason: 'k6 ended early: exit 137 (killed by signal 9)',
      exitCode: 2,
    });
    expect(runStatus({ ...ending, k6: null })).toMatchObject({ status: 'aborted', exitCode: 2 });
    expect(runStatus({ ...ending, shortfalls: ['the b phase did not run (no request in it)'] })).toEqual({
      status: 'aborted',
      abortReason: 'the load stopped short of the plan: the b phase did not run (no request in it)',
      exitCode: 2,
    });
    expect(
      runStatus({ ...ending, abort: new RunError('SIGINT received', EXIT.SIGINT), k6: { exitCode: 105, meaning: '' } }),
    ).toEqual({ status: 'aborted', abortReason: 'SIGINT received', exitCode: 130 });
  });
});

describe('AlertWatcher', () => {
  it('opens an episode when an alert fires and closes it when it is gone', async () => {
    const answers = [['A'], ['A', 'B'], ['B'], []];
    const prometheus = {
      alerts: async () =>
        (answers.shift() ?? []).map((alertname) => ({ labels: { alertname }, state: 'firing', activeAt: '' })),
    };
    const watcher = new AlertWatcher(prometheus as unknown as PrometheusClient);
    for (const t of [1, 2, 3, 4]) await watcher.poll(t * 1000);
    expect(watcher.episodes).toEqual([
      { alert: 'A', firedAt: 1000, resolvedAt: 3000 },
      { alert: 'B', firedAt: 2000, resolvedAt: 4000 },
    ]);
  });

  it('ignores pending alerts and keeps going when Prometheus fails', async () => {
    let fail = true;
    const prometheus = {
      alerts: async () => {
        if (fail) throw new Error('down');
        return [{ labels: { alertname: 'P' }, state: 'pending', activeAt: '' }];
      },
    };
    const watcher = new AlertWatcher(prometheus as unknown as PrometheusClient);
    await watcher.poll(1);
    expect(watcher.lastError).toBe('down');
    fail = false;
    await watcher.poll(2);
    expect(watcher.episodes).toEqual([]);
  });
});

describe('AbortTracker', () => {
  const tracker = () => new AbortTracker([{ errorShareAbove: 0.5, for: 10_000 }]);
  const bad = { requests: 50, rps: 10, p95Ms: 5, errorShare: 0.8 };

  it('aborts once the condition has held for its duration', () => {
    const t = tracker();
    expect(t.check(bad, 0)).toBeNull();
    expect(t.check(bad, 9_000)).toBeNull();
    expect(t.check(bad, 10_000)).toBe('abort condition: error share 80% above 50% for 10 s');
  });

  it('starts over when the condition breaks, and ignores thin windows', () => {
    const t = tracker();
    t.check(bad, 0);
    t.check({ ...bad, errorShare: 0.1 }, 5_000);
    expect(t.check(bad, 10_000)).toBeNull();
    expect(tracker().check({ ...bad, requests: 3 }, 20_000)).toBeNull();
  });
});
