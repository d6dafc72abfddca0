// `roque run`: one experiment from file to verdict. Starts the local stack and the app
// unless a target is given, runs k6 with the experiment's timeline while watching
// Prometheus' alerts, then computes the statistics, evaluates the checks and writes the
// report. Every fault is reverted on any exit; everything started here is stopped, by
// this process or, if it dies, by its watchdog. One run at a time per reports folder (a
// lock). It fails closed: every check of the experiment is in the verdict, and one without
// its evidence fails saying why; the app, Prometheus or k6 stopping early, or a signal,
// aborts the run (exit 2, or 130/143/129) with the raw results kept and the report written
// from what was gathered.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { startStack } from '../stack';
import { guardedChildren, stopGuardedChildren } from '../local/processes';
import type { RuleSelection } from '../stack/prometheus-config';
import { AdminClient } from '../admin/admin-client';
import { drawRunDashboards, K6_DASHBOARD_FILE } from '../dashboards/run-pages';
import { loadExperiment } from '../experiment/load';
import { planExperiment, type ExperimentPlan } from '../experiment/plan';
import type { Experiment } from '../experiment/schema';
import type { K6RunOptions, K6RunResult } from '../k6/k6-runner';
import { startApp } from '../local/app-process';
import { startRedis } from '../local/redis-process';
import { assertLoopback, freePort, waitForHttp } from '../local/network';
import { faultsCleared, guardFaults, watchdogJournal } from '../local/watchdog';
import type { PhaseResult, RunResult } from '../report/result-schema';
import { writeReport } from '../report/write-report';
import { REPO_ROOT } from '../tools';
import { AbortTracker } from './abort-conditions';
import { AlertWatcher } from './alert-watcher';
import { clientSeries } from './client-series';
import { evaluateChecks, withServerFidelity } from './evaluate';
import { BadInputError, EXIT, SIGNAL_EXIT, type HandledSignal } from './exit-codes';
import { Journal } from './journal';
import { LiveWindow } from './live-window';
import { clientFigures, loadStartOf, phaseData, type PhaseData } from './phase-data';
import { phaseShortfall } from './phase-coverage';
import { FaultPlacements } from './fault-placements';
import { Progress, type ProgressOut } from './progress';
import { RunLock, RunLockedError } from './run-lock';
import { PrometheusClient } from './prometheus';
import {
  combinedK6Result,
  runnerFigures,
  runnerK6Options,
  runSplitLoad,
  splitLoad,
  type LoadRunner,
  type RunnerOutcome,
} from './load-split';
import { K6_CSV_ENV, mergeRawFiles, readRawResults } from './raw-results';
import { runStatus } from './run-status';
import { replicaFigures, serverFigures, serverSeries } from './server-figures';
import { prepareUpstreamTarget } from './upstream-target';

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

/** The run could not start: bad input, unreachable target, a stack that did not come up (exit 2). */
export class RunSetupError extends BadInputError {}

/** Seed of every bootstrap: the same data gives the same report. */
const SEED = 20_240_601;
const LIVE_WINDOW_MS = 5_000;
/** Prometheus scrapes every 5 s: wait this long after the load so the last phase is in its data. */
const LAST_SCRAPE_WAIT_MS = 6_000;
/** The longest the runner waits after the load for alerts to fire or resolve. */
const MAX_DETECTION_WAIT_MS = 120_000;
/** After SIGHUP, the run exits within this long even if stopping in order hangs. */
const FORCED_EXIT_MS = 8_000;
/** How long Prometheus may fail to answer before the run counts it as gone. */
const PROMETHEUS_LOST_AFTER_MS = 3_000;

interface Target {
  /** The app the admin API is called on (the first replica). */
  app: string;
  /** Every replica the load is spread over; [app] for one. */
  replicas: string[];
  prometheus: PrometheusClient;
  adminToken: string;
  startedLocally: boolean;
  /** Calls `onLost` if a process started here dies before stop(). */
  watch(onLost: (reason: string) => void): void;
  stop(): Promise<void>;
}

export async function runExperiment(options: RunOptions): Promise<RunOutcome> {
  const startedAt = Date.now();
  // What a caller started before this run (a matrix's shared stack) outlives it.
  const startedBefore = guardedChildren();
  const experiment = loadExperiment(options.file);
  const plan = planExperiment(experiment, options.quick);
  const loadRunners = checked(() => splitLoad(options.runners ?? 1));
  const givenTarget = Boolean(options.target ?? options.prometheus ?? experiment.target);
  if ((options.replicas ?? 1) > 1 && givenTarget)
    throw new RunSetupError(
      '--replicas starts the app locally: it cannot be used with a given target (--target / --prometheus)',
    );
  const runId = `${new Date(startedAt).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${experiment.name}-${randomBytes(2).toString('hex')}`;
  const runDir = resolve(options.reportsDir, runId);
  const k6Dir = join(runDir, 'k6');
  const lock = claimReportsFolder(options.reportsDir, runId);
  mkdirSync(k6Dir, { recursive: true });
  const journal = new Journal(join(runDir, 'journal.ndjson'));
  // From here on, whatever this process starts is stopped, and its faults cleared, even if it dies.
  watchdogJournal(journal.file);
  const progress = new Progress(options.progressOut);
  journal.write('run.start', { runId, file: options.file, quick: options.quick, phases: plan.phases });

  /** Stops the load (k6 gets SIGINT and runs teardown). */
  const stopLoad = new AbortController();
  /** Ends the run as fast as it can: a signal, an uncaught error or a lost stack. No more waiting. */
  const hurry = new AbortController();
  let abort: { reason: string; exitCode: number } | null = null;
  let admin: AdminClient | null = null;
  const revert = async (why: string): Promise<{ cleared: boolean; error: string | null }> => {
    if (!admin) return { cleared: true, error: null };
    try {
      await admin.clear();
      journal.write('faults.cleared', { why });
      return { cleared: true, error: null };
    } catch (error) {
      journal.write('faults.clear-failed', { why, error: (error as Error).message });
      return { cleared: false, error: (error as Error).message };
    }
  };
  const abortRun = (reason: string, exitCode: number, urgent = false) => {
    if (urgent) hurry.abort();
    if (abort) return;
    abort = { reason, exitCode };
    journal.write('run.abort', { reason });
    progress.message(`roque: aborting: ${reason}; reverting every fault`);
    stopLoad.abort();
    void revert(reason);
  };
  const loseStack = (reason: string) => abortRun(reason, EXIT.aborted, true);
  const onSignal = (signal: HandledSignal) => {
    abortRun(`${signal} received`, SIGNAL_EXIT[signal], true);
    if (signal !== 'SIGHUP') return;
    // The terminal (or the launcher) is gone: nothing may outlive it by more than 10 s. If
    // stopping in order takes longer, exit anyway; the watchdog stops what is left.
    setTimeout(() => {
      journal.write('run.forced-exit', { signal, afterMs: FORCED_EXIT_MS });
      process.exit(SIGNAL_EXIT[signal]);
    }, FORCED_EXIT_MS).unref();
  };
  const onUncaught = (error: unknown) => {
    journal.write('run.uncaught', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    abortRun(`uncaught error: ${error instanceof Error ? error.message : String(error)}`, EXIT.aborted, true);
  };
  const handlers = Object.fromEntries(
    (Object.keys(SIGNAL_EXIT) as HandledSignal[]).map((signal) => [signal, () => onSignal(signal)]),
  );
  for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
  process.on('uncaughtException', onUncaught).on('unhandledRejection', onUncaught);

  let target: Target | null = null;
  let watcher: AlertWatcher | null = null;
  let prometheusWatchdog: NodeJS.Timeout | undefined;
  try {
    progress.message(
      `roque: ${experiment.name}${options.quick ? ' (quick)' : ''}: ${plan.phases.map((p) => `${p.name} ${p.durationMs / 1000}s`).join(' → ')}`,
    );
    // Ctrl-C while the stack starts ends the run at once, with its report; what was being
    // started is stopped below (or by the watchdog once this process exits).
    const preparing: Promise<Target> =
      options.upstream || experiment.upstream
        ? prepareUpstreamTarget(
            experiment.upstream,
            { upstreamUrl: options.upstream, experimentFile: options.file },
            journal,
            progress,
          ).then(
            (proxied) => ({ ...proxied, replicas: [proxied.app] }),
            (error: Error) => {
              throw new RunSetupError(error.message);
            },
          )
        : prepareTarget(experiment, options, journal, progress);
    target = await untilAborted(preparing, stopLoad.signal);
    if (!target)
      void preparing.then(
        (late) => late.stop(),
        () => {},
      );
    let k6: K6RunResult | null = null;
    let runnerOutcomes: RunnerOutcome[] | null = null;
    let placements: FaultPlacements | null = null;
    let loadStartedAt: number | null = null;
    const rawFile = join(k6Dir, 'requests.csv');
    const runnerFiles =
      loadRunners.length === 1
        ? [{ raw: rawFile, summaryDir: k6Dir }]
        : loadRunners.map((r) => ({
            raw: join(k6Dir, `requests-${r.instanceId}.csv`),
            summaryDir: join(k6Dir, `runner-${r.instanceId}`),
          }));
    if (target) {
      const app = target.app;
      admin = new AdminClient({ target: app, token: target.adminToken });
      const listing = admin;
      placements = new FaultPlacements(() => listing.list());
      guardFaults(app, target.adminToken);
      await admin.clear().catch((error: Error) => {
        throw new RunSetupError(`the admin API of ${app} refused the kill switch: ${error.message}`);
      });
      watcher = new AlertWatcher(target.prometheus);
      watcher.start();
      target.watch(loseStack);
      const alerts = watcher;
      const prometheusUrl = target.prometheus.url;
      prometheusWatchdog = setInterval(() => {
        if (alerts.failingSince !== null && Date.now() - alerts.failingSince >= PROMETHEUS_LOST_AFTER_MS) {
          loseStack(`Prometheus at ${prometheusUrl} stopped answering mid-run (${alerts.lastError})`);
        }
      }, 500);
      if (!abort) {
        loadStartedAt = Date.now();
        const webDashboardExport = options.dashboards === false ? undefined : join(k6Dir, K6_DASHBOARD_FILE);
        runnerOutcomes = await runLoad(
          plan,
          target,
          runId,
          loadRunners,
          runnerFiles,
          stopLoad.signal,
          journal,
          progress,
          watcher,
          abortRun,
          webDashboardExport,
          placements,
        );
        k6 = combinedK6Result(runnerOutcomes);
      }
      clearInterval(prometheusWatchdog);
    }
    // The final kill switch: a run whose faults may still be active has not passed.
    const killSwitch = await revert('load finished');
    if (killSwitch.cleared && target) faultsCleared(target.app);
    if (loadRunners.length > 1) {
      const written = runnerFiles.map((f) => f.raw).filter((file) => existsSync(file));
      if (written.length) await mergeRawFiles(written, rawFile);
      for (const file of written) rmSync(file);
    }
    const hasRaw = existsSync(rawFile);
    if (watcher) {
      if (!abort && hasRaw) await waitForDetection(plan, rawFile, watcher, progress, hurry.signal);
      // Once part of the stack is gone, or the run was interrupted, there is no further scrape to wait for.
      await sleep(LAST_SCRAPE_WAIT_MS, hurry.signal);
      await watcher.stop();
    }

    const { requests, dropped } = hasRaw ? await readRawResults(rawFile) : { requests: [], dropped: [] };
    const loadStart = loadStartOf(requests) ?? loadStartedAt ?? Date.now();
    const phases = phaseData(plan.phases, loadStart, requests, dropped);
    const episodes = watcher?.episodes ?? [];
    const loadedAlerts = target ? await target.prometheus.alertRuleNames().catch(() => undefined) : undefined;
    let verdict = evaluateChecks(plan, phases, episodes, SEED, loadedAlerts);
    const loadEnd = Math.max(...phases.map((p) => p.endMs));
    const prometheus = target?.prometheus;
    const [phaseResults, series] = await Promise.all([
      phaseResultsOf(phases, prometheus, journal, (target?.replicas.length ?? 1) > 1, placements),
      prometheus
        ? serverSeries(prometheus, loadStart, loadEnd + LAST_SCRAPE_WAIT_MS).catch((error: Error) => {
            journal.write('prometheus.series-failed', { error: error.message });
            return null;
          })
        : null,
    ]);
    verdict = withServerFidelity(verdict, plan, phaseResults);
    const rawGz = `${rawFile}.gz`;
    if (hasRaw) {
      await pipeline(createReadStream(rawFile), createGzip(), createWriteStream(rawGz));
      rmSync(rawFile);
    }

    const shortfalls = phases.map((p) => phaseShortfall(p, p.planned.rate)).filter((s) => s !== null);
    const { status, abortReason, exitCode } = runStatus({ abort, k6, shortfalls, checks: verdict.checks, killSwitch });
    if (!killSwitch.cleared)
      progress.message(
        `roque: the final kill switch failed (${killSwitch.error}): faults may still be active until their TTL`,
      );
    const finishedAt = Date.now();
    const result: RunResult = {
      schemaVersion: 1,
      runId,
      experiment: { name: experiment.name, description: experiment.description, file: options.file },
      quick: options.quick,
      status,
      abortReason,
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      wallSeconds: (finishedAt - startedAt) / 1000,
      target: target
        ? {
            app: target.app,
            prometheus: target.prometheus.url,
            startedLocally: target.startedLocally,
            ...(target.replicas.length > 1 ? { replicas: target.replicas } : {}),
          }
        : {
            app: options.target ?? 'not started',
            prometheus: options.prometheus ?? 'not started',
            startedLocally: !options.target,
          },
      load: {
        scenario: experiment.load.scenario,
        rate: experiment.load.rate,
        k6ExitCode: k6?.exitCode ?? null,
        k6Meaning: k6?.meaning ?? null,
        ...(loadRunners.length > 1
          ? { runners: runnerFigures(loadRunners, runnerOutcomes, experiment.load.rate, requests, dropped) }
          : {}),
      },
      phases: phaseResults,
      checks: verdict.checks,
      detection: verdict.detection,
      alerts: episodes.map((e) => ({
        alert: e.alert,
        firedAt: new Date(e.firedAt).toISOString(),
        resolvedAt: e.resolvedAt === null ? null : new Date(e.resolvedAt).toISOString(),
      })),
      series: { ...clientSeries(requests), ...(series ?? emptyServerSeries()) },
      files: {
        raw: hasRaw ? relative(runDir, rawGz) : null,
        k6Summary: k6?.summaryFile ? relative(runDir, k6.summaryFile) : null,
        journal: 'journal.ndjson',
      },
      killSwitch,
    };
    if (options.dashboards !== false && target) await drawRunDashboards(runDir, target.prometheus, result, journal);
    writeReport(runDir, result);
    journal.write('run.end', {
      status,
      exitCode,
      checks: verdict.checks.map((c) => ({ name: c.name, passed: c.passed })),
    });
    return { result, runDir, exitCode };
  } catch (error) {
    journal.write('run.error', { error: (error as Error).message });
    throw error;
  } finally {
    clearInterval(prometheusWatchdog);
    progress.finish();
    await revert('run ended');
    await watcher?.stop();
    await target?.stop();
    // Whatever was still starting when the run was interrupted.
    await stopGuardedChildren(startedBefore);
    for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
    process.off('uncaughtException', onUncaught).off('unhandledRejection', onUncaught);
    lock.release();
  }
}

/** `work`'s result, or null when `signal` aborts first (`work` is then left to fail on its own). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return null;
  let onAbort!: () => void;
  const aborted = new Promise<null>((resolve) => {
    onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    work.catch(() => {});
  }
}

/** Creates the reports folder and takes its lock; either failing is a setup error with the fix in it. */
function claimReportsFolder(reportsDir: string, runId: string): RunLock {
  try {
    mkdirSync(reportsDir, { recursive: true });
    return RunLock.acquire(reportsDir, runId);
  } catch (error) {
    if (error instanceof RunLockedError) throw new RunSetupError(error.message);
    const { code, message } = error as NodeJS.ErrnoException;
    throw new RunSetupError(
      `the reports folder ${reportsDir} cannot be written (${code ?? message}); choose another with --reports`,
    );
  }
}

/** The app and Prometheus to use: given ones (checked), or a local stack and app started here. */
async function prepareTarget(
  experiment: Experiment,
  options: RunOptions,
  journal: Journal,
  progress: Progress,
): Promise<Target> {
  const fromFile = experiment.target;
  const app = options.target ?? fromFile?.app;
  const prometheusUrl = options.prometheus ?? fromFile?.prometheus;
  // An experiment's own load.replicas is for a local start; a given stack has its own replicas.
  const replicas = options.replicas ?? experiment.load.replicas ?? 1;
  if (app || prometheusUrl) {
    if (!app || !prometheusUrl)
      throw new RunSetupError(
        'give both the target app and Prometheus (--target and --prometheus, or ROQUE_TARGET_URL and ROQUE_PROMETHEUS_URL), or neither to start them locally',
      );
    const adminToken = options.adminToken ?? fromFile?.adminToken ?? process.env.CHAOS_ADMIN_TOKEN;
    if (!adminToken) throw new RunSetupError('the admin token is missing: set CHAOS_ADMIN_TOKEN');
    const prometheus = checked(() => new PrometheusClient(prometheusUrl));
    checked(() => assertLoopback(app, 'target'));
    await prometheus.assertReady().catch((error: Error) => {
      throw new RunSetupError(error.message);
    });
    await waitForHttp(`${app.replace(/\/$/, '')}/health`, { timeoutMs: 5_000 }).catch((error: Error) => {
      throw new RunSetupError(`target app is not healthy: ${error.message}`);
    });
    journal.write('target.given', { app, prometheus: prometheus.url });
    return {
      app,
      replicas: [app],
      prometheus,
      adminToken,
      startedLocally: false,
      watch: () => {},
      stop: async () => {},
    };
  }

  buildIfNeeded(progress);
  const dataDir = mkdtempSync(join(tmpdir(), 'roque-stack-'));
  const stops: (() => Promise<unknown>)[] = [async () => rmSync(dataDir, { recursive: true, force: true })];
  let onLost: ((reason: string) => void) | null = null;
  const stop = async () => {
    onLost = null;
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    progress.message(
      `roque: starting ${replicas > 1 ? `${replicas} app replicas, Redis` : 'the app'} and Prometheus on loopback…`,
    );
    const lost =
      (what: string, after = '') =>
      (code: number | null, signal: NodeJS.Signals | null) =>
        onLost?.(`${what} exited mid-run (${signal ?? `exit code ${code}`})${after}`);
    // Replicas share their faults through Redis (the engine's sync), as pods of one Deployment do.
    const redis = replicas > 1 ? await startRedis() : null;
    if (redis) {
      stops.push(() => redis.stop());
      redis.child.once('exit', lost(`Redis (PID ${redis.child.pid})`, '; the replicas no longer share their faults'));
    }
    const adminToken = randomBytes(16).toString('hex');
    const syncEnv: Record<string, string> = redis
      ? { CHAOS_SYNC_REDIS_URL: redis.url, CHAOS_SYNC_NAMESPACE: `roque-${redis.port}` }
      : {};
    const apps = await Promise.all(
      Array.from({ length: replicas }, async () => {
        const appProcess = await startApp({ adminToken, env: { SHUTDOWN_READINESS_DELAY_MS: '0', ...syncEnv } });
        // Stopped even when another replica fails to start.
        stops.push(() => appProcess.stop());
        appProcess.child.once(
          'exit',
          lost(`the app (PID ${appProcess.child.pid})`, '; the faults it held ended with it'),
        );
        return appProcess;
      }),
    );
    const stack = await startStack({
      dataDir,
      prometheusPort: await freePort(),
      alertmanagerPort: null,
      appTargets: apps.map((a) => `127.0.0.1:${a.port}`),
      rules: options.rules,
    });
    stops.push(() => stack.stop());
    const prometheus = new PrometheusClient(stack.prometheusUrl);
    await waitForScrape(prometheus, replicas);
    const appProcess = apps[0];
    journal.write('target.started', {
      app: appProcess.url,
      ...(replicas > 1 ? { replicas: apps.map((a) => a.url), redis: redis!.url } : {}),
      prometheus: stack.prometheusUrl,
      dataDir,
      pids: {
        app: appProcess.child.pid,
        ...(replicas > 1 ? { replicas: apps.map((a) => a.child.pid), redis: redis!.child.pid } : {}),
        prometheus: stack.pids.prometheus,
      },
    });
    const watch = (listener: (reason: string) => void) => {
      onLost = listener;
    };
    return {
      app: appProcess.url,
      replicas: apps.map((a) => a.url),
      prometheus,
      adminToken,
      startedLocally: true,
      watch,
      stop,
    };
  } catch (error) {
    await stop();
    throw new RunSetupError(`the local stack could not start: ${(error as Error).message}`);
  }
}

function checked<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new RunSetupError((error as Error).message);
  }
}

/** Builds dist/ when the app is missing from it (a fresh clone); k6 bundles are checked by runK6. */
function buildIfNeeded(progress: Progress): void {
  if (existsSync(join(REPO_ROOT, 'dist', 'target-app', 'src', 'main.js'))) return;
  progress.message('roque: building…');
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'webpack-free-build.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new RunSetupError(`the build failed:\n${build.stdout}${build.stderr}`);
}

/** Waits until Prometheus has scraped every replica once, so the baseline is measured server-side too. */
function waitForScrape(prometheus: PrometheusClient, replicas: number): Promise<void> {
  return prometheus.waitForUp('target-app', replicas);
}

async function runLoad(
  plan: ExperimentPlan,
  target: Target,
  runId: string,
  runners: LoadRunner[],
  files: { raw: string; summaryDir: string }[],
  signal: AbortSignal,
  journal: Journal,
  progress: Progress,
  watcher: AlertWatcher,
  abortRun: (reason: string, exitCode: number) => void,
  webDashboardExport: string | undefined,
  placements: FaultPlacements,
): Promise<RunnerOutcome[]> {
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
    if (reason) abortRun(reason, EXIT.failed);
  }, 1_000);
  const maxLatencyMs = plan.experiment.load.maxLatencyMs;
  const shared: K6RunOptions = {
    scenario: plan.experiment.load.scenario,
    testid: runId,
    summaryDir: files[0].summaryDir,
    prometheusUrl: target.prometheus.url,
    webDashboardExport,
    signal,
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
        abortRun(
          `k6 runner ${lost.instanceId} of ${runners.length} ended early: exit ${lost.result.exitCode} (${lost.result.meaning})`,
          EXIT.aborted,
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

/** After the load: waits until every detection check's alert has fired and resolved, or its deadline passed. */
async function waitForDetection(
  plan: ExperimentPlan,
  rawFile: string,
  watcher: AlertWatcher,
  progress: Progress,
  signal: AbortSignal,
): Promise<void> {
  const detections = plan.checks.filter((c) => c.kind === 'detection');
  if (!detections.length) return;
  const { requests } = await readRawResults(rawFile);
  const loadStart = loadStartOf(requests);
  if (loadStart === null) return;
  const deadlineOf = (check: (typeof detections)[number]) => {
    const phase = plan.phases.find((p) => p.name === check.phase)!;
    return check.resolvesWithin === undefined
      ? loadStart + phase.startMs + check.firesWithin
      : loadStart + phase.startMs + phase.durationMs + check.resolvesWithin;
  };
  const deadline = Math.min(Date.now() + MAX_DETECTION_WAIT_MS, Math.max(...detections.map(deadlineOf)));
  const settled = () =>
    detections.every((check) => {
      const start = loadStart + plan.phases.find((p) => p.name === check.phase)!.startMs;
      const episode = watcher.episodes.find((e) => e.alert === check.alert && e.firedAt >= start);
      return episode && (check.resolvesWithin === undefined || episode.resolvedAt !== null);
    });
  if (settled() || Date.now() >= deadline) return;
  progress.message(
    `roque: waiting up to ${Math.ceil((deadline - Date.now()) / 1000)} s for alerts to fire and resolve…`,
  );
  while (!settled() && Date.now() < deadline && !signal.aborted) await sleep(1_000, signal);
}

/** Each phase's figures; server figures need Prometheus, and requests in the phase to be worth asking. */
async function phaseResultsOf(
  phases: PhaseData[],
  prometheus: PrometheusClient | undefined,
  journal: Journal,
  perReplica: boolean,
  placements: FaultPlacements | null,
): Promise<PhaseResult[]> {
  return Promise.all(
    phases.map(async (phase): Promise<PhaseResult> => {
      const server =
        prometheus && phase.requests.length
          ? await Promise.all([serverFigures(prometheus, phase), perReplica ? replicaFigures(prometheus, phase) : null])
              .then(([figures, replicas]) => (replicas ? { ...figures, replicas } : figures))
              .catch((error: Error) => {
                journal.write('prometheus.figures-failed', { phase: phase.planned.name, error: error.message });
                return null;
              })
          : null;
      return {
        name: phase.planned.name,
        start: new Date(phase.startMs).toISOString(),
        end: new Date(phase.endMs).toISOString(),
        durationMs: phase.planned.durationMs,
        faults: phase.planned.faults,
        client: clientFigures(phase, phase === phases[0] ? null : phases[0], SEED),
        server,
        ...(perReplica && placements ? { placements: placements.within(phase.startMs, phase.endMs) } : {}),
      };
    }),
  );
}

function emptyServerSeries() {
  return {
    serverP95Ms: [],
    serverRps: [],
    serverErrorShare: [],
    injectedDelayMs: [],
    cpuCores: [],
    eventLoopLagMs: [],
    residentMemoryMb: [],
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
