// One benchmark run against one server: a warm-up, then either a closed-model saturation
// (MODE=max: as many requests as VUS connections can carry) or an open-model fixed rate
// (MODE=rate: RATE requests per second, for latency at a load every server can hold), or a
// ramping arrival rate (MODE=ramp: the rates in STEPS, each held STEP_SECONDS after a
// RAMP_SECONDS ramp; requests are tagged with the step they were sent in, `ramp` between
// plateaus, so the bench reads each plateau's count, failures and p99 from the summary).
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';

const MODE = __ENV.MODE || 'max';
const WARMUP = __ENV.WARMUP || '3s';
const DURATION = __ENV.DURATION || '10s';
const VUS = Number(__ENV.VUS || 32);
const RATE = Number(__ENV.RATE || 500);
const BASE_URL = __ENV.BASE_URL;
const STEPS = (__ENV.STEPS || '').split(',').filter(Boolean).map(Number);
const STEP_SECONDS = Number(__ENV.STEP_SECONDS || 4);
const RAMP_SECONDS = Number(__ENV.RAMP_SECONDS || 1);

const MEASURES = {
  max: { executor: 'constant-vus', vus: VUS, duration: DURATION },
  rate: { executor: 'constant-arrival-rate', rate: RATE, timeUnit: '1s', duration: DURATION, preAllocatedVUs: VUS, maxVUs: VUS * 4 },
  // All VUs allocated up front: k6 drops iterations while it initialises a VU mid-test, and
  // those drops would be the harness's, not the server's. Past VUS in flight, drops are the
  // server's: it no longer answers as fast as requests arrive.
  ramp: {
    executor: 'ramping-arrival-rate',
    startRate: STEPS[0] || 1,
    timeUnit: '1s',
    preAllocatedVUs: VUS,
    maxVUs: VUS,
    stages: STEPS.flatMap((target) => [
      { target, duration: `${RAMP_SECONDS}s` },
      { target, duration: `${STEP_SECONDS}s` },
    ]),
  },
};
const measure = MEASURES[MODE];

/** The plateau a request sent now belongs to, or `ramp`. */
function stepNow() {
  if (MODE !== 'ramp') return undefined;
  const elapsed = (Date.now() - exec.scenario.startTime) / 1000;
  const period = RAMP_SECONDS + STEP_SECONDS;
  const index = Math.floor(elapsed / period);
  return index < STEPS.length && elapsed - index * period >= RAMP_SECONDS ? String(index) : 'ramp';
}

const stepThresholds = Object.fromEntries(
  STEPS.flatMap((_, i) => [
    [`http_reqs{step:${i}}`, ['count>=0']],
    [`http_req_duration{step:${i}}`, ['max>=0']],
    [`http_req_failed{step:${i}}`, ['rate>=0']],
  ]),
);

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
    ...(MODE === 'ramp' ? stepThresholds : {}),
  },
};

export default function () {
  const step = exec.scenario.name === 'measure' ? stepNow() : undefined;
  const res = http.get(`${BASE_URL}/`, step === undefined ? undefined : { tags: { step } });
  check(res, { 'status 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY_FILE]: JSON.stringify(data) };
}
