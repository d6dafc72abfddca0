// Requests to the dice service, tagged with route templates (`name`), never raw URLs.
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import type { Settings } from './settings';
import { CONTROL_PHASE } from './phase';
import { newTraceContext, TRACE_ID_METADATA } from './trace-context';

/** The route every scenario loads, as the app labels it (`http_route`). */
export const DICE_ROUTE = '/';

/** One iteration of load: roll the dice and check the answer. */
export function rollDice(settings: Settings): void {
  const res = withTraceContext((headers) =>
    http.get(`${replicaOf(settings)}${DICE_ROUTE}`, { tags: { name: DICE_ROUTE }, headers }),
  );
  check(res, {
    'status is 200': (r) => r.status === 200,
    'dice_value is 1..6': (r) => {
      try {
        const value = r.json('dice_value');
        return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 6;
      } catch {
        return false;
      }
    },
  });
}

/** The replica this iteration loads: round-robin over BASE_URLS (iterationInTest is unique across runners). */
function replicaOf(settings: Settings): string {
  const urls = settings.baseUrls;
  return urls.length === 1 ? urls[0] : urls[exec.scenario.iterationInTest % urls.length];
}

/** Runs `request` with a new trace context (trace-context.ts); its samples carry the trace id as metadata. */
function withTraceContext<T>(request: (headers: { traceparent: string }) => T): T {
  const context = newTraceContext();
  const metadata = exec.vu.metrics.metadata;
  metadata[TRACE_ID_METADATA] = context.traceId;
  try {
    return request({ traceparent: context.traceparent });
  } finally {
    delete metadata[TRACE_ID_METADATA];
  }
}

/** For setup(): stops the test before any load when the target is down or unhealthy. */
export function requireHealthyTarget(settings: Settings): void {
  const res = http.get(`${settings.baseUrl}/health`, {
    tags: { name: '/health', phase: CONTROL_PHASE },
    timeout: '5s',
  });
  if (res.status === 0) {
    exec.test.abort(
      `target ${settings.baseUrl} is not reachable (${res.error}); start it (npm run app) or set BASE_URL`,
    );
  } else if (res.status !== 200) {
    exec.test.abort(
      `target ${settings.baseUrl} is not healthy: GET /health answered ${res.status} ${String(res.body).slice(0, 200)}`,
    );
  }
}
