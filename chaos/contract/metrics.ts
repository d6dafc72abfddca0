// Metric and label names from docs/contract.md, in one place. The app registers them,
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
  /** Requests whose summed latency-fault delay was cut to the cap (CHAOS_MAX_DELAY_MS). */
  delayClamped: 'chaos_delay_clamped_total',
  /** Requests the fault proxy could not pass to its upstream (refused, reset, ...): never injected. */
  proxyUpstreamFailures: 'roque_proxy_upstream_failures_total',
} as const;

export const LABELS = {
  method: 'http_request_method',
  route: 'http_route',
  status: 'http_response_status_code',
  faultType: 'type',
  faultId: 'fault_id',
  /** Prometheus' own target label: which replica a series came from. */
  instance: 'instance',
  /** Why the proxy's upstream failed: the socket error code (ECONNREFUSED, ECONNRESET, ...). */
  upstreamError: 'error',
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
/** instance_id: which k6 runner of a split load sent a sample (the k6-operator's tag, 1-based). */
export const K6_TAGS = { testid: 'testid', phase: 'phase', instance: 'instance_id' } as const;

/**
 * A testid: a label value and a folder name (reports/k6/<testid>), so letters, digits and
 * "_.:-" only, starting with a letter or digit (never `.` or `..`), at most 128.
 */
export const TESTID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Why `value` is no testid, or null when it is one. */
export function testidProblem(value: string, what = 'TESTID'): string | null {
  return TESTID_PATTERN.test(value)
    ? null
    : `${what} may hold only letters, digits and "_.:-", start with a letter or digit, at most 128 (got "${value}")`;
}

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

/** Recording rules of stack/prometheus/rules/golden-signals.yml that dashboards and reports read. */
export const RULES = {
  serverRate: 'job:http_server_requests:rate20s',
  server5xxRatio: 'job:http_server_requests_5xx:ratio_rate20s',
  serverP50: 'job:http_server_request_duration_seconds:p50_rate20s',
  serverP95: 'job:http_server_request_duration_seconds:p95_rate20s',
  serverP99: 'job:http_server_request_duration_seconds:p99_rate20s',
  faultsActiveByType: 'type:chaos_fault_active:sum',
  injectedDelayP95: 'job:chaos_injected_delay_seconds:p95_rate20s',
  injectionsRateByType: 'job_type:chaos_injections:rate20s',
  injectedErrorsRatio: 'job:chaos_injected_errors:ratio_rate20s',
  k6Rate: 'testid_phase:k6_http_reqs:rate20s',
  k6FailedRatio: 'testid_phase:k6_http_req_failed:ratio_rate20s',
  k6DurationP50: 'testid_phase:k6_http_req_duration_p50:max',
  k6DurationP95: 'testid_phase:k6_http_req_duration_p95:max',
  k6DurationP99: 'testid_phase:k6_http_req_duration_p99:max',
  /** 1 for each (testid, phase) while that phase sends requests: attributes app series to phases. */
  phaseActive: 'testid_phase:k6_phase_active:bool',
  phaseServerRate: 'testid_phase:http_server_requests:rate20s',
  phaseServer5xxRatio: 'testid_phase:http_server_requests_5xx:ratio_rate20s',
  phaseServerP95: 'testid_phase:http_server_request_duration_seconds:p95_rate20s',
  phaseInjectedDelayP95: 'testid_phase:chaos_injected_delay_seconds:p95_rate20s',
  phaseInjectedErrorsRatio: 'testid_phase:chaos_injected_errors:ratio_rate20s',
} as const;

/** k6's own series as remote write names them (`k6 run -o experimental-prometheus-rw`). */
export const K6_METRICS = {
  reqs: 'k6_http_reqs_total',
  checksRate: 'k6_checks_rate',
  droppedIterations: 'k6_dropped_iterations_total',
  iterations: 'k6_iterations_total',
  dataReceived: 'k6_data_received_total',
  vus: 'k6_vus',
  vusMax: 'k6_vus_max',
} as const;

/** prom-client's default Node metrics the dashboards show (saturation). */
export const NODE_METRICS = {
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  cpuSeconds: 'process_cpu_seconds_total',
  heapUsed: 'nodejs_heap_size_used_bytes',
  residentMemory: 'process_resident_memory_bytes',
} as const;
