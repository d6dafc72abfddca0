// One phase of a run with its time window and the requests k6 made in it, and the
// client-side figures computed from them.
import type { PlannedPhase } from '../experiment/plan';
import type { ClientPhaseFigures, Estimate as EstimateJson } from '../report/result-schema';
import { bootstrapQuantile, hodgesLehmann, wilsonInterval, type Estimate } from '../stats';
import type { DroppedSample, RequestSample } from './raw-results';

export interface PhaseData {
  planned: PlannedPhase;
  /** Absolute window, ms since the epoch. */
  startMs: number;
  endMs: number;
  requests: RequestSample[];
  droppedIterations: number;
}

/** Splits a run's samples by phase; `loadStartMs` is when k6's first phase began. */
export function phaseData(
  phases: PlannedPhase[],
  loadStartMs: number,
  requests: RequestSample[],
  dropped: DroppedSample[],
): PhaseData[] {
  return phases.map((planned) => ({
    planned,
    startMs: loadStartMs + planned.startMs,
    endMs: loadStartMs + planned.startMs + planned.durationMs,
    requests: requests.filter((r) => r.phase === planned.name),
    droppedIterations: dropped.filter((d) => d.phase === planned.name).reduce((sum, d) => sum + d.count, 0),
  }));
}

/** When the load began: the first request's start (its end minus its duration). */
export function loadStartOf(requests: RequestSample[]): number | null {
  let start = Infinity;
  for (const r of requests) start = Math.min(start, r.t - r.durationMs);
  return Number.isFinite(start) ? Math.floor(start) : null;
}

/** Latencies of the requests that got a response (a reset has no meaningful duration). */
export function latenciesOf(requests: RequestSample[]): number[] {
  return requests.filter((r) => r.status !== 0).map((r) => r.durationMs);
}

/** `reference`: the phase shifts are measured against (the first), or null for that phase itself. */
export function clientFigures(phase: PhaseData, reference: PhaseData | null, seed: number): ClientPhaseFigures {
  const latencies = latenciesOf(phase.requests);
  const referenceLatencies = reference ? latenciesOf(reference.requests) : [];
  const failed = phase.requests.filter((r) => r.failed).length;
  const percentile = (p: number) => toJson(bootstrapQuantile(latencies, p, { seed }));
  return {
    requests: phase.requests.length,
    failed,
    errorShare: toJson(wilsonInterval(failed, phase.requests.length)),
    latencyMs: { p50: percentile(0.5), p95: percentile(0.95), p99: percentile(0.99) },
    latencyShiftMs:
      latencies.length && referenceLatencies.length ? toJson(hodgesLehmann(referenceLatencies, latencies)) : null,
    achievedRps: phase.requests.length / (phase.planned.durationMs / 1000),
    droppedIterations: phase.droppedIterations,
  };
}

/** JSON has no NaN: missing figures become null. */
export function toJson(estimate: Estimate): EstimateJson {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return { ...estimate, value: finite(estimate.value), low: finite(estimate.low), high: finite(estimate.high) };
}
