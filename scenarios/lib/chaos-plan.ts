// The chaos run as k6 scenarios: for every phase of the timeline one constant-arrival-rate
// scenario that starts when the phase starts and tags its requests with `phase`, and, for a
// phase with faults, a 1-VU "switch" scenario that turns them on at its start and off at its end.
// Split across runners (execution segments), k6 gives that one VU to the first segment only.
import type { Options, Scenario } from 'k6/options';
import { k6Duration } from './duration';
import { scenarioOptions } from './options';
import type { Settings } from './settings';
import { sizeVUs } from './sizing';
import { buildThresholds, type LatencyBudget } from './thresholds';
import { CONTROL_PHASE, type Phase } from './phase';
import { parseTimeline, slowestInjectedMs } from './timeline';

export const CHAOS_RATE = 20;
export const CHAOS_BUDGET: LatencyBudget = { p50Ms: 50, p95Ms: 250 };
/** What the service itself may take on top of an injected delay, for sizing VUs. */
const SERVICE_LATENCY_ALLOWANCE_MS = 100;
/** Time a switch scenario gets beyond its phase to remove its faults. */
const SWITCH_OFF_ALLOWANCE_SECONDS = 30;
/** Share of the planned iterations k6 may drop before a run fails. */
const DROPPED_SHARE_ALLOWED = 0.01;
const LOAD_PREFIX = 'load_';
const SWITCH_PREFIX = 'faults_';

export interface ChaosPlan {
  options: Options;
  phases: Phase[];
}

export function chaosPlan(settings: Settings): ChaosPlan {
  if (settings.durationSeconds !== undefined) throw new Error('chaos takes its durations from TIMELINE, not DURATION');
  const phases = parseTimeline(settings.timeline);
  const runRate = Math.max(1, Math.round(settings.rate ?? CHAOS_RATE));
  const rateOf = (phase: Phase) => phase.rate ?? runRate;
  const slowestMs = settings.maxLatencyMs ?? slowestInjectedMs(phases) + SERVICE_LATENCY_ALLOWANCE_MS;
  const plannedRequests = phases.reduce((sum, p) => sum + rateOf(p) * p.durationSeconds, 0);

  const scenarios: Record<string, Scenario> = {};
  for (const phase of phases) {
    scenarios[`${LOAD_PREFIX}${phase.name}`] = {
      executor: 'constant-arrival-rate',
      rate: rateOf(phase),
      timeUnit: '1s',
      duration: k6Duration(phase.durationSeconds),
      startTime: k6Duration(phase.startSeconds),
      gracefulStop: '10s',
      ...sizeVUs(rateOf(phase), slowestMs),
      exec: 'roll',
      tags: { phase: phase.name },
    };
    if (settings.faultSwitch && phase.faults.length > 0) {
      scenarios[`${SWITCH_PREFIX}${phase.name}`] = {
        executor: 'per-vu-iterations',
        vus: 1,
        iterations: 1,
        startTime: k6Duration(phase.startSeconds),
        maxDuration: k6Duration(phase.durationSeconds + SWITCH_OFF_ALLOWANCE_SECONDS),
        gracefulStop: '0s',
        exec: 'switchFaults',
        tags: { phase: CONTROL_PHASE },
      };
    }
  }
  return {
    phases,
    options: scenarioOptions(
      settings,
      scenarios,
      buildThresholds({
        phases,
        budget: {
          p50Ms: settings.p50BudgetMs ?? CHAOS_BUDGET.p50Ms,
          p95Ms: settings.p95BudgetMs ?? CHAOS_BUDGET.p95Ms,
        },
        expectations: settings.phaseThresholds,
        droppedAllowed: Math.floor(DROPPED_SHARE_ALLOWED * plannedRequests),
      }),
    ),
  };
}

/** The phase a switch scenario (by its name) turns faults on for. */
export function phaseOfSwitch(phases: Phase[], scenarioName: string): Phase {
  const phase = phases.find((p) => `${SWITCH_PREFIX}${p.name}` === scenarioName);
  if (!phase) throw new Error(`scenario "${scenarioName}" is not a fault switch of this timeline`);
  return phase;
}
