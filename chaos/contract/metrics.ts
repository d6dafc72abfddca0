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

/** Tags k6 puts on every sample (remote write turns them into labels). */
export const K6_TAGS = { testid: 'testid', phase: 'phase' } as const;

/** Histogram buckets (seconds) shared by the server and injected-delay histograms. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1,
  1.5, 2, 3, 5, 10,
];
