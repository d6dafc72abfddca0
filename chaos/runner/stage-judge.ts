// Stage 5, judge: every check of the experiment against the evidence, then the run's status
// and exit code from how it ended. Fails closed: a check without its evidence fails saying
// why, and a run stopped early, or whose faults may still be active, has not passed.
import type { ExperimentPlan } from '../experiment/plan';
import { evaluateChecks, withServerFidelity, type Verdict } from './evaluate';
import type { RunError } from './exit-codes';
import { phaseShortfall } from './phase-coverage';
import { runStatus, type RunStatus } from './run-status';
import { SEED, type Evidence } from './stage-gather';
import type { LoadResult } from './stage-load';

export interface JudgeInput {
  plan: ExperimentPlan;
  evidence: Evidence;
  load: Pick<LoadResult, 'k6' | 'killSwitch'>;
  /** The first reason the run stopped early, null when it ran as planned. */
  stoppedBy: RunError | null;
}

export interface Judgement extends RunStatus {
  verdict: Verdict;
}

export function judgeStage({ plan, evidence, load, stoppedBy }: JudgeInput): Judgement {
  const { phases, episodes, loadedAlerts, phaseResults } = evidence;
  const verdict = withServerFidelity(evaluateChecks(plan, phases, episodes, SEED, loadedAlerts), plan, phaseResults);
  const shortfalls = phases.map((p) => phaseShortfall(p, p.planned.rate)).filter((s) => s !== null);
  return {
    verdict,
    ...runStatus({ abort: stoppedBy, k6: load.k6, shortfalls, checks: verdict.checks, killSwitch: load.killSwitch }),
  };
}
