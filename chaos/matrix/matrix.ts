// The coverage matrix: what kind of trouble (fault type, or a traffic change) × which alert,
// over every repeat of every experiment. Built from the runs' result.json files and the
// plans they ran; pure, so it is tested with fakes.
import { detectionBounds } from './detection-floor';
import { FAULT_TYPES } from '../contract/faults';
import type { ExperimentPlan, PlannedPhase } from '../experiment/plan';
import type { RunResult } from '../report/result-schema';
import type { AlertRule } from './rule-files';

/** What a phase does to the service: the types of its faults, and `traffic` when its rate changes. */
export type Disturbance = string;
export const TRAFFIC = 'traffic';

/** The fault types each golden signal is meant to see; an alert without a known signal may see anything. */
const SIGNAL_COVERS: Record<string, Disturbance[]> = {
  latency: ['latency', 'cpu'],
  errors: ['error', 'abort'],
  availability: ['health', 'cpu', 'error', 'abort'],
  saturation: ['cpu', 'memory'],
  traffic: [TRAFFIC, 'cpu'],
  injected: [...FAULT_TYPES],
};

/** An alert that begins this soon after a phase that disturbed what it reads is that phase's after-effect, not a false alarm. */
export const AFTER_EFFECT_MS = 45_000;

/** The model of chaos/matrix/detection-floor.ts at Roque's 5 s scrape and rule interval, 1 s polls, half the window faulty. */
const FLOOR_SETTINGS = { scrapeSeconds: 5, ruleIntervalSeconds: 5, pollSeconds: 1, requiredFaultShare: 0.5 };

export interface MatrixRun {
  file: string;
  plan: ExperimentPlan;
  repeat: number;
  /** null: the run did not produce a result (it could not start); its detections count as missed. */
  result: RunResult | null;
  /** Why there is no result. */
  error: string | null;
  /** The run folder, relative to the matrix folder (for links). */
  link: string | null;
  /** Why it ran on a stack of its own (run-matrix.ts ownStackReason); null: on the shared stack. */
  ownStack: string | null;
}

export interface CellObservation {
  experiment: string;
  phase: string;
  repeat: number;
  runId: string | null;
  link: string | null;
  held: boolean;
  timeToDetectSeconds: number | null;
  timeToResolveSeconds: number | null;
}

export interface Spread {
  min: number | null;
  /** null when half or more of the repeats missed: a miss counts as slower than any detection. */
  median: number | null;
  /** null when any repeat missed. */
  max: number | null;
  misses: number;
}

export interface MatrixCell {
  disturbance: Disturbance;
  alert: string;
  signal: string | null;
  expected: number;
  held: number;
  fired: number;
  timeToDetect: Spread;
  timeToResolve: Spread;
  /** The least time to detect any fault, however large: the rule's `for`; null when the alert is not in the loaded rules. */
  floorSeconds: number | null;
  /**
   * The least time to detect a fault at twice the threshold (half the window must be faulty
   * first, chaos/matrix/detection-floor.ts); a larger fault can be seen sooner, down to floorSeconds.
   */
  floorAtTwiceThresholdSeconds: number | null;
  observations: CellObservation[];
}

export interface FalseAlert {
  alert: string;
  experiment: string;
  phase: string;
  repeat: number;
  link: string | null;
  firedAt: string;
  /** What was disturbed at the time, none of which the alert is meant to see. */
  active: Disturbance[];
}

export interface MatrixResult {
  schemaVersion: 1;
  id: string;
  quick: boolean;
  repeat: number;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  /** Which rule files were loaded: Roque's (but `skipped`, which no Prometheus of the matrix loaded), and the user's. */
  rules: { roque: boolean; skipped: string[]; user: string[] };
  /** Experiments of the library that need a stack of their own, left out because --target/--prometheus gave one. */
  leftOut: { experiment: string; reason: string }[];
  alerts: {
    alert: string;
    signal: string | null;
    forSeconds: number;
    windowSeconds: number | null;
    floorSeconds: number;
    floorAtTwiceThresholdSeconds: number;
  }[];
  cells: MatrixCell[];
  falseAlerts: FalseAlert[];
  runs: {
    experiment: string;
    file: string;
    repeat: number;
    runId: string | null;
    status: string;
    link: string | null;
    wallSeconds: number | null;
    error: string | null;
    ownStack: string | null;
  }[];
  /** Every expected detection held in every repeat, and every run produced a result. */
  passed: boolean;
  /** The cells that did not hold every time, as `disturbance × alert (held/expected)`. */
  failures: string[];
}

/** The disturbances of a phase: its fault types, and traffic when its rate differs from the phase before. */
export function disturbancesOf(phase: PlannedPhase, previous: PlannedPhase | undefined): Disturbance[] {
  const kinds = [...new Set(phase.faults.map((f) => f.type as string))];
  if (previous && previous.rate !== phase.rate) kinds.push(TRAFFIC);
  return kinds;
}

/** With a fault far past the threshold the first scrape after it shows it: nothing but `for` is left. */
export function floorSeconds(rule: Pick<AlertRule, 'forSeconds'>): number {
  return rule.forSeconds;
}

/** With a fault at twice the threshold half the window's span must be faulty first, then `for` runs. */
export function floorAtTwiceThresholdSeconds(rule: Pick<AlertRule, 'forSeconds' | 'windowSeconds'>): number {
  if (rule.windowSeconds === null || rule.windowSeconds < 2 * FLOOR_SETTINGS.scrapeSeconds) return rule.forSeconds;
  return detectionBounds({ ...FLOOR_SETTINGS, windowSeconds: rule.windowSeconds, forSeconds: rule.forSeconds }).fire
    .min;
}

/** Misses count as +∞: they are never dropped, they push the median and the maximum out. */
export function spread(values: (number | null)[]): Spread {
  const misses = values.filter((v) => v === null).length;
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
  const mid = sorted.length / 2;
  const median =
    sorted.length === 0 ? undefined : sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: finite(sorted[0]), median: finite(median), max: finite(sorted.at(-1)), misses };
}

export function buildMatrix(
  runs: MatrixRun[],
  rules: AlertRule[],
  meta: Pick<
    MatrixResult,
    'id' | 'quick' | 'repeat' | 'startedAt' | 'finishedAt' | 'wallSeconds' | 'rules' | 'leftOut'
  >,
): MatrixResult {
  const ruleOf = new Map(rules.map((r) => [r.alert, r]));
  const cells = new Map<string, MatrixCell>();
  const cellFor = (disturbance: Disturbance, alert: string): MatrixCell => {
    const key = `${disturbance}\u0000${alert}`;
    let cell = cells.get(key);
    if (!cell) {
      const rule = ruleOf.get(alert);
      cell = {
        disturbance,
        alert,
        signal: rule?.signal ?? null,
        expected: 0,
        held: 0,
        fired: 0,
        timeToDetect: spread([]),
        timeToResolve: spread([]),
        floorSeconds: rule ? floorSeconds(rule) : null,
        floorAtTwiceThresholdSeconds: rule ? floorAtTwiceThresholdSeconds(rule) : null,
        observations: [],
      };
      cells.set(key, cell);
    }
    return cell;
  };

  const falseAlerts: FalseAlert[] = [];
  for (const run of runs) {
    const { plan, result } = run;
    const detections = plan.checks.filter((c) => c.kind === 'detection');
    detections.forEach((check, i) => {
      const index = plan.phases.findIndex((p) => p.name === check.phase);
      const disturbance = disturbancesOf(plan.phases[index], plan.phases[index - 1]).join('+') || 'none';
      const cell = cellFor(disturbance, check.alert);
      const verdict = result?.checks.filter((c) => c.kind === 'detection')[i];
      const measured = result?.detection[i];
      const observation: CellObservation = {
        experiment: plan.experiment.name,
        phase: check.phase,
        repeat: run.repeat,
        runId: result?.runId ?? null,
        link: run.link,
        held: verdict?.passed ?? false,
        timeToDetectSeconds: measured?.timeToDetectSeconds ?? null,
        timeToResolveSeconds: measured?.timeToResolveSeconds ?? null,
      };
      cell.expected += 1;
      cell.held += Number(observation.held);
      cell.fired += Number(observation.timeToDetectSeconds !== null);
      cell.observations.push(observation);
    });
    if (result) falseAlerts.push(...falseAlertsOf(run, result, ruleOf));
  }

  for (const cell of cells.values()) {
    cell.timeToDetect = spread(cell.observations.map((o) => o.timeToDetectSeconds));
    cell.timeToResolve = spread(cell.observations.map((o) => o.timeToResolveSeconds));
  }
  const sorted = [...cells.values()].sort(
    (a, b) => a.disturbance.localeCompare(b.disturbance) || a.alert.localeCompare(b.alert),
  );
  const failures = sorted
    .filter((c) => c.held < c.expected)
    .map((c) => `${c.disturbance} × ${c.alert} (${c.held}/${c.expected})`);
  const missing = runs.filter((r) => !r.result);
  return {
    schemaVersion: 1,
    ...meta,
    alerts: rules.map((r) => ({
      alert: r.alert,
      signal: r.signal,
      forSeconds: r.forSeconds,
      windowSeconds: r.windowSeconds,
      floorSeconds: floorSeconds(r),
      floorAtTwiceThresholdSeconds: floorAtTwiceThresholdSeconds(r),
    })),
    cells: sorted,
    falseAlerts,
    runs: runs.map((r) => ({
      experiment: r.plan.experiment.name,
      file: r.file,
      repeat: r.repeat,
      runId: r.result?.runId ?? null,
      status: r.result?.status ?? 'error',
      link: r.link,
      wallSeconds: r.result?.wallSeconds ?? null,
      error: r.error,
      ownStack: r.ownStack,
    })),
    passed: failures.length === 0 && missing.length === 0 && runs.length > 0,
    failures: [
      ...failures,
      ...missing.map((r) => `${r.plan.experiment.name} (repeat ${r.repeat}) produced no result: ${r.error}`),
    ],
  };
}

/**
 * Alerts that began while nothing they are meant to see was disturbed: in the phase they
 * began in, or in a phase that ended less than AFTER_EFFECT_MS before. Alerts that begin
 * after the load ended are left out (the load stopping is itself a traffic drop).
 */
function falseAlertsOf(run: MatrixRun, result: RunResult, ruleOf: Map<string, AlertRule>): FalseAlert[] {
  const phases = result.phases.map((p, i) => ({
    name: p.name,
    start: Date.parse(p.start),
    end: Date.parse(p.end),
    kinds: disturbancesOf(run.plan.phases[i], run.plan.phases[i - 1]),
  }));
  if (!phases.length) return [];
  const loadEnd = Math.max(...phases.map((p) => p.end));
  return result.alerts.flatMap((episode) => {
    const t = Date.parse(episode.firedAt);
    if (t > loadEnd) return [];
    const rule = ruleOf.get(episode.alert);
    const covers = rule?.signal ? SIGNAL_COVERS[rule.signal] : undefined;
    if (!covers) return [];
    const phase = phases.find((p) => t >= p.start && t < p.end) ?? phases[0];
    const active = [
      ...new Set(phases.filter((p) => p.start <= t && t < p.end + AFTER_EFFECT_MS).flatMap((p) => p.kinds)),
    ];
    if (active.some((kind) => covers.includes(kind))) return [];
    return [
      {
        alert: episode.alert,
        experiment: result.experiment.name,
        phase: phase.name,
        repeat: run.repeat,
        link: run.link,
        firedAt: episode.firedAt,
        active,
      },
    ];
  });
}
