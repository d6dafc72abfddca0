// The load profiles, in one place: each is an arrival-rate shape (open model) scaled by
// RATE and DURATION, a latency budget and how its thresholds behave.
import type { Options, Scenario } from 'k6/options';
import { k6Duration } from './duration';
import { scenarioOptions } from './options';
import type { Settings } from './settings';
import { sizeVUs } from './sizing';
import { buildThresholds, type LatencyBudget } from './thresholds';

export const PROFILE_NAMES = ['smoke', 'average', 'stress', 'spike', 'soak', 'breakpoint'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** One ramping stage: a share of the run's duration, and the share of RATE reached at its end. */
type Stage = [durationShare: number, rateShare: number];

interface Profile {
  /** Peak iterations per second, unless RATE says otherwise. */
  rate: number;
  /** Seconds, unless DURATION says otherwise. */
  durationSeconds: number;
  budget: LatencyBudget;
  /** Constant rate, or stages from `startShare` of RATE. */
  shape: 'constant' | { startShare: number; stages: Stage[] };
  /** Stop at the first failed health threshold: the breakpoint is where it fails. */
  abortOnFail?: boolean;
}

const RAMP_HOLD_RAMP: Profile['shape'] = {
  startShare: 0,
  stages: [
    [0.1, 1],
    [0.8, 1],
    [0.1, 0],
  ],
};

export const PROFILES: Record<ProfileName, Profile> = {
  // Does it work at all: a trickle, strict budget.
  smoke: { rate: 2, durationSeconds: 10, budget: { p50Ms: 50, p95Ms: 200 }, shape: 'constant' },
  // A normal day.
  average: { rate: 20, durationSeconds: 60, budget: { p50Ms: 50, p95Ms: 300 }, shape: RAMP_HOLD_RAMP },
  // Well above a normal day, held.
  stress: { rate: 100, durationSeconds: 120, budget: { p50Ms: 100, p95Ms: 500 }, shape: RAMP_HOLD_RAMP },
  // A tenth of RATE, a sudden surge to RATE, back down, and time to recover.
  spike: {
    rate: 200,
    durationSeconds: 60,
    budget: { p50Ms: 200, p95Ms: 1000 },
    shape: {
      startShare: 0.1,
      stages: [
        [0.4, 0.1],
        [0.05, 1],
        [0.15, 1],
        [0.05, 0.1],
        [0.35, 0.1],
      ],
    },
  },
  // A normal day, for long: leaks and slow drifts.
  soak: { rate: 20, durationSeconds: 1800, budget: { p50Ms: 50, p95Ms: 300 }, shape: RAMP_HOLD_RAMP },
  // Ever more load until a health threshold fails.
  breakpoint: {
    rate: 500,
    durationSeconds: 600,
    budget: { p50Ms: 100, p95Ms: 500 },
    shape: { startShare: 0, stages: [[1, 1]] },
    abortOnFail: true,
  },
};

/** Share of the planned iterations k6 may drop before a run fails. */
const DROPPED_SHARE_ALLOWED = 0.01;

export interface ProfilePlan {
  options: Options;
  /** The single phase of a profile run: the profile's name, tagged on every request. */
  phase: { name: ProfileName; startSeconds: 0; durationSeconds: number; faults: [] };
}

export function profilePlan(name: ProfileName, settings: Settings): ProfilePlan {
  const profile = PROFILES[name];
  const rate = settings.rate ?? profile.rate;
  const durationSeconds = settings.durationSeconds ?? profile.durationSeconds;
  const budget = {
    p50Ms: settings.p50BudgetMs ?? profile.budget.p50Ms,
    p95Ms: settings.p95BudgetMs ?? profile.budget.p95Ms,
  };
  const sizing = sizeVUs(rate, settings.maxLatencyMs ?? budget.p95Ms);
  const perSecond = (share: number) => (share === 0 ? 0 : Math.max(1, Math.round(share * rate)));

  let scenario: Scenario;
  let plannedIterations: number;
  if (profile.shape === 'constant') {
    scenario = {
      executor: 'constant-arrival-rate',
      rate: perSecond(1),
      timeUnit: '1s',
      duration: k6Duration(durationSeconds),
      ...sizing,
    };
    plannedIterations = perSecond(1) * durationSeconds;
  } else {
    const { startShare, stages: shares } = profile.shape;
    const rates = [startShare, ...shares.map(([, rateShare]) => rateShare)].map(perSecond);
    const stages = shares.map(([durationShare], i) => ({
      duration: k6Duration(durationShare * durationSeconds),
      target: rates[i + 1],
    }));
    scenario = { executor: 'ramping-arrival-rate', startRate: rates[0], timeUnit: '1s', stages, ...sizing };
    // Linear ramps: each stage runs at the mean of its two ends.
    plannedIterations = shares.reduce(
      (sum, [durationShare], i) => sum + ((rates[i] + rates[i + 1]) / 2) * durationShare * durationSeconds,
      0,
    );
  }

  const phase = { name, startSeconds: 0 as const, durationSeconds, faults: [] as [] };
  return {
    phase,
    options: scenarioOptions(
      settings,
      { [name]: { ...scenario, exec: 'roll', tags: { phase: name } } },
      buildThresholds({
        phases: [phase],
        budget,
        expectations: settings.phaseThresholds,
        droppedAllowed: Math.floor(DROPPED_SHARE_ALLOWED * plannedIterations),
        abortOnFail: profile.abortOnFail,
      }),
    ),
  };
}
