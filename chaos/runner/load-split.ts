// A split load (`roque run --runners N`): N k6 processes, each running its execution segment
// of the same script, as the k6-operator runs `parallelism` pods. k6 splits every arrival rate
// and VU count by the segments, so the runners' rates sum to the experiment's; each runner is
// tagged with its instance_id (the operator's tag, 1-based) and writes its own raw file. Only
// the first runner switches faults: the switch scenario's single VU falls in the first
// segment, and the others are told FAULT_SWITCH=off so they never call the admin API.
import { ensureBundles, runK6, type K6RunOptions, type K6RunResult } from '../k6/k6-runner';
import { K6_TAGS } from '../contract/metrics';
import type { DroppedSample, RequestSample } from './raw-results';
import { K6_COMPLETE_EXITS } from './run-status';

export const MAX_RUNNERS = 16;

export interface LoadRunner {
  /** 1-based, as the k6-operator numbers its runners. */
  instanceId: string;
  /** `--execution-segment`, e.g. `1/3:2/3`. */
  segment: string;
  /** Its share of every rate, 0..1. */
  share: number;
  switchesFaults: boolean;
}

export interface RunnerOutcome extends LoadRunner {
  result: K6RunResult;
  /** When it exited, ms since the epoch. */
  exitedAt: number;
}

const fraction = (i: number, n: number) => (i === 0 ? '0' : i === n ? '1' : `${i}/${n}`);

/** `0,1/n,…,1`: the segments every runner must agree on. */
export function segmentSequence(runners: number): string {
  return Array.from({ length: runners + 1 }, (_, i) => fraction(i, runners)).join(',');
}

/** The runners of a load split `runners` ways (1: one runner, no segments). */
export function splitLoad(runners: number): LoadRunner[] {
  if (!Number.isInteger(runners) || runners < 1 || runners > MAX_RUNNERS)
    throw new Error(`runners must be a whole number from 1 to ${MAX_RUNNERS} (got ${runners})`);
  return Array.from({ length: runners }, (_, i) => ({
    instanceId: String(i + 1),
    segment: `${fraction(i, runners)}:${fraction(i + 1, runners)}`,
    share: 1 / runners,
    switchesFaults: i === 0,
  }));
}

/** k6 options for one runner of `runners`, around the options every runner shares. */
export function runnerK6Options(
  shared: K6RunOptions,
  runner: LoadRunner,
  runners: number,
  rawOutputFile: string,
  summaryDir: string,
): K6RunOptions {
  if (runners === 1) return { ...shared, rawOutputFile, summaryDir };
  return {
    ...shared,
    rawOutputFile,
    summaryDir,
    tags: { ...shared.tags, [K6_TAGS.instance]: runner.instanceId },
    extraArgs: [
      ...(shared.extraArgs ?? []),
      '--execution-segment',
      runner.segment,
      '--execution-segment-sequence',
      segmentSequence(runners),
    ],
    env: { ...shared.env, FAULT_SWITCH: runner.switchesFaults ? 'on' : 'off' },
    // One web dashboard is enough, and each costs its k6 CPU.
    webDashboardExport: runner.switchesFaults ? shared.webDashboardExport : undefined,
  };
}

/**
 * Runs every runner at once. With more than one, each that ends early (an exit other than 0
 * or 99) is reported through `onRunnerLost` while the others may still run, so the run can stop them.
 */
export async function runSplitLoad(
  runners: LoadRunner[],
  optionsOf: (runner: LoadRunner) => K6RunOptions,
  onRunnerLost: (runner: RunnerOutcome) => void,
): Promise<RunnerOutcome[]> {
  // Once, before the runners start: runners building the same bundles at once would race.
  ensureBundles();
  return Promise.all(
    runners.map(async (runner) => {
      const result = await runK6(optionsOf(runner));
      const outcome = { ...runner, result, exitedAt: Date.now() };
      if (runners.length > 1 && !K6_COMPLETE_EXITS.includes(result.exitCode)) onRunnerLost(outcome);
      return outcome;
    }),
  );
}

/**
 * The runners' outcomes as one k6 result for the run's status: the first runner that ended
 * early, named, or else one whose thresholds failed, or else the first.
 */
export function combinedK6Result(outcomes: RunnerOutcome[]): K6RunResult {
  if (outcomes.length === 1) return outcomes[0].result;
  const early = outcomes
    .filter((o) => !K6_COMPLETE_EXITS.includes(o.result.exitCode))
    .sort((a, b) => a.exitedAt - b.exitedAt)[0];
  const chosen = early ?? outcomes.find((o) => o.result.exitCode !== 0) ?? outcomes[0];
  return {
    ...outcomes[0].result,
    exitCode: chosen.result.exitCode,
    meaning: `runner ${chosen.instanceId} of ${outcomes.length}: ${chosen.result.meaning}`,
  };
}

export interface RunnerFigures {
  instanceId: string;
  segment: string;
  /** The experiment's rate times its share: what k6 ran it at, requests/s. */
  rate: number;
  switchesFaults: boolean;
  k6ExitCode: number | null;
  k6Meaning: string | null;
  requests: number;
  failedRequests: number;
  droppedIterations: number;
}

/** Each runner's share of the merged raw results (by instance_id). */
export function runnerFigures(
  runners: LoadRunner[],
  outcomes: RunnerOutcome[] | null,
  rate: number,
  requests: RequestSample[],
  dropped: DroppedSample[],
): RunnerFigures[] {
  return runners.map((runner) => {
    const mine = requests.filter((r) => r.instance === runner.instanceId);
    const outcome = outcomes?.find((o) => o.instanceId === runner.instanceId);
    return {
      instanceId: runner.instanceId,
      segment: runner.segment,
      rate: rate * runner.share,
      switchesFaults: runner.switchesFaults,
      k6ExitCode: outcome?.result.exitCode ?? null,
      k6Meaning: outcome?.result.meaning ?? null,
      requests: mine.length,
      failedRequests: mine.filter((r) => r.failed).length,
      droppedIterations: dropped.filter((d) => d.instance === runner.instanceId).reduce((sum, d) => sum + d.count, 0),
    };
  });
}
