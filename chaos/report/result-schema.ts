// The schema of `reports/<run-id>/result.json`: what a run found, for CI, dashboards and
// the HTML report. `result.schema.json` beside this file is generated from it
// (`resultJsonSchema()`; report.spec.ts keeps the two equal and says how to regenerate).
import { z } from 'zod';
import { FaultSpec } from '../contract/faults';

/** A figure with its confidence interval and the sample size behind it. */
export const Estimate = z.object({
  value: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  confidence: z.number(),
  n: z.number().int(),
});

export const ClientPhaseFigures = z.object({
  requests: z.number().int(),
  failed: z.number().int(),
  /** Share of failed requests, Wilson interval. */
  errorShare: Estimate,
  /** Client-side latency percentiles, ms, with bootstrap intervals. */
  latencyMs: z.object({ p50: Estimate, p95: Estimate, p99: Estimate }),
  /** Hodges-Lehmann shift of latency against the first phase, ms (null for the first phase). */
  latencyShiftMs: Estimate.nullable(),
  achievedRps: z.number(),
  /** Iterations k6 could not start (no free VU): a percentile next to this many drops is biased. */
  droppedIterations: z.number().int(),
});

export const ServerPhaseFigures = z.object({
  requests: z.number().nullable(),
  errorShare: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  /** Ground truth from the fault engine: mean injected delay, ms, and requests acted on per fault type. */
  injectedDelayMs: z.number().nullable(),
  injections: z.record(z.string(), z.number()),
  /** The slowest requests of the phase that were traced (the histogram's exemplars), slowest first. */
  slowestSampled: z.array(z.object({ traceId: z.string(), durationMs: z.number(), at: z.iso.datetime() })).optional(),
  /** With replicas (`--replicas M`): what each one served and had injected, by its scrape instance. */
  replicas: z
    .array(z.object({ instance: z.string(), requests: z.number(), injections: z.record(z.string(), z.number()) }))
    .optional(),
});

export const PhaseResult = z.object({
  name: z.string(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  durationMs: z.number(),
  faults: z.array(FaultSpec),
  client: ClientPhaseFigures,
  /** From Prometheus; null when it could not be asked. */
  server: ServerPhaseFigures.nullable(),
  /** Faults with a blast radius created in this phase, and the replicas (scrape instances) chosen for each. */
  placements: z.array(z.object({ faultId: z.string(), type: z.string(), instances: z.array(z.string()) })).optional(),
});

export const CheckResult = z.object({
  name: z.string(),
  kind: z.enum(['fidelity', 'steady-state', 'detection', 'quiet', 'recovery']),
  phase: z.string(),
  passed: z.boolean(),
  expected: z.string().describe('What the experiment claims, in words and numbers'),
  observed: z.string().describe('What the run measured, with intervals and sample sizes'),
  details: z
    .record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]))
    .describe('The numbers behind observed, for machines'),
});

export const DetectionResult = z.object({
  alert: z.string(),
  phase: z.string(),
  faultStart: z.iso.datetime(),
  faultEnd: z.iso.datetime(),
  firedAt: z.iso.datetime().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  /** Seconds from the fault's start to the alert firing. */
  timeToDetectSeconds: z.number().nullable(),
  /** Seconds from the fault's end to the alert resolving. */
  timeToResolveSeconds: z.number().nullable(),
});

export const AlertEpisodeResult = z.object({
  alert: z.string(),
  firedAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
});

/** One point per interval; null where there was no data. */
export const SeriesPoint = z.object({ t: z.number(), v: z.number().nullable() });
const Series = z.array(SeriesPoint);

const RunnerResult = z.object({
  instanceId: z.string().describe('k6 instance_id tag, 1-based'),
  segment: z.string().describe('--execution-segment'),
  rate: z.number().describe('its share of the experiment rate, requests/s'),
  switchesFaults: z.boolean(),
  k6ExitCode: z.number().nullable(),
  k6Meaning: z.string().nullable(),
  requests: z.number(),
  failedRequests: z.number(),
  droppedIterations: z.number(),
});

export const RunResult = z.object({
  schemaVersion: z.literal(1),
  runId: z.string().describe('Name of the run folder: <UTC time>-<experiment>-<random>'),
  experiment: z.object({ name: z.string(), description: z.string().optional(), file: z.string() }),
  quick: z.boolean(),
  status: z
    .enum(['passed', 'failed', 'aborted'])
    .describe('passed: every check held; failed: one did not; aborted: stopped early (abortReason says why)'),
  /** Why the run stopped early (an abort condition, a signal, an error). */
  abortReason: z.string().nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  /** The whole run including start-up and clean-up, seconds. */
  wallSeconds: z.number(),
  target: z.object({
    app: z.string(),
    prometheus: z.string(),
    startedLocally: z.boolean(),
    /** `--replicas M`: every replica's base URL (the load is spread over them; app is the first). */
    replicas: z.array(z.string()).optional(),
  }),
  load: z.object({
    scenario: z.string(),
    rate: z.number(),
    k6ExitCode: z.number().nullable(),
    k6Meaning: z.string().nullable(),
    /** A split load's runners (`--runners N`), each with its share of the merged raw results. */
    runners: z.array(RunnerResult).optional(),
  }),
  phases: z
    .array(PhaseResult)
    .describe(
      'Each phase with its window, faults, client figures (from every k6 request) and server figures (Prometheus)',
    ),
  checks: z.array(CheckResult).describe('The verdict: one entry per check of the experiment'),
  detection: z.array(DetectionResult).describe('Time to detect and to resolve, one entry per detection check'),
  alerts: z.array(AlertEpisodeResult).describe('Every alert seen firing during the run'),
  /** Time series for the report's charts (t: ms since the epoch). */
  series: z.object({
    clientP50Ms: Series,
    clientP95Ms: Series,
    clientRps: Series,
    clientErrorShare: Series,
    serverP95Ms: Series,
    serverRps: Series,
    serverErrorShare: Series,
    injectedDelayMs: Series,
    cpuCores: Series,
    eventLoopLagMs: Series,
    residentMemoryMb: Series,
  }),
  /** Paths relative to the run's folder. */
  files: z.object({
    raw: z.string().nullable(),
    k6Summary: z.string().nullable(),
    journal: z.string(),
    /** The run's dashboard pages (dashboards/<name>.html); absent with --no-dashboards. */
    dashboards: z.array(z.string()).optional(),
    /** k6's own web dashboard export; null when k6 wrote none. */
    k6Dashboard: z.string().nullable().optional(),
  }),
  /** The final kill switch (DELETE /admin/faults after the load): a run it failed for has not passed. */
  killSwitch: z.object({ cleared: z.boolean(), error: z.string().nullable() }).optional(),
});

export type Estimate = z.infer<typeof Estimate>;
export type ClientPhaseFigures = z.infer<typeof ClientPhaseFigures>;
export type ServerPhaseFigures = z.infer<typeof ServerPhaseFigures>;
export type PhaseResult = z.infer<typeof PhaseResult>;
export type CheckResult = z.infer<typeof CheckResult>;
export type DetectionResult = z.infer<typeof DetectionResult>;
export type RunResult = z.infer<typeof RunResult>;
export type SeriesPoint = z.infer<typeof SeriesPoint>;
export type SeriesName = keyof RunResult['series'];

export function resultJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RunResult, { io: 'output' }) as Record<string, unknown>;
}
