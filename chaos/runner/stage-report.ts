// Stage 6, report: the run's result (result.json's shape), the dashboards drawn from
// Prometheus, and the report files, written whatever the verdict, aborted runs included.
import { relative } from 'node:path';
import { drawRunDashboards } from '../dashboards/run-pages';
import type { RunResult } from '../report/result-schema';
import { writeReport } from '../report/write-report';
import type { Journal } from './journal';
import type { Progress } from './progress';
import { runnerFigures } from './load-split';
import type { Evidence } from './stage-gather';
import type { Judgement } from './stage-judge';
import type { LoadResult } from './stage-load';
import type { RunPlan } from './stage-plan';
import type { Target } from './stage-target';

export interface ReportInput {
  run: RunPlan;
  experimentFile: string;
  quick: boolean;
  /** null when the run stopped before its target was up; then `given` is what was asked for. */
  target: Target | null;
  given: { app?: string; prometheus?: string };
  load: LoadResult;
  evidence: Evidence;
  judgement: Judgement;
  /** false: no dashboard pages (`--no-dashboards`). */
  dashboards: boolean;
  journal: Journal;
  progress: Progress;
}

export async function reportStage(input: ReportInput): Promise<RunResult> {
  const { run, target, load, evidence, judgement, journal } = input;
  const { experiment } = run;
  if (!load.killSwitch.cleared)
    input.progress.message(
      `roque: the final kill switch failed (${load.killSwitch.error}): faults may still be active until their TTL`,
    );
  const finishedAt = Date.now();
  const result: RunResult = {
    schemaVersion: 1,
    runId: run.runId,
    experiment: { name: experiment.name, description: experiment.description, file: input.experimentFile },
    quick: input.quick,
    status: judgement.status,
    abortReason: judgement.abortReason,
    startedAt: new Date(run.startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    wallSeconds: (finishedAt - run.startedAt) / 1000,
    target: target
      ? {
          app: target.app,
          prometheus: target.prometheus.url,
          startedLocally: target.startedLocally,
          ...(target.replicas.length > 1 ? { replicas: target.replicas } : {}),
        }
      : {
          app: input.given.app ?? 'not started',
          prometheus: input.given.prometheus ?? 'not started',
          startedLocally: !input.given.app,
        },
    load: {
      scenario: experiment.load.scenario,
      rate: experiment.load.rate,
      k6ExitCode: load.k6?.exitCode ?? null,
      k6Meaning: load.k6?.meaning ?? null,
      ...(run.loadRunners.length > 1
        ? {
            runners: runnerFigures(
              run.loadRunners,
              load.runnerOutcomes,
              experiment.load.rate,
              evidence.requests,
              evidence.dropped,
            ),
          }
        : {}),
    },
    phases: evidence.phaseResults,
    checks: judgement.verdict.checks,
    detection: judgement.verdict.detection,
    alerts: evidence.episodes.map((e) => ({
      alert: e.alert,
      firedAt: new Date(e.firedAt).toISOString(),
      resolvedAt: e.resolvedAt === null ? null : new Date(e.resolvedAt).toISOString(),
    })),
    series: evidence.series,
    files: {
      raw: evidence.rawGz ? relative(run.runDir, evidence.rawGz) : null,
      k6Summary: load.k6?.summaryFile ? relative(run.runDir, load.k6.summaryFile) : null,
      journal: 'journal.ndjson',
    },
    killSwitch: load.killSwitch,
  };
  if (input.dashboards && target) await drawRunDashboards(run.runDir, target.prometheus, result, journal);
  writeReport(run.runDir, result);
  journal.write('run.end', {
    status: judgement.status,
    exitCode: judgement.exitCode,
    checks: judgement.verdict.checks.map((c) => ({ name: c.name, passed: c.passed })),
  });
  return result;
}
