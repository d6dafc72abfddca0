// The run's status and exit code from how it ended: fail closed. A run stopped early, a k6
// that ended with a code other than 0 or 99, or load that stopped short of the plan is
// `aborted`; a final kill switch that did not succeed fails a run whose checks all held.
import type { CheckResult, RunResult } from '../report/result-schema';
import { EXIT, type RunError } from './exit-codes';

/** k6 exit codes that mean the load ran to its end: passed, thresholds failed. */
export const K6_COMPLETE_EXITS = [0, 99];

export interface RunEnding {
  /** The first cause that stopped the run early, with the exit code it gives. */
  abort: RunError | null;
  /** null when k6 never started. */
  k6: { exitCode: number; meaning: string } | null;
  /** One line per phase that did not run as planned (phaseShortfall). */
  shortfalls: string[];
  checks: CheckResult[];
  killSwitch: { cleared: boolean; error: string | null };
}

export interface RunStatus {
  status: RunResult['status'];
  abortReason: string | null;
  exitCode: number;
}

export function runStatus({ abort, k6, shortfalls, checks, killSwitch }: RunEnding): RunStatus {
  if (abort) return { status: 'aborted', abortReason: abort.message, exitCode: abort.exitCode };
  if (!k6) return { status: 'aborted', abortReason: 'k6 never started', exitCode: EXIT.aborted };
  if (!K6_COMPLETE_EXITS.includes(k6.exitCode)) {
    return {
      status: 'aborted',
      abortReason: `k6 ended early: exit ${k6.exitCode} (${k6.meaning})`,
      exitCode: EXIT.aborted,
    };
  }
  if (shortfalls.length)
    return {
      status: 'aborted',
      abortReason: `the load stopped short of the plan: ${shortfalls.join('; ')}`,
      exitCode: EXIT.aborted,
    };
  if (!killSwitch.cleared || !checks.every((c) => c.passed))
    return { status: 'failed', abortReason: null, exitCode: EXIT.failed };
  return { status: 'passed', abortReason: null, exitCode: EXIT.passed };
}
