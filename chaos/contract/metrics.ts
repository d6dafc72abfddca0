// Metric and label names from shared/CONTRACT.md, in one place. The app registers them,
// the stack's rules and dashboards query them, and the runner builds PromQL from them.

export const METRICS = {
  /** Server-side RED histogram, recorded at the HTTP layer. */
  httpServerDuration: 'http_server_request_duration_seconds',
  /** 1 while a fault is active. */
  faultActive: 'chaos_fault_active',
  /** The delay actually injected, per route. */
  injectedDelay: 'chaos_injected_delay_seconds',
  /** Requests a fault acted on. */
  injections: 'chaos_injections_total',
} as const;

export const LABELS = {
  method: 'http_request_method',
  route: 'http_route',
  status: 'http_response_status_code',
  faultType: 'type',
  faultId: 'fault_id',
} as const;

/** `http_route` of a request that matched no route; raw paths never become labels. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * `http_response_status_code` of a request that got no response at all (a fault's
 * connection reset, or a client that left first), as k6 reports such a request too.
 */
export const NO_RESPONSE_STATUS = '0';

/** The label of the request histogram's exemplars: the trace id of a sampled request. */
export const EXEMPLAR_TRACE_ID = 'trace_id';

/** Tags k6 puts on every sample (remote write turns them into labels). */
export const K6_TAGS = { testid: 'testid', phase: 'phase' } as const;

/**
 * Bucket layout (seconds) of the latency histograms, chosen for a stated error:
 * `histogram_quantile` interpolates linearly inside a bucket, so a quantile read from a
 * bucket [a, r·a] is off by at most (r − 1) of its value. `LATENCY_BUCKETS_PER_DECADE`
 * log-spaced bounds between 10 ms and 10 s give r = 10^(1/48) ≈ 1.049: every server
 * percentile in that range is within 5% of the true one. Below 10 ms (the app's own
 * sub-millisecond work, where loopback and k6 add more than that anyway) a few coarse
 * bounds; `SLO_LATENCY_BOUNDS` are kept exact for the rules that count `le` directly.
 */
export const LATENCY_BUCKETS_PER_DECADE = 48;
export const SLO_LATENCY_BOUNDS = [0.3] as const;
export const LATENCY_BUCKETS = latencyBuckets();

/** The layout above: `perDecade` bounds per decade from 10 ms to 10 s, rounded to 4 significant digits. */
export function latencyBuckets(perDecade = LATENCY_BUCKETS_PER_DECADE, fine: [number, number] = [0.01, 10]): number[] {
  const coarse = [0.0005, 0.001, 0.0025, 0.005];
  const steps = Math.round(Math.log10(fine[1] / fine[0]) * perDecade);
  const log = Array.from({ length: steps + 1 }, (_, k) => Number((fine[0] * 10 ** (k / perDecade)).toPrecision(4)));
  return [...new Set([...coarse, ...log, ...SLO_LATENCY_BOUNDS])].sort((a, b) => a - b);
}
