// Stage 3, load: the target armed (faults cleared, the watchdog told, Prometheus' alerts
// watched), k6 run with the experiment's timeline while a live line shows the phase and the
// abort conditions are checked, then the final kill switch, and the runners' raw files merged.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient } from '../admin/admin-client';
import { K6_DASHBOARD_FILE } from '../dashboards/run-pages';
import type { ExperimentPlan } from '../experiment/plan';
import type { K6RunOptions, K6RunResult } from '../k6/k6-runner';
import { faultsCleared, guardFaults } from '../local/watchdog';
import { AbortTracker } from './abort-conditions';
import { AlertWatcher } from './alert-watcher';
import { EXIT, RunError, RunSetupError } from './exit-codes';
import { FaultPlacements } from './fault-placements';
import type { Journal } from './journal';
import { LiveWindow } from './live-window';
import { combinedK6Result, runnerK6Options, runSplitLoad, type LoadRunner, type RunnerOutcome } from './load-split';
import type { Progress } from './progress';
import { K6_CSV_ENV, mergeRawFiles } from './raw-results';
import type { KillSwitch, RunControl } from './run-control';
import type { RunPlan } from './stage-plan';
import type { Target } from './stage-target';

const LIVE_WINDOW_MS = 5_000;
/** How long Prometheus may fail to answer before the run counts it as gone. */
const PROMETHEUS_LOST_AFTER_MS = 3_000;

export interface LoadInput {
  run: RunPlan;
  /** null when the run was stopped before its target was up: nothing is loaded. */
  target: Target | null;
  /** false: no k6 web dashboard (`--no-dashboards`). */
  dashboards: boolean;
  control: RunControl;
  journal: Journal;
  progress: Progress;
}

export interface LoadResult {
  /** null when k6 never started. */
  k6: K6RunResult | null;
  runnerOutcomes: RunnerOutcome[] | null;
  placements: FaultPlacements | null;
  /** When the load was started (the raw results' first request is the better clock). */
  loadStartedAt: number | null;
  /** Still watching: the gather stage waits for the last alerts with it, then stops it. */
  watcher: AlertWatcher | null;
  killSwitch: KillSwitch;
  /** k6/requests.csv, every runner's requests; it exists only when k6 wrote any. */
  rawFile: string;
}

export async function loadStage({
  run,
  target,
  dashboards,
  control,
  journal,
  progress,
}: LoadInput): Promise<LoadResult> {
  const rawFile = join(run.k6Dir, 'requests.csv');
  const files =
    run.loadRunners.length === 1
      ? [{ raw: rawFile, summaryDir: run.k6Dir }]
      : run.loadRunners.map((r) => ({
          raw: join(run.k6Dir, `requests-${r.instanceId}.csv`),
          summaryDir: join(run.k6Dir, `runner-${r.instanceId}`),
        }));
  let k6: K6RunResult | null = null;
  let runnerOutcomes: RunnerOutcome[] | null = null;
  let placements: FaultPlacements | null = null;
  let loadStartedAt: number | null = null;
  let watcher: AlertWatcher | null = null;
  if (target) {
    const app = target.app;
    const admin = new AdminClient({ target: app, token: target.adminToken });
    control.admin = admin;
    placements = new FaultPlacements(() => admin.list());
    guardFaults(app, target.adminToken);
    await admin.clear().catch((error: Error) => {
      throw new RunSetupError(`the admin API of ${app} refused the kill switch: ${error.message}`);
    });
    const alerts = new AlertWatcher(target.prometheus);
    watcher = alerts;
    alerts.start();
    control.atEnd(() => alerts.stop());
    target.watch(control.loseStack);
    const prometheusUrl = target.prometheus.url;
    const prometheusWatchdog = setInterval(() => {
      if (alerts.failingSince !== null && Date.now() - alerts.failingSince >= PROMETHEUS_LOST_AFTER_MS) {
        control.loseStack(`Prometheus at ${prometheusUrl} stopped answering mid-run (${alerts.lastError})`);
      }
    }, 500);
    try {
      if (!control.stoppedBy) {
        loadStartedAt = Date.now();
        runnerOutcomes = await runK6Load({
          plan: run.plan,
          target,
          runId: run.runId,
          runners: run.loadRunners,
          files,
          webDashboardExport: dashboards ? join(run.k6Dir, K6_DASHBOARD_FILE) : undefined,
          placements,
          watcher: alerts,
          control,
          journal,
          progress,
        });
        k6 = combinedK6Result(runnerOutcomes);
      }
    } finally {
      clearInterval(prometheusWatchdog);
    }
  }
  // The final kill switch: a run whose faults may still be active has not passed.
  const killSwitch = await control.revert('load finished');
  if (killSwitch.cleared && target) faultsCleared(target.app);
  if (run.loadRunners.length > 1) {
    const written = files.map((f) => f.raw).filter((file) => existsSync(file));
    if (written.length) await mergeRawFiles(written, rawFile);
    for (const file of written) rmSync(file);
  }
  return { k6, runnerOutcomes, placements, loadStartedAt, watcher, killSwitch, rawFile };
}

interface K6LoadInput {
  plan: ExperimentPlan;
  target: Target;
  runId: string;
  runners: LoadRunner[];
  files: { raw: string; summaryDir: string }[];
  webDashboardExport: string | undefined;
  placements: FaultPlacements;
  watcher: AlertWatcher;
  control: RunControl;
  journal: Journal;
  progress: Progress;
}

async function runK6Load(input: K6LoadInput): Promise<RunnerOutcome[]> {
  const { plan, target, runners, files, placements, watcher, control, journal, progress } = input;
  const live = new LiveWindow(files.map((f) => f.raw));
  const aborts = new AbortTracker(plan.experiment.abort);
  let loadStartedAt: number | null = null;
  const tick = setInterval(() => {
    const now = Date.now();
    live.poll(now);
    if (target.replicas.length > 1) placements.poll();
    const figures = live.figures(LIVE_WINDOW_MS, now);
    if (loadStartedAt === null && figures.requests > 0) loadStartedAt = now;
    if (loadStartedAt === null) return;
    const elapsedMs = now - loadStartedAt;
    const index = Math.max(
      0,
      plan.phases.findLastIndex((p) => p.startMs <= elapsedMs),
    );
    progress.update({
      phase: plan.phases[index].name,
      phaseIndex: index,
      phases: plan.phases.length,
      elapsedMs,
      totalMs: plan.totalMs,
      figures,
      firing: watcher.firing(),
    });
    const reason = aborts.check(figures, now);
    if (reason) control.abort(new RunError(reason, EXIT.failed));
  }, 1_000);
  const maxLatencyMs = plan.experiment.load.maxLatencyMs;
  const shared: K6RunOptions = {
    scenario: plan.experiment.load.scenario,
    testid: input.runId,
    summaryDir: files[0].summaryDir,
    prometheusUrl: target.prometheus.url,
    webDashboardExport: input.webDashboardExport,
    signal: control.stopLoad.signal,
    env: {
      ...K6_CSV_ENV,
      BASE_URL: target.app,
      ...(target.replicas.length > 1 ? { BASE_URLS: target.replicas.join(',') } : {}),
      CHAOS_ADMIN_TOKEN: target.adminToken,
      RATE: String(plan.experiment.load.rate),
      TIMELINE: JSON.stringify(
        plan.phases.map((p) => ({ name: p.name, duration: `${p.durationMs}ms`, rate: p.rate, faults: p.faults })),
      ),
      // The experiment's checks give the verdict; k6's own per-phase thresholds would only duplicate it.
      PHASE_THRESHOLDS: 'off',
      ...(maxLatencyMs ? { MAX_LATENCY_MS: String(maxLatencyMs) } : {}),
    },
  };
  try {
    const outcomes = await runSplitLoad(
      runners,
      (runner) => {
        const { raw, summaryDir } = files[runners.indexOf(runner)];
        const instance = runners.length > 1 ? { runner: runner.instanceId } : {};
        return {
          ...runnerK6Options(shared, runner, runners.length, raw, summaryDir),
          onStart: (pid) =>
            journal.write('k6.start', {
              ...instance,
              pid,
              ...(runners.length > 1 ? { segment: runner.segment, switchesFaults: runner.switchesFaults } : {}),
            }),
          onLine: (line, stream) => journal.write('k6.output', { ...instance, stream, line }),
        };
      },
      // A runner gone mid-run leaves its segment's share of the load unsent: stop the others.
      (lost) =>
        control.abort(
          new RunError(
            `k6 runner ${lost.instanceId} of ${runners.length} ended early: exit ${lost.result.exitCode} (${lost.result.meaning})`,
            EXIT.aborted,
          ),
        ),
    );
    for (const outcome of outcomes)
      journal.write('k6.exit', {
        ...(runners.length > 1 ? { runner: outcome.instanceId } : {}),
        exitCode: outcome.result.exitCode,
        meaning: outcome.result.meaning,
      });
    return outcomes;
  } finally {
    clearInterval(tick);
    progress.finish();
  }
}
