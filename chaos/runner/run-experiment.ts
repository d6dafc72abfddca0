// `roque run`: one experiment from file to verdict, as six stages, each in its own module:
// plan (stage-plan.ts) → target (stage-target.ts) → load (stage-load.ts) → gather
// (stage-gather.ts) → judge (stage-judge.ts) → report (stage-report.ts). Every fault is
// reverted on any exit; everything started here is stopped, by this process or, if it dies,
// by its watchdog. One run at a time per reports folder (a lock). It fails closed: every
// check of the experiment is in the verdict, and one without its evidence fails saying why;
// the app, Prometheus or k6 stopping early, or a signal, aborts the run (exit 2, or
// 130/143/129) with the raw results kept and the report written from what was gathered.
import { join } from 'node:path';
import { guardedChildren, stopGuardedChildren } from '../local/processes';
import { watchdogJournal } from '../local/watchdog';
import type { RunResult } from '../report/result-schema';
import type { RuleSelection } from '../stack/prometheus-config';
import { Journal } from './journal';
import { Progress, type ProgressOut } from './progress';
import { RunControl } from './run-control';
import { gatherStage } from './stage-gather';
import { judgeStage } from './stage-judge';
import { loadStage } from './stage-load';
import { planStage } from './stage-plan';
import { reportStage } from './stage-report';
import { targetStage, type Target } from './stage-target';

export { RunSetupError } from './exit-codes';

export interface RunOptions {
  file: string;
  quick: boolean;
  /** App base URL; with `prometheus`, runs against an existing target instead of starting one. */
  target?: string;
  prometheus?: string;
  adminToken?: string;
  /** A service on loopback to run the experiment against, behind the fault proxy (see upstream-target.ts). */
  upstream?: string;
  reportsDir: string;
  /** false: no dashboard pages and no k6 web dashboard (`--no-dashboards`). */
  dashboards?: boolean;
  /** The rule files the local Prometheus loads (default: Roque's); checked by the caller. */
  rules?: RuleSelection;
  /** Where the live progress goes (default stderr). */
  progressOut?: ProgressOut;
  /** k6 processes the load is split across by execution segments (default 1). */
  runners?: number;
  /** App replicas started locally, sharing faults through a local Redis (default: the experiment's load.replicas, else 1). */
  replicas?: number;
}

export interface RunOutcome {
  result: RunResult;
  runDir: string;
  exitCode: number;
}

export async function runExperiment(options: RunOptions): Promise<RunOutcome> {
  // What a caller started before this run (a matrix's shared stack) outlives it.
  const startedBefore = guardedChildren();
  const run = planStage({
    file: options.file,
    quick: options.quick,
    reportsDir: options.reportsDir,
    runners: options.runners,
    replicas: options.replicas,
    targetGiven: Boolean(options.target ?? options.prometheus),
  });
  const { experiment, plan } = run;
  const journal = new Journal(join(run.runDir, 'journal.ndjson'));
  // From here on, whatever this process starts is stopped, and its faults cleared, even if it dies.
  watchdogJournal(journal.file);
  const progress = new Progress(options.progressOut);
  journal.write('run.start', { runId: run.runId, file: options.file, quick: options.quick, phases: plan.phases });
  const control = new RunControl(journal, progress);
  // Whatever was still starting when the run was interrupted; stopped last.
  control.atEnd(() => stopGuardedChildren(startedBefore));
  control.listen();
  const dashboards = options.dashboards !== false;
  const given = { app: options.target, prometheus: options.prometheus, adminToken: options.adminToken };
  try {
    progress.message(
      `roque: ${experiment.name}${options.quick ? ' (quick)' : ''}: ${plan.phases.map((p) => `${p.name} ${p.durationMs / 1000}s`).join(' → ')}`,
    );
    if (experiment.stack === 'own' && (given.app || given.prometheus))
      progress.message(
        `roque: ${experiment.name} asks for a stack of its own (stack: own): the given Prometheus's windows also hold what came before this run`,
      );
    // Ctrl-C while the stack starts ends the run at once, with its report.
    const target: Target | null = await targetStage(
      {
        experiment,
        experimentFile: options.file,
        given,
        upstream: options.upstream,
        replicas: options.replicas,
        rules: options.rules,
        journal,
        progress,
      },
      control.stopLoad.signal,
    );
    if (target) control.atEnd(() => target.stop());
    const load = await loadStage({ run, target, dashboards, control, journal, progress });
    const evidence = await gatherStage({
      plan,
      target,
      load,
      stopped: control.stoppedBy !== null,
      hurry: control.hurry.signal,
      journal,
      progress,
    });
    const judgement = judgeStage({ plan, evidence, load, stoppedBy: control.stoppedBy });
    const result = await reportStage({
      run,
      experimentFile: options.file,
      quick: options.quick,
      target,
      given,
      load,
      evidence,
      judgement,
      dashboards,
      journal,
      progress,
    });
    return { result, runDir: run.runDir, exitCode: judgement.exitCode };
  } catch (error) {
    journal.write('run.error', { error: (error as Error).message });
    throw error;
  } finally {
    progress.finish();
    await control.revert('run ended');
    await control.end();
    run.lock.release();
  }
}
