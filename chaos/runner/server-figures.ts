// What the server saw and what the fault engine injected, from Prometheus: per-phase
// figures (PromQL over each phase's window) and time series for the report's charts.
// Names come from chaos/contract/metrics.ts; the load hits the dice route `/` only.
import { MAX_DELAY_MS } from '../contract/faults';
import { EXEMPLAR_TRACE_ID, LABELS, METRICS } from '../contract/metrics';
import type { RunResult, SeriesName, SeriesPoint, ServerPhaseFigures } from '../report/result-schema';
import type { PhaseData } from './phase-data';
import type { PrometheusClient } from './prometheus';

const DICE = `${LABELS.route}="/"`;
const COUNT = `${METRICS.httpServerDuration}_count`;
const BUCKET = `${METRICS.httpServerDuration}_bucket`;
const SERVER_5XX = `${DICE},${LABELS.status}=~"5.."`;
/** prom-client's default Node metrics (the app's saturation signals). */
const NODE = {
  cpu: 'process_cpu_seconds_total',
  lag: 'nodejs_eventloop_lag_p99_seconds',
  memory: 'process_resident_memory_bytes',
};
/** Window of the charts' rates: four 5 s scrapes, as the stack's recording rules use. */
const RATE_WINDOW = '20s';
/** How many of a phase's slowest traced requests the report lists. */
const SLOWEST_SAMPLED = 5;
export const SERIES_STEP_SECONDS = 2;

export async function serverFigures(prometheus: PrometheusClient, phase: PhaseData): Promise<ServerPhaseFigures> {
  const at = phase.endMs;
  const w = `${Math.max(1, Math.round((phase.endMs - phase.startMs) / 1000))}s`;
  const quantile = async (q: number) =>
    ms(await prometheus.scalar(`histogram_quantile(${q}, sum by (le) (increase(${BUCKET}{${DICE}}[${w}])))`, at));
  const [requests, errors, p50Ms, p95Ms, p99Ms, delaySum, delayCount, injections, exemplars] = await Promise.all([
    prometheus.scalar(`sum(increase(${COUNT}{${DICE}}[${w}]))`, at),
    prometheus.scalar(`sum(increase(${COUNT}{${SERVER_5XX}}[${w}]))`, at),
    quantile(0.5),
    quantile(0.95),
    quantile(0.99),
    prometheus.scalar(`sum(increase(${METRICS.injectedDelay}_sum{${DICE}}[${w}]))`, at),
    prometheus.scalar(`sum(increase(${METRICS.injectedDelay}_count{${DICE}}[${w}]))`, at),
    prometheus.query(`sum by (${LABELS.faultType}) (increase(${METRICS.injections}{${DICE}}[${w}]))`, at),
    // Up to the longest delay a fault can add after the phase: its last requests end then.
    prometheus.exemplars(`${BUCKET}{${DICE}}`, phase.startMs, phase.endMs + MAX_DELAY_MS),
  ]);
  return {
    requests,
    errorShare: requests ? (errors ?? 0) / requests : null,
    p50Ms,
    p95Ms,
    p99Ms,
    injectedDelayMs: delayCount ? ms((delaySum ?? 0) / delayCount) : null,
    injections: Object.fromEntries(
      injections.map((s) => [s.metric[LABELS.faultType] ?? 'unknown', Math.round(s.value)]),
    ),
    slowestSampled: exemplars
      // A request belongs to the phase it started in, as k6 tags it; exemplars are stamped at its end.
      .filter(
        (e) =>
          e.labels[EXEMPLAR_TRACE_ID] && e.t - e.value * 1000 >= phase.startMs && e.t - e.value * 1000 < phase.endMs,
      )
      .sort((a, b) => b.value - a.value)
      .slice(0, SLOWEST_SAMPLED)
      .map((e) => ({
        traceId: e.labels[EXEMPLAR_TRACE_ID],
        durationMs: e.value * 1000,
        at: new Date(e.t).toISOString(),
      })),
  };
}

/** Each replica's requests and injections over the phase (Prometheus' `instance` of each scrape target). */
export async function replicaFigures(
  prometheus: PrometheusClient,
  phase: PhaseData,
): Promise<NonNullable<ServerPhaseFigures['replicas']>> {
  const w = `${Math.max(1, Math.round((phase.endMs - phase.startMs) / 1000))}s`;
  const [requests, injections] = await Promise.all([
    prometheus.query(`sum by (${LABELS.instance}) (increase(${COUNT}{${DICE}}[${w}]))`, phase.endMs),
    prometheus.query(
      `sum by (${LABELS.instance}, ${LABELS.faultType}) (increase(${METRICS.injections}{${DICE}}[${w}]))`,
      phase.endMs,
    ),
  ]);
  return requests
    .map((s) => {
      const instance = s.metric[LABELS.instance] ?? 'unknown';
      const mine = injections.filter((i) => i.metric[LABELS.instance] === instance);
      return {
        instance,
        requests: Math.round(s.value),
        injections: Object.fromEntries(mine.map((i) => [i.metric[LABELS.faultType] ?? 'unknown', Math.round(i.value)])),
      };
    })
    .sort((a, b) => a.instance.localeCompare(b.instance, 'en', { numeric: true }));
}

type ServerSeries = Pick<
  RunResult['series'],
  | 'serverP95Ms'
  | 'serverRps'
  | 'serverErrorShare'
  | 'injectedDelayMs'
  | 'cpuCores'
  | 'eventLoopLagMs'
  | 'residentMemoryMb'
>;

export async function serverSeries(
  prometheus: PrometheusClient,
  startMs: number,
  endMs: number,
): Promise<ServerSeries> {
  const queries: Record<keyof ServerSeries, [string, number]> = {
    serverP95Ms: [`histogram_quantile(0.95, sum by (le) (rate(${BUCKET}{${DICE}}[${RATE_WINDOW}])))`, 1000],
    serverRps: [`sum(rate(${COUNT}{${DICE}}[${RATE_WINDOW}]))`, 1],
    serverErrorShare: [
      `(sum(rate(${COUNT}{${SERVER_5XX}}[${RATE_WINDOW}])) or vector(0)) / sum(rate(${COUNT}{${DICE}}[${RATE_WINDOW}]))`,
      1,
    ],
    injectedDelayMs: [
      `sum(rate(${METRICS.injectedDelay}_sum{${DICE}}[${RATE_WINDOW}])) / sum(rate(${METRICS.injectedDelay}_count{${DICE}}[${RATE_WINDOW}]))`,
      1000,
    ],
    cpuCores: [`sum(rate(${NODE.cpu}[${RATE_WINDOW}]))`, 1],
    eventLoopLagMs: [`max(${NODE.lag})`, 1000],
    residentMemoryMb: [`sum(${NODE.memory})`, 1 / 2 ** 20],
  };
  const entries = await Promise.all(
    Object.entries(queries).map(async ([name, [expr, scale]]) => {
      const [series] = await prometheus.queryRange(expr, startMs, endMs, SERIES_STEP_SECONDS);
      const points: SeriesPoint[] = (series?.values ?? []).map(([t, v]) => ({
        t: t * 1000,
        v: Number.isFinite(v) ? v * scale : null,
      }));
      return [name, points] as [SeriesName, SeriesPoint[]];
    }),
  );
  return Object.fromEntries(entries) as ServerSeries;
}

function ms(seconds: number | null): number | null {
  return seconds === null ? null : seconds * 1000;
}
