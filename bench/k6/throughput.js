// The throughput suite's fixed-rate run against one server (already warmed up by the wrk
// runs): an open-model constant arrival rate, RATE requests per second for DURATION. The
// bench reads the server's CPU time over the run from /proc, so CPU per request is a figure
// that does not depend on how fast k6 is; it also reads the latency at that rate.
import http from 'k6/http';
import { check } from 'k6';

const DURATION = __ENV.DURATION || '8s';
const VUS = Number(__ENV.VUS || 64);
const RATE = Number(__ENV.RATE || 1000);
const BASE_URL = __ENV.BASE_URL;

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
  scenarios: {
    // All VUs allocated up front: k6 drops iterations while it initialises a VU mid-test.
    measure: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: VUS,
      maxVUs: VUS,
      tags: { stage: 'measure' },
    },
  },
  // Thresholds that always hold make k6 keep the measured stage's sub-metrics in the summary.
  thresholds: {
    'http_reqs{stage:measure}': ['count>=0'],
    'http_req_duration{stage:measure}': ['max>=0'],
    'http_req_failed{stage:measure}': ['rate>=0'],
    'dropped_iterations{stage:measure}': ['count>=0'],
  },
};

export default function () {
  const res = http.get(`${BASE_URL}/`);
  check(res, { 'status 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY_FILE]: JSON.stringify(data) };
}
