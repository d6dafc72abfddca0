// Stage 4, gather: the evidence, all of it before anything is judged. The alerts still to
// fire or resolve are waited for (unless the run is in a hurry), then one more scrape; then
// k6's raw results are cut into the phases, and Prometheus is asked for the server's view of
// each phase and for the run's series. Prometheus failing here leaves a hole, journaled,
// that the checks then fail on; the raw results are kept, gzipped.
import { createReadStream, createWriteStream, existsSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ExperimentPlan } from '../experiment/plan';
import type { PhaseResult, RunResult } from '../report/result-schema';
import type { AlertEpisode, AlertWatcher } from './alert-watcher';
import type { FaultPlacements } from './fault-placements';
import type { Journal } from './journal';
import { clientFigures, loadStartOf, phaseData, type PhaseData } from './phase-data';
import type { Progress } from './progress';
import type { PrometheusClient } from './prometheus';
import { clientSeries } from './client-series';
import { readRawResults, type DroppedSample, type RequestSample } from './raw-results';
import { replicaFigures, serverFigures, serverSeries } from './server-figures';
import type { LoadResult } from './stage-load';
import type { Target } from './stage-target';

/** Seed of every bootstrap: the same data gives the same report. */
export const SEED = 20_240_601;
/** Prometheus scrapes every 5 s: wait this long after the load so the last phase is in its data. */
const LAST_SCRAPE_WAIT_MS = 6_000;
/** The longest the runner waits after the load for alerts to fire or resolve. */
const MAX_DETECTION_WAIT_MS = 120_000;

export interface GatherInput {
  plan: ExperimentPlan;
  target: Target | null;
  load: LoadResult;
  /** The run was stopped early: no waiting for alerts. */
  stopped: boolean;
  /** Aborts every wait (a signal, a lost stack). */
  hurry: AbortSignal;
  journal: Journal;
  progress: Progress;
}

export interface Evidence {
  requests: RequestSample[];
  dropped: DroppedSample[];
  /** When the load started: the first request, else when k6 was started. */
  loadStart: number;
  phases: PhaseData[];
  episodes: AlertEpisode[];
  /** The alerting rules Prometheus had loaded; undefined when it could not say. */
  loadedAlerts: Set<string> | undefined;
  phaseResults: PhaseResult[];
  series: RunResult['series'];
  /** The raw results, gzipped; null when k6 wrote none. */
  rawGz: string | null;
}

export async function gatherStage({
  plan,
  target,
  load,
  stopped,
  hurry,
  journal,
  progress,
}: GatherInput): Promise<Evidence> {
  const { rawFile, watcher } = load;
  const hasRaw = existsSync(rawFile);
  if (watcher) {
    if (!stopped && hasRaw) await waitForDetection(plan, rawFile, watcher, progress, hurry);
    // Once part of the stack is gone, or the run was interrupted, there is no further scrape to wait for.
    await sleep(LAST_SCRAPE_WAIT_MS, hurry);
    await watcher.stop();
  }
  const { requests, dropped } = hasRaw ? await readRawResults(rawFile) : { requests: [], dropped: [] };
  const loadStart = loadStartOf(requests) ?? load.loadStartedAt ?? Date.now();
  const phases = phaseData(plan.phases, loadStart, requests, dropped);
  const episodes = watcher?.episodes ?? [];
  const prometheus = target?.prometheus;
  const loadedAlerts = prometheus ? await prometheus.alertRuleNames().catch(() => undefined) : undefined;
  const loadEnd = Math.max(...phases.map((p) => p.endMs));
  const [phaseResults, series] = await Promise.all([
    phaseResultsOf(phases, prometheus, journal, (target?.replicas.length ?? 1) > 1, load.placements),
    prometheus
      ? serverSeries(prometheus, loadStart, loadEnd + LAST_SCRAPE_WAIT_MS).catch((error: Error) => {
          journal.write('prometheus.series-failed', { error: error.message });
          return null;
        })
      : null,
  ]);
  const rawGz = hasRaw ? `${rawFile}.gz` : null;
  if (rawGz) {
    await pipeline(createReadStream(rawFile), createGzip(), createWriteStream(rawGz));
    rmSync(rawFile);
  }
  return {
    requests,
    dropped,
    loadStart,
    phases,
    episodes,
    loadedAlerts,
    phaseResults,
    series: { ...clientSeries(requests), ...(series ?? emptyServerSeries()) },
    rawGz,
  };
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
