// Open-model load: arrival-rate executors start iterations on a clock, whatever the
// service does, so a slow service cannot slow the load (no coordinated omission). They
// need enough VUs to hold every request in flight. Little's law: in flight = rate × latency.

export interface VuSizing {
  preAllocatedVUs: number;
  maxVUs: number;
}

/** Pre-allocated VUs over the mean in flight: latency varies, and a hiccup must not run out. */
const HEADROOM = 1.5;

/**
 * VUs for `ratePerSecond` iterations when the slowest expected iteration takes
 * `slowestLatencyMs`. k6 drops the iterations that find no free VU while it initialises one
 * mid-test, so the pre-allocated VUs hold what is in flight at that latency with 50% headroom
 * (plus the VU that starts an iteration while another finishes); twice as many at most, for
 * latency beyond what was expected. Past that, `dropped_iterations` counts what was lost.
 */
export function sizeVUs(ratePerSecond: number, slowestLatencyMs: number): VuSizing {
  if (!(ratePerSecond > 0) || !(slowestLatencyMs > 0)) {
    throw new Error(`sizeVUs needs a positive rate and latency (got ${ratePerSecond}/s, ${slowestLatencyMs} ms)`);
  }
  const inFlight = (ratePerSecond * slowestLatencyMs) / 1000;
  const preAllocatedVUs = Math.ceil(HEADROOM * inFlight) + 1;
  return { preAllocatedVUs, maxVUs: 2 * preAllocatedVUs };
}
