// Steady open-model load on GET / for the fidelity, detection and harness benchmarks:
// RATE requests per second for DURATION, every request tagged with PHASE (the raw CSV output
// then splits by phase the way chaos/runner/raw-results.ts reads it). VUs come from RATE and
// MAX_LATENCY_MS by Little's law, as scenarios/lib/sizing.ts sizes them.
import http from 'k6/http';

const RATE = Number(__ENV.RATE || 100);
const MAX_LATENCY_MS = Number(__ENV.MAX_LATENCY_MS || 100);
const inFlight = (RATE * MAX_LATENCY_MS) / 1000;
const preAllocatedVUs = Math.ceil(1.5 * inFlight) + 1;

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION || '10s',
      preAllocatedVUs,
      maxVUs: 2 * preAllocatedVUs,
      tags: { phase: __ENV.PHASE || 'steady' },
    },
  },
};

export default function () {
  http.get(`${__ENV.BASE_URL}/`, { tags: { name: '/' } });
}

export function handleSummary(data) {
  return __ENV.SUMMARY_FILE ? { [__ENV.SUMMARY_FILE]: JSON.stringify(data) } : {};
}
