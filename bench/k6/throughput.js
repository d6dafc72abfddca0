// One benchmark run against one server: a warm-up, then either a closed-model saturation
// (MODE=max: as many requests as VUS connections can carry) or an open-model fixed rate
// (MODE=rate: RATE requests per second, for latency at a load every server can hold).
import http from 'k6/http';
import { check } from 'k6';

const MODE = __ENV.MODE || 'max';
const WARMUP = __ENV.WARMUP || '3s';
const DURATION = __ENV.DURATION || '10s';
const VUS = Number(__ENV.VUS || 32);
const RATE = Number(__ENV.RATE || 500);
const BASE_URL = __ENV.BASE_URL;

const measure =
  MODE === 'max'
    ? { executor: 'constant-vus', vus: VUS, duration: DURATION }
    : { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: VUS, maxVUs: VUS * 4 };

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(99)', 'max'],
  scenarios: {
    warmup: { executor: 'constant-vus', vus: Math.min(VUS, 8), duration: WARMUP, tags: { stage: 'warmup' } },
    measure: { ...measure, startTime: WARMUP, tags: { stage: 'measure' } },
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
