// `roque run`: one experiment from file to verdict. Starts the local stack and the app
// unless a target is given, runs k6 with the experiment's timeline while watching
// Prometheus' alerts, then computes the statistics, evaluates the checks and writes the
// report. Every fault is reverted on any exit; everything started here is stopped. One run
// at a time per reports folder (a lock); the app or Prometheus dying mid-run aborts the run
// (exit 2) with the raw results kept and the report written from what was gathered.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { startStack } from '../../stack/launcher';
import type { RuleSelection } from '../../stack/launcher/prometheus-config';
import { AdminClient } from '../admin/admin-client';
import { loadExperiment } from '../experiment/load';
import { planExperiment, type ExperimentPlan } from '../experiment/plan';
import { runK6, type K6RunResult } from '../k6/k6-runner';
import { startApp } from '../local/app-process';
import { assertLoopback, freePort, waitForHttp } from '../local/network';
import type { PhaseResult, RunResult } from '../report/result-schema';
import { writeReport } from '../report/write-report';
import { REPO_ROOT } from '../tools';
import { AbortTracker } from './abort-conditions';
import { AlertWatcher } from './alert-watcher';
import { clientSeries } from './client-series';
import { evaluateChecks } from './evaluate';
import { Journal } from './journal';
import { LiveWindow } from './live-window';
import { clientFigures, loadStartOf, phaseData, type PhaseData } from './phase-data';
import { Progress } from './progress';
import { RunLock, RunLockedError } from './run-lock';
import { PrometheusClient } from './prometheus';
import { K6_CSV_ENV, readRawResults } from './raw-results';
import { serverFigures, serverSeries } from './server-figures';

export interface RunOptions {
  file: string;
  quick: boolean;
  /** App base URL; with `prometheus`, runs against an existing target instead of starting one. */
  target?: string;
  prometheus?: string;
  adminToken?: string;
  reportsDir: string;
  /** The rule files the local Prometheus loads (default: Roque's); checked by the caller. */
  rules?: RuleSelection;
  /** Where the live progress goes (default stderr). */
  progressOut?: NodeJS.WriteStream;
}

export interface RunOutcome {
  result: RunResult;
  runDir: string;
  exitCode: number;
}

/** The run could not start: bad input, unreachable target, a stack that did not come up (exit 2). */
export class RunSetupError extends Error {}

/** Seed of every bootstrap: the same data gives the same report. */
const SEED = 20_240_601;
const LIVE_WINDOW_MS = 5_000;
/** Prometheus scrapes every 5 s: wait this long after the load so the last phase is in its data. */
const LAST_SCRAPE_WAIT_MS = 6_000;
/** The longest the runner waits after the load for alerts to fire or resolve. */
const MAX_DETECTION_WAIT_MS = 120_000;
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
/** Exit code of a run aborted because the app or Prometheus went away (the stack failed, not a check). */
const STACK_LOST_EXIT = 2;
/** How long Prometheus may fail to answer before the run counts it as gone. */
const PROMETHEUS_LOST_AFTER_MS = 3_000;

interface Target {
  app: string;
  prometheus: PrometheusClient;
  adminToken: string;
  startedLocally: boolean;
  /** Calls `onLost` if a process started here dies before stop(). */
  watch(onLost: (reason: string) => void): void;
  stop(): Promise<void>;
}

export async function runExperiment(options: RunOptions): Promise<RunOutcome> {
  const startedAt = Date.now();
  const experiment = loadExperiment(options.file);
  const plan = planExperiment(experiment, options.quick);
  const runId = `${new Date(startedAt).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${experiment.name}-${randomBytes(2).toString('hex')}`;
  const runDir = resolve(options.reportsDir, runId);
  const k6Dir = join(runDir, 'k6');
  const lock = claimReportsFolder(options.reportsDir, runId);
  mkdirSync(k6Dir, { recursive: true });
  const journal = new Journal(join(runDir, 'journal.ndjson'));
  const progress = new Progress(options.progressOut);
  journal.write('run.start', { runId, file: options.file, quick: options.quick, phases: plan.phases });

  const stopLoad = new AbortController();
  let abortReason: string | null = null;
  let signalExit: number | null = null;
  let stackLost = false;
  let admin: AdminClient | null = null;
  const revert = async (why: string) => {
    if (!admin) return;
    try {
      await admin.clear();
      journal.write('faults.cleared', { why });
    } catch (error) {
      journal.write('faults.clear-failed', { why, error: (error as Error).message });
    }
  };
  const abortRun = (reason: string) => {
    if (abortReason) return;
    abortReason = reason;
    journal.write('run.abort', { reason });
    progress.message(`roque: aborting: ${reason}; reverting every fault`);
    stopLoad.abort();
    void revert(reason);
  };
  const loseStack = (reason: string) => {
    if (!abortReason) stackLost = true;
    abortRun(reason);
  };
  const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
    signalExit ??= SIGNAL_EXIT[signal];
    abortRun(`${signal} received`);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  let target: Target | null = null;
  let watcher: AlertWatcher | null = null;
  let prometheusWatchdog: NodeJS.Timeout | undefined;
  try {
    progress.message(`roque: ${experiment.name}${options.quick ? ' (quick)' : ''}: ${plan.phases.map((p) => `${p.name} ${p.durationMs / 1000}s`).join(' → ')}`);
    target = await prepareTarget(experiment.target, options, journal, progress);
    if (abortReason) throw new RunSetupError(`${abortReason} before the load started`);
    admin = new AdminClient({ target: target.app, token: target.adminToken });
    await admin.clear().catch((error: Error) => {
      throw new RunSetupError(`the admin API of ${target!.app} refused the kill switch: ${error.message}`);
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

    const rawFile = join(k6Dir, 'requests.csv');
    const k6 = await runLoad(plan, target, runId, k6Dir, rawFile, stopLoad.signal, journal, progress, watcher, abortRun);
    clearInterval(prometheusWatchdog);
    await revert('load finished');
    const noRequests = new RunSetupError(`k6 made no requests (exit ${k6.exitCode}: ${k6.meaning}); its output is in ${relative(process.cwd(), runDir)}/journal.ndjson`);
    if (!existsSync(rawFile)) throw noRequests;
    if (!abortReason) await waitForDetection(plan, rawFile, watcher, progress);
    // Once part of the stack is gone there is no further scrape to wait for.
    if (!stackLost) await sleep(LAST_SCRAPE_WAIT_MS);
    await watcher.stop();

    const { requests, dropped } = await readRawResults(rawFile);
    const loadStart = loadStartOf(requests);
    if (loadStart === null) throw noRequests;
    const phases = phaseData(plan.phases, loadStart, requests, dropped).filter((p) => p.startMs <= (requests.at(-1)?.t ?? 0));
    const verdict = evaluateChecks({ ...plan, checks: plan.checks.filter((c) => phases.some((p) => p.planned.name === c.phase)) }, phases, watcher.episodes, SEED);
    const loadEnd = Math.max(...phases.map((p) => p.endMs));
    const [phaseResults, series] = await Promise.all([
      phaseResultsOf(phases, target.prometheus, journal),
      serverSeries(target.prometheus, loadStart, loadEnd + LAST_SCRAPE_WAIT_MS).catch((error: Error) => {
        journal.write('prometheus.series-failed', { error: error.message });
        return null;
      }),
    ]);
    const rawGz = `${rawFile}.gz`;
    await pipeline(createReadStream(rawFile), createGzip(), createWriteStream(rawGz));
    rmSync(rawFile);

    const status: RunResult['status'] = abortReason ? 'aborted' : verdict.checks.every((c) => c.passed) ? 'passed' : 'failed';
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
      target: { app: target.app, prometheus: target.prometheus.url, startedLocally: target.startedLocally },
      load: { scenario: experiment.load.scenario, rate: experiment.load.rate, k6ExitCode: k6.exitCode, k6Meaning: k6.meaning },
      phases: phaseResults,
      checks: verdict.checks,
      detection: verdict.detection,
      alerts: watcher.episodes.map((e) => ({ alert: e.alert, firedAt: new Date(e.firedAt).toISOString(), resolvedAt: e.resolvedAt === null ? null : new Date(e.resolvedAt).toISOString() })),
      series: { ...clientSeries(requests), ...(series ?? emptyServerSeries()) },
      files: { raw: relative(runDir, rawGz), k6Summary: k6.summaryFile ? relative(runDir, k6.summaryFile) : null, journal: 'journal.ndjson' },
    };
    writeReport(runDir, result);
    journal.write('run.end', { status, checks: verdict.checks.map((c) => ({ name: c.name, passed: c.passed })) });
    const exitCode = status === 'passed' ? 0 : (signalExit ?? (stackLost ? STACK_LOST_EXIT : 1));
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
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    lock.release();
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
    throw new RunSetupError(`the reports folder ${reportsDir} cannot be written (${code ?? message}); choose another with --reports`);
  }
}

/** The app and Prometheus to use: given ones (checked), or a local stack and app started here. */
async function prepareTarget(
  fromFile: { app: string; prometheus: string; adminToken?: string } | undefined,
  options: RunOptions,
  journal: Journal,
  progress: Progress,
): Promise<Target> {
  const app = options.target ?? fromFile?.app;
  const prometheusUrl = options.prometheus ?? fromFile?.prometheus;
  if (app || prometheusUrl) {
    if (!app || !prometheusUrl) throw new RunSetupError('give both the target app and Prometheus (--target and --prometheus), or neither to start them locally');
    const adminToken = options.adminToken ?? fromFile?.adminToken ?? process.env.CHAOS_ADMIN_TOKEN;
    if (!adminToken) throw new RunSetupError('the admin token is missing: pass --admin-token or set CHAOS_ADMIN_TOKEN');
    const prometheus = checked(() => new PrometheusClient(prometheusUrl));
    checked(() => assertLoopback(app, 'target'));
    await prometheus.assertReady().catch((error: Error) => {
      throw new RunSetupError(error.message);
    });
    await waitForHttp(`${app.replace(/\/$/, '')}/health`, { timeoutMs: 5_000 }).catch((error: Error) => {
      throw new RunSetupError(`target app is not healthy: ${error.message}`);
    });
    journal.write('target.given', { app, prometheus: prometheus.url });
    return { app, prometheus, adminToken, startedLocally: false, watch: () => {}, stop: async () => {} };
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
    progress.message('roque: starting the app and Prometheus on loopback…');
    const appProcess = await startApp();
    stops.push(() => appProcess.stop());
    appProcess.child.once('exit', (code, signal) => {
      onLost?.(`the app (PID ${appProcess.child.pid}) exited mid-run (${signal ?? `exit code ${code}`}); the faults it held ended with it`);
    });
    const stack = await startStack({ dataDir, prometheusPort: await freePort(), alertmanagerPort: null, appTargets: [`127.0.0.1:${appProcess.port}`], rules: options.rules });
    stops.push(() => stack.stop());
    const prometheus = new PrometheusClient(stack.prometheusUrl);
    await waitForScrape(prometheus);
    journal.write('target.started', { app: appProcess.url, prometheus: stack.prometheusUrl, dataDir, pids: { app: appProcess.child.pid, prometheus: stack.pids.prometheus } });
    const watch = (listener: (reason: string) => void) => {
      onLost = listener;
    };
    return { app: appProcess.url, prometheus, adminToken: appProcess.adminToken, startedLocally: true, watch, stop };
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
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'webpack-free-build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new RunSetupError(`the build failed:\n${build.stdout}${build.stderr}`);
}

/** Waits until Prometheus has scraped the app once, so the baseline is measured server-side too. */
async function waitForScrape(prometheus: PrometheusClient, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const up = await prometheus.scalar('max(up{job="target-app"})', Date.now()).catch(() => null);
    if (up === 1) return;
    await sleep(500);
  }
  throw new Error(`Prometheus did not scrape the app within ${timeoutMs / 1000} s`);
}

async function runLoad(
  plan: ExperimentPlan,
  target: Target,
  runId: string,
  k6Dir: string,
  rawFile: string,
  signal: AbortSignal,
  journal: Journal,
  progress: Progress,
  watcher: AlertWatcher,
  abortRun: (reason: string) => void,
): Promise<K6RunResult> {
  const live = new LiveWindow(rawFile);
  const aborts = new AbortTracker(plan.experiment.abort);
  let loadStartedAt: number | null = null;
  const tick = setInterval(() => {
    const now = Date.now();
    live.poll(now);
    const figures = live.figures(LIVE_WINDOW_MS, now);
    if (loadStartedAt === null && figures.requests > 0) loadStartedAt = now;
    if (loadStartedAt === null) return;
    const elapsedMs = now - loadStartedAt;
    const index = Math.max(0, plan.phases.findLastIndex((p) => p.startMs <= elapsedMs));
    progress.update({ phase: plan.phases[index].name, phaseIndex: index, phases: plan.phases.length, elapsedMs, totalMs: plan.totalMs, figures, firing: watcher.firing() });
    const reason = aborts.check(figures, now);
    if (reason) abortRun(reason);
  }, 1_000);
  const maxLatencyMs = plan.experiment.load.maxLatencyMs;
  try {
    const result = await runK6({
      scenario: plan.experiment.load.scenario,
      testid: runId,
      summaryDir: k6Dir,
      rawOutputFile: rawFile,
      prometheusUrl: target.prometheus.url,
      signal,
      env: {
        ...K6_CSV_ENV,
        BASE_URL: target.app,
        CHAOS_ADMIN_TOKEN: target.adminToken,
        RATE: String(plan.experiment.load.rate),
        TIMELINE: JSON.stringify(plan.phases.map((p) => ({ name: p.name, duration: `${p.durationMs}ms`, rate: p.rate, faults: p.faults }))),
        // The experiment's checks give the verdict; k6's own per-phase thresholds would only duplicate it.
        PHASE_THRESHOLDS: 'off',
        ...(maxLatencyMs ? { MAX_LATENCY_MS: String(maxLatencyMs) } : {}),
      },
      onLine: (line, stream) => journal.write('k6.output', { stream, line }),
    });
    journal.write('k6.exit', { exitCode: result.exitCode, meaning: result.meaning });
    return result;
  } finally {
    clearInterval(tick);
    progress.finish();
  }
}

/** After the load: waits until every detection check's alert has fired and resolved, or its deadline passed. */
async function waitForDetection(plan: ExperimentPlan, rawFile: string, watcher: AlertWatcher, progress: Progress): Promise<void> {
  const detections = plan.checks.filter((c) => c.kind === 'detection');
  if (!detections.length) return;
  const { requests } = await readRawResults(rawFile);
  const loadStart = loadStartOf(requests);
  if (loadStart === null) return;
  const deadlineOf = (check: (typeof detections)[number]) => {
    const phase = plan.phases.find((p) => p.name === check.phase)!;
    return check.resolvesWithin === undefined ? loadStart + phase.startMs + check.firesWithin : loadStart + phase.startMs + phase.durationMs + check.resolvesWithin;
  };
  const deadline = Math.min(Date.now() + MAX_DETECTION_WAIT_MS, Math.max(...detections.map(deadlineOf)));
  const settled = () =>
    detections.every((check) => {
      const start = loadStart + plan.phases.find((p) => p.name === check.phase)!.startMs;
      const episode = watcher.episodes.find((e) => e.alert === check.alert && e.firedAt >= start);
      return episode && (check.resolvesWithin === undefined || episode.resolvedAt !== null);
    });
  if (settled() || Date.now() >= deadline) return;
  progress.message(`roque: waiting up to ${Math.ceil((deadline - Date.now()) / 1000)} s for alerts to fire and resolve…`);
  while (!settled() && Date.now() < deadline) await sleep(1_000);
}

async function phaseResultsOf(phases: PhaseData[], prometheus: PrometheusClient, journal: Journal): Promise<PhaseResult[]> {
  return Promise.all(
    phases.map(async (phase): Promise<PhaseResult> => {
      const server = await serverFigures(prometheus, phase).catch((error: Error) => {
        journal.write('prometheus.figures-failed', { phase: phase.planned.name, error: error.message });
        return null;
      });
      return {
        name: phase.planned.name,
        start: new Date(phase.startMs).toISOString(),
        end: new Date(phase.endMs).toISOString(),
        durationMs: phase.planned.durationMs,
        faults: phase.planned.faults,
        client: clientFigures(phase, phase === phases[0] ? null : phases[0], SEED),
        server,
      };
    }),
  );
}

function emptyServerSeries() {
  return { serverP95Ms: [], serverRps: [], serverErrorShare: [], injectedDelayMs: [], cpuCores: [], eventLoopLagMs: [], residentMemoryMb: [] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
