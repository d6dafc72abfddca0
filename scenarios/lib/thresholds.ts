// Thresholds per phase, generated from what each phase injects: a phase with a 200 ms
// latency fault must show it (p50 >= 190 ms), a phase without faults must look healthy.
// Every phase's sub-metrics get at least an always-true threshold, because k6 only
// computes (and puts in the summary) the tag-filtered sub-metrics a threshold names.
import type { Threshold } from 'k6/options';
import { affectsDiceRoute, type Phase } from './phase';

export interface LatencyBudget {
  /** A healthy phase's median stays under this, ms. */
  p50Ms: number;
  /** A healthy phase's p95 stays under this, ms. */
  p95Ms: number;
}

export interface ThresholdPlan {
  phases: Pick<Phase, 'name' | 'faults'>[];
  budget: LatencyBudget;
  /** false: only report per-phase figures (PHASE_THRESHOLDS=off). */
  expectations: boolean;
  /** Iterations k6 may drop (VUs exhausted) before the run fails. */
  droppedAllowed: number;
  /** Stop the test as soon as a health threshold fails (the breakpoint profile). */
  abortOnFail?: boolean;
}

/** A delay is asserted only when it hits at least this share of requests; rarer ones are noise. */
const MIN_ASSERTED_PROBABILITY = 0.1;
/** Share of an injected delay or error rate a phase must show: room for timer and sampling slack. */
const EXPECTED_SHARE = 0.95;
const ERROR_SHARE = 0.9;
const REPORT_ONLY = { duration: 'max>=0', rate: 'rate>=0', count: 'count>=0' };

/** Whether a threshold only makes k6 compute a sub-metric and can never fail. */
export function isReportOnly(expression: string): boolean {
  return Object.values(REPORT_ONLY).includes(expression);
}

export function buildThresholds(plan: ThresholdPlan): Record<string, Threshold[]> {
  const thresholds: Record<string, Threshold[]> = {
    dropped_iterations: [plan.expectations ? `count<=${plan.droppedAllowed}` : REPORT_ONLY.count],
  };
  const health = (expression: string): Threshold =>
    plan.abortOnFail ? { threshold: expression, abortOnFail: true, delayAbortEval: '10s' } : expression;

  for (const phase of plan.phases) {
    const tag = `{phase:${phase.name}}`;
    const faults = phase.faults.filter(affectsDiceRoute);
    const failingShare = Math.min(
      1,
      faults.filter((f) => f.type === 'error' || f.type === 'abort').reduce((sum, f) => sum + f.probability, 0),
    );
    const slowing = faults.some((f) => f.type === 'latency' || f.type === 'cpu');

    const duration: Threshold[] = [];
    const failed: Threshold[] = [];
    const checks: Threshold[] = [];
    if (plan.expectations) {
      for (const fault of faults) {
        if (fault.type !== 'latency' || fault.delayMs === 0) continue;
        // Counted as if failed requests were answered before any delay (the smallest share
        // delayed), which holds whichever order the app applies its faults in.
        const delayedShare = fault.probability * (1 - failingShare);
        if (delayedShare < MIN_ASSERTED_PROBABILITY) continue;
        // Delayed requests are the slowest `delayedShare`; their median sits at this quantile.
        const quantile = round(100 * (1 - delayedShare / 2), 1);
        duration.push(`p(${quantile})>=${round(EXPECTED_SHARE * fault.delayMs, 3)}`);
      }
      if (!slowing) duration.push(health(`p(50)<${plan.budget.p50Ms}`), health(`p(95)<${plan.budget.p95Ms}`));
      if (failingShare > 0) {
        failed.push(`rate>=${round(ERROR_SHARE * failingShare, 3)}`);
      } else {
        failed.push(health('rate<0.01'));
        checks.push('rate>0.99');
      }
    }
    thresholds[`http_reqs${tag}`] = [plan.expectations ? 'count>0' : REPORT_ONLY.count];
    thresholds[`http_req_duration${tag}`] = duration.length ? duration : [REPORT_ONLY.duration];
    thresholds[`http_req_failed${tag}`] = failed.length ? failed : [REPORT_ONLY.rate];
    thresholds[`checks${tag}`] = checks.length ? checks : [REPORT_ONLY.rate];
  }
  return thresholds;
}

/** Trend stats the summary must carry so every percentile a threshold names is reported. */
export function trendStatsFor(thresholds: Record<string, Threshold[]>, base: string[]): string[] {
  const stats = new Set(base);
  for (const threshold of Object.values(thresholds).flat()) {
    const expression = typeof threshold === 'string' ? threshold : threshold.threshold;
    for (const [stat] of expression.matchAll(/p\([\d.]+\)/g)) stats.add(stat);
  }
  return [...stats];
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
