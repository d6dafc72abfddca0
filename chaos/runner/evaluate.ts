// The verdict: each check of the experiment against what the run measured. Every check
// says what it expected and what it observed, with intervals and sample sizes. Every check
// is in the verdict; one whose phase (or baseline) did not run as planned fails, saying why.
import { formatDuration } from '../contract/duration';
import { injectedDelayMs, injectedErrorShare, type ExperimentPlan, type PlannedCheck } from '../experiment/plan';
import { ms, msWithInterval, pct, pctWithInterval, pValue } from '../report/format';
import type { CheckResult, DetectionResult, PhaseResult } from '../report/result-schema';
import { bootstrapQuantile, hodgesLehmann, mannWhitneyU, twoProportionZTest, wilsonInterval } from '../stats';
import type { AlertEpisode } from './alert-watcher';
import { phaseShortfall } from './phase-coverage';
import { latenciesOf, type PhaseData } from './phase-data';

/** Fewer requests than this in a compared phase make no verdict: the check fails and says so. */
export const MIN_SAMPLES = 100;

export interface Verdict {
  checks: CheckResult[];
  detection: DetectionResult[];
}

/**
 * `loadedAlerts`: the alerting rules Prometheus had loaded; a `fires: false` check of an alert
 * not among them (or without this list) fails, since the silence of a missing rule proves nothing.
 */
export function evaluateChecks(
  plan: ExperimentPlan,
  phases: PhaseData[],
  episodes: AlertEpisode[],
  seed = 1,
  loadedAlerts?: ReadonlySet<string>,
): Verdict {
  const byName = new Map(phases.map((p) => [p.planned.name, p]));
  const shortfalls = new Map(phases.map((p) => [p.planned.name, phaseShortfall(p, p.planned.rate)]));
  const detection: DetectionResult[] = [];
  const checks = plan.checks.map((check): CheckResult => {
    const phase = byName.get(check.phase)!;
    const baseline = 'baseline' in check && check.baseline ? byName.get(check.baseline)! : undefined;
    const result =
      check.kind === 'detection' && !check.fires
        ? silent(check, phase, episodes, loadedAlerts)
        : evaluate(check, phase, baseline, episodes, seed);
    if (check.kind === 'detection') detection.push(detectionOf(check.alert, phase, episodes));
    const gaps = [...new Set([phase, baseline])].flatMap((p) => (p ? (shortfalls.get(p.planned.name) ?? []) : []));
    const measured = phase.requests.length ? ` (measured anyway: ${result.observed})` : '';
    const unfounded = gaps.length
      ? {
          passed: false,
          observed: `no verdict: ${gaps.join('; ')}${measured}`,
          details: { ...result.details, shortfall: gaps.join('; ') },
        }
      : {};
    return { name: check.name, kind: check.kind, phase: check.phase, ...result, ...unfounded };
  });
  return { checks, detection };
}

type Outcome = Pick<CheckResult, 'passed' | 'expected' | 'observed' | 'details'>;

function evaluate(
  check: PlannedCheck,
  phase: PhaseData,
  baseline: PhaseData | undefined,
  episodes: AlertEpisode[],
  seed: number,
): Outcome {
  switch (check.kind) {
    case 'fidelity':
      return check.signal === 'latency'
        ? latencyFidelity(phase, baseline!, check.expectedShiftMs ?? injectedDelayMs(phase.planned), check.toleranceMs)
        : errorFidelity(phase, baseline!, check.expectedShare ?? injectedErrorShare(phase.planned), check.tolerance);
    case 'steady-state':
      return steadyState(phase, check, seed);
    case 'detection':
      return detected(check, phase, episodes);
    case 'quiet':
      return quiet(phase, episodes, check.ignore);
    case 'recovery':
      return recovery(phase, baseline!, check.settle, check.latencyToleranceMs, check.errorShareTolerance);
  }
}

function tooFew(expected: string, ...phases: PhaseData[]): Outcome | null {
  const short = phases.filter((p) => p.requests.length < MIN_SAMPLES);
  if (!short.length) return null;
  return {
    passed: false,
    expected,
    observed: `too few requests for a verdict: ${short.map((p) => `${p.planned.name} n=${p.requests.length}`).join(', ')} (need ${MIN_SAMPLES})`,
    details: Object.fromEntries(phases.map((p) => [`n_${p.planned.name}`, p.requests.length])),
  };
}

function latencyFidelity(
  phase: PhaseData,
  baseline: PhaseData,
  expectedMs: number | undefined,
  toleranceMs?: number,
): Outcome {
  if (expectedMs === undefined) {
    return {
      passed: false,
      expected: 'a latency shift (none injected at probability 1: set expectedShiftMs)',
      observed: 'not evaluated',
      details: {},
    };
  }
  const tolerance = toleranceMs ?? Math.max(10, 0.1 * expectedMs);
  const expected = `shift ${ms(expectedMs)} ± ${ms(tolerance)}`;
  const insufficient = tooFew(expected, baseline, phase);
  if (insufficient) return insufficient;
  const before = latenciesOf(baseline.requests);
  const during = latenciesOf(phase.requests);
  const shift = hodgesLehmann(before, during);
  const test = mannWhitneyU(during, before);
  return {
    passed: Math.abs(shift.value - expectedMs) <= tolerance,
    expected,
    observed: `shift ${msWithInterval(shift)} (95% CI), Mann-Whitney ${pValue(test.pValue)}, n=${before.length}/${during.length}`,
    details: {
      expectedShiftMs: expectedMs,
      toleranceMs: tolerance,
      shiftMs: shift.value,
      shiftLowMs: shift.low,
      shiftHighMs: shift.high,
      mannWhitneyU: test.u,
      pValue: test.pValue,
      nBaseline: before.length,
      nPhase: during.length,
    },
  };
}

function errorFidelity(
  phase: PhaseData,
  baseline: PhaseData,
  expectedShare: number | undefined,
  tolerance: number,
): Outcome {
  if (expectedShare === undefined) {
    return {
      passed: false,
      expected: 'an error share (no error or abort fault injected: set expectedShare)',
      observed: 'not evaluated',
      details: {},
    };
  }
  const expected = `error share ${pct(expectedShare)} ± ${pct(tolerance)}`;
  const insufficient = tooFew(expected, baseline, phase);
  if (insufficient) return insufficient;
  const failed = countFailed(phase);
  const baseFailed = countFailed(baseline);
  const share = wilsonInterval(failed, phase.requests.length);
  const test = twoProportionZTest(baseFailed, baseline.requests.length, failed, phase.requests.length);
  return {
    passed: Math.abs(share.value - expectedShare) <= tolerance,
    expected,
    observed: `${pctWithInterval(share)} (95% CI) vs baseline ${pct(test.p1)}, z = ${test.z.toFixed(1)}, ${pValue(test.pValue)}, n=${phase.requests.length}`,
    details: {
      expectedShare,
      tolerance,
      share: share.value,
      shareLow: share.low,
      shareHigh: share.high,
      baselineShare: test.p1,
      z: test.z,
      pValue: test.pValue,
      failed,
      n: phase.requests.length,
    },
  };
}

function steadyState(phase: PhaseData, check: Extract<PlannedCheck, { kind: 'steady-state' }>, seed: number): Outcome {
  const limits: string[] = [];
  if (check.p95BelowMs !== undefined) limits.push(`p95 < ${ms(check.p95BelowMs)}`);
  if (check.p99BelowMs !== undefined) limits.push(`p99 < ${ms(check.p99BelowMs)}`);
  if (check.errorShareBelow !== undefined) limits.push(`errors < ${pct(check.errorShareBelow)}`);
  const expected = limits.join(', ') || 'no limits given';
  const insufficient = tooFew(expected, phase);
  if (insufficient) return insufficient;
  const latencies = latenciesOf(phase.requests);
  const p95 = bootstrapQuantile(latencies, 0.95, { seed });
  const p99 = bootstrapQuantile(latencies, 0.99, { seed });
  const share = wilsonInterval(countFailed(phase), phase.requests.length);
  const passed =
    (check.p95BelowMs === undefined || p95.value < check.p95BelowMs) &&
    (check.p99BelowMs === undefined || p99.value < check.p99BelowMs) &&
    (check.errorShareBelow === undefined || share.value < check.errorShareBelow);
  return {
    passed,
    expected,
    observed: `p95 ${msWithInterval(p95)} (95% CI), p99 ${ms(p99.value)}, errors ${pct(share.value)}, n=${phase.requests.length}, dropped ${phase.droppedIterations}`,
    details: {
      p95Ms: p95.value,
      p95LowMs: p95.low,
      p95HighMs: p95.high,
      p99Ms: p99.value,
      errorShare: share.value,
      n: phase.requests.length,
      droppedIterations: phase.droppedIterations,
    },
  };
}

/** The first episode of `alert` that began inside the phase (one already firing at its start detects nothing). */
function episodeFor(alert: string, phase: PhaseData, episodes: AlertEpisode[]): AlertEpisode | undefined {
  return episodes.find((e) => e.alert === alert && e.firedAt >= phase.startMs);
}

function detectionOf(alert: string, phase: PhaseData, episodes: AlertEpisode[]): DetectionResult {
  const episode = episodeFor(alert, phase, episodes);
  const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString());
  return {
    alert,
    phase: phase.planned.name,
    faultStart: new Date(phase.startMs).toISOString(),
    faultEnd: new Date(phase.endMs).toISOString(),
    firedAt: iso(episode?.firedAt),
    resolvedAt: iso(episode?.resolvedAt),
    timeToDetectSeconds: episode ? (episode.firedAt - phase.startMs) / 1000 : null,
    timeToResolveSeconds: episode?.resolvedAt ? (episode.resolvedAt - phase.endMs) / 1000 : null,
  };
}

function detected(
  check: Extract<PlannedCheck, { kind: 'detection' }>,
  phase: PhaseData,
  episodes: AlertEpisode[],
): Outcome {
  const result = detectionOf(check.alert, phase, episodes);
  const expected = `${check.alert} fires within ${formatDuration(check.firesWithin)}${check.resolvesWithin === undefined ? '' : `, resolves within ${formatDuration(check.resolvesWithin)} after`}`;
  const ttd = result.timeToDetectSeconds;
  const ttr = result.timeToResolveSeconds;
  const firedInTime = ttd !== null && ttd * 1000 <= check.firesWithin;
  const resolvedInTime = check.resolvesWithin === undefined || (ttr !== null && ttr * 1000 <= check.resolvesWithin);
  const observed =
    ttd === null
      ? `${check.alert} did not fire`
      : `fired after ${ttd.toFixed(1)} s; ${ttr === null ? 'did not resolve while watched' : `resolved ${ttr.toFixed(1)} s after the fault ended`}`;
  return {
    passed: firedInTime && resolvedInTime,
    expected,
    observed,
    details: {
      alert: check.alert,
      timeToDetectSeconds: ttd,
      timeToResolveSeconds: ttr,
      firesWithinSeconds: check.firesWithin / 1000,
      resolvesWithinSeconds: check.resolvesWithin === undefined ? null : check.resolvesWithin / 1000,
    },
  };
}

/** A `fires: false` check: the alert stays silent for `firesWithin` from the phase start. */
function silent(
  check: Extract<PlannedCheck, { kind: 'detection' }>,
  phase: PhaseData,
  episodes: AlertEpisode[],
  loadedAlerts: ReadonlySet<string> | undefined,
): Outcome {
  const windowEnd = phase.startMs + check.firesWithin;
  const expected = `${check.alert} stays silent for ${formatDuration(check.firesWithin)} (fires: false: a blind spot)`;
  const details = { alert: check.alert, fires: false, firesWithinSeconds: check.firesWithin / 1000 };
  if (!loadedAlerts?.has(check.alert)) {
    const why = loadedAlerts
      ? `${check.alert} is not an alerting rule Prometheus loaded`
      : "Prometheus's loaded rules could not be read";
    return {
      passed: false,
      expected,
      observed: `${why}: its silence proves nothing`,
      details: { ...details, firedAfterSeconds: null },
    };
  }
  const episode = episodes.find(
    (e) => e.alert === check.alert && e.firedAt < windowEnd && (e.resolvedAt === null || e.resolvedAt > phase.startMs),
  );
  if (episode) {
    return {
      passed: false,
      expected,
      observed: `fired ${((episode.firedAt - phase.startMs) / 1000).toFixed(1)} s after the phase start: this monitoring does see the fault`,
      details: { ...details, firedAfterSeconds: (episode.firedAt - phase.startMs) / 1000 },
    };
  }
  return {
    passed: true,
    expected,
    observed: `stayed silent: the metrics behind ${check.alert} did not move`,
    details: { ...details, firedAfterSeconds: null },
  };
}

function quiet(phase: PhaseData, episodes: AlertEpisode[], ignore: string[]): Outcome {
  const noisy = episodes.filter(
    (e) =>
      !ignore.includes(e.alert) && e.firedAt < phase.endMs && (e.resolvedAt === null || e.resolvedAt > phase.startMs),
  );
  const names = [...new Set(noisy.map((e) => e.alert))];
  return {
    passed: names.length === 0,
    expected: `no alert fires${ignore.length ? ` (ignoring ${ignore.join(', ')})` : ''}`,
    observed: names.length ? `fired: ${names.join(', ')}` : 'no alert fired',
    details: { falseAlerts: names.length, alerts: names.join(',') },
  };
}

function recovery(
  phase: PhaseData,
  baseline: PhaseData,
  settleMs: number,
  latencyToleranceMs: number,
  errorShareTolerance: number,
): Outcome {
  const settled: PhaseData = {
    ...phase,
    requests: phase.requests.filter((r) => r.t - r.durationMs >= phase.startMs + settleMs),
  };
  const expected = `latency within ${ms(latencyToleranceMs)} and errors within ${pct(errorShareTolerance)} of ${baseline.planned.name}${settleMs ? ` after ${formatDuration(settleMs)}` : ''}`;
  const insufficient = tooFew(expected, baseline, settled);
  if (insufficient) return insufficient;
  const shift = hodgesLehmann(latenciesOf(baseline.requests), latenciesOf(settled.requests));
  const share = countFailed(settled) / settled.requests.length;
  const baseShare = countFailed(baseline) / baseline.requests.length;
  return {
    passed: Math.abs(shift.value) <= latencyToleranceMs && share - baseShare <= errorShareTolerance,
    expected,
    observed: `shift ${msWithInterval(shift)} (95% CI), errors ${pct(share)} vs ${pct(baseShare)}, n=${settled.requests.length}`,
    details: {
      shiftMs: shift.value,
      shiftLowMs: shift.low,
      shiftHighMs: shift.high,
      errorShare: share,
      baselineErrorShare: baseShare,
      n: settled.requests.length,
    },
  };
}

function countFailed(phase: PhaseData): number {
  return phase.requests.filter((r) => r.failed).length;
}

/**
 * The server's view beside the client's in each latency fidelity check: the shift of the
 * server histogram's median against the baseline must match the injected delay within the
 * check's tolerance too (no server figures from Prometheus: the check fails and says so),
 * and how far the server's p50/p95 read from the client's is recorded beside it.
 */
export function withServerFidelity(verdict: Verdict, plan: ExperimentPlan, phases: PhaseResult[]): Verdict {
  const byName = new Map(phases.map((p) => [p.name, p]));
  const checks = verdict.checks.map((result): CheckResult => {
    const check = plan.checks.find((c) => c.name === result.name);
    const { expectedShiftMs, toleranceMs } = result.details;
    if (
      check?.kind !== 'fidelity' ||
      check.signal !== 'latency' ||
      typeof expectedShiftMs !== 'number' ||
      typeof toleranceMs !== 'number'
    )
      return result;
    const phase = byName.get(check.phase);
    const server = phase?.server;
    const baseline = byName.get(check.baseline!)?.server;
    if (!phase || server?.p50Ms == null || baseline?.p50Ms == null) {
      return {
        ...result,
        passed: false,
        observed: `${result.observed}; server: no histogram figures from Prometheus for ${check.phase} and ${check.baseline}`,
      };
    }
    const serverShiftMs = server.p50Ms - baseline.p50Ms;
    const deviation = (serverMs: number | null, client: number | null) =>
      serverMs === null || !client ? null : serverMs / client - 1;
    const p50Deviation = deviation(server.p50Ms, phase.client.latencyMs.p50.value);
    const p95Deviation = deviation(server.p95Ms, phase.client.latencyMs.p95.value);
    const signed = (share: number | null) => (share === null ? '–' : `${share >= 0 ? '+' : ''}${pct(share)}`);
    return {
      ...result,
      passed: result.passed && Math.abs(serverShiftMs - expectedShiftMs) <= toleranceMs,
      observed: `${result.observed}; server shift ${ms(serverShiftMs)} (histogram p50), server p50/p95 ${ms(server.p50Ms)}/${ms(server.p95Ms)}, ${signed(p50Deviation)}/${signed(p95Deviation)} from the client's`,
      details: {
        ...result.details,
        serverShiftMs,
        serverP50Ms: server.p50Ms,
        serverP95Ms: server.p95Ms,
        serverP50Deviation: p50Deviation,
        serverP95Deviation: p95Deviation,
      },
    };
  });
  return { ...verdict, checks };
}
