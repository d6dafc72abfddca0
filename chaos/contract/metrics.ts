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

/** Tags k6 puts on every sample (remote write turns them into labels). */
export const K6_TAGS = { testid: 'testid', phase: 'phase' } as const;

/**
 * A testid: a label value and a folder name (reports/k6/<testid>), so letters, digits and
 * "_.:-" only, starting with a letter or digit (never `.` or `..`), at most 128.
 */
export const TESTID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Why `value` is no testid, or null when it is one. */
export function testidProblem(value: string, what = 'TESTID'): string | null {
  return TESTID_PATTERN.test(value) ? null : `${what} may hold only letters, digits and "_.:-", start with a letter or digit, at most 128 (got "${value}")`;
}

/** Histogram buckets (seconds) shared by the server and injected-delay histograms. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1,
  1.5, 2, 3, 5, 10,
];
