// An experiment made concrete for one run: phase lengths for normal or quick mode, their
// offsets, each check's name and its expectations filled in from what the phases inject.
import type { FaultSpec } from '../contract/faults';
import { formatDuration } from '../contract/duration';
import { coversRoute, LOADED_ROUTE } from '../contract/routes';
import type { Check, Experiment } from './schema';

export interface PlannedPhase {
  name: string;
  /** Offset from the start of the load, ms. */
  startMs: number;
  durationMs: number;
  /** Requests per second: the phase's own, or the experiment's. */
  rate: number;
  faults: FaultSpec[];
}

export type PlannedCheck = Check & { name: string };

export interface ExperimentPlan {
  experiment: Experiment;
  quick: boolean;
  phases: PlannedPhase[];
  checks: PlannedCheck[];
  totalMs: number;
}

/** The least a phase lasts in quick mode: fewer seconds give too few samples for a verdict. */
export const MIN_QUICK_PHASE_MS = 10_000;

export function planExperiment(experiment: Experiment, quick: boolean): ExperimentPlan {
  let startMs = 0;
  const phases = experiment.phases.map((phase): PlannedPhase => {
    const durationMs = quick
      ? (phase.quickDuration ??
        Math.min(
          phase.duration,
          Math.max(MIN_QUICK_PHASE_MS, Math.round((phase.duration * experiment.quickScale) / 1000) * 1000),
        ))
      : phase.duration;
    const planned = {
      name: phase.name,
      startMs,
      durationMs,
      rate: phase.rate ?? experiment.load.rate,
      faults: phase.faults,
    };
    startMs += durationMs;
    return planned;
  });
  const first = phases[0].name;
  const checks = experiment.checks.map((check): PlannedCheck => {
    const phase = phases.find((p) => p.name === check.phase)!;
    const withBaseline =
      check.kind === 'fidelity' || check.kind === 'recovery' ? { ...check, baseline: check.baseline ?? first } : check;
    return { ...withBaseline, name: check.name ?? defaultName(withBaseline, phase) } as PlannedCheck;
  });
  return { experiment, quick, phases, checks, totalMs: startMs };
}

/**
 * The delay every request to `/` (the route the load hits) gets in this phase, if any.
 * A fault with probability < 1 shifts the median by no simple amount: give the check an
 * explicit `expectedShiftMs` then.
 */
export function injectedDelayMs(phase: PlannedPhase): number | undefined {
  const latency = phase.faults.find((f) => f.type === 'latency' && coversRoute(f, LOADED_ROUTE));
  return latency?.type === 'latency' && latency.probability === 1 ? latency.delayMs : undefined;
}

/** The share of requests the phase makes fail (error and abort faults on `/`, independent). */
export function injectedErrorShare(phase: PlannedPhase): number | undefined {
  const failing = phase.faults.filter(
    (f) => (f.type === 'error' || f.type === 'abort') && coversRoute(f, LOADED_ROUTE),
  );
  if (!failing.length) return undefined;
  return 1 - failing.reduce((pass, f) => pass * (1 - f.probability), 1);
}

function defaultName(check: Check, phase: PlannedPhase): string {
  switch (check.kind) {
    case 'fidelity':
      return check.signal === 'latency'
        ? `${phase.name}: latency shift matches injected (${check.expectedShiftMs ?? injectedDelayMs(phase) ?? '?'} ms)`
        : `${phase.name}: error share matches injected (${pct(check.expectedShare ?? injectedErrorShare(phase))})`;
    case 'steady-state':
      return `${phase.name}: within SLO`;
    case 'detection':
      return `${phase.name}: ${check.alert} fires within ${formatDuration(check.firesWithin)}`;
    case 'quiet':
      return `${phase.name}: no alert fires`;
    case 'recovery':
      return `${phase.name}: back to baseline`;
  }
}

function pct(share: number | undefined): string {
  return share === undefined ? '?' : `${Number((share * 100).toFixed(2))}%`;
}
