// Open-model load: arrival-rate executors start iterations on a clock, whatever the
// service does, so a slow service cannot slow the load (no coordinated omission). They
// need enough VUs to hold every request in flight. Little's law: in flight = rate × latency.

export interface VuSizing {
  preAllocatedVUs: number;
  maxVUs: number;
}

/**
 * VUs for `ratePerSecond` iterations when the slowest expected iteration takes
 * `slowestLatencyMs`: enough pre-allocated VUs that no VU is initialised mid-test (that
 * would skew timings), and twice as many at most, as headroom for latency beyond what was
 * expected. Past that k6 drops iterations and counts them in `dropped_iterations`.
 */
export function sizeVUs(ratePerSecond: number, slowestLatencyMs: number): VuSizing {
  if (!(ratePerSecond > 0) || !(slowestLatencyMs > 0)) {
    throw new Error(`sizeVUs needs a positive rate and latency (got ${ratePerSecond}/s, ${slowestLatencyMs} ms)`);
  }
  const inFlight = Math.max(1, Math.ceil((ratePerSecond * slowestLatencyMs) / 1000));
  return { preAllocatedVUs: inFlight, maxVUs: 2 * inFlight };
}
