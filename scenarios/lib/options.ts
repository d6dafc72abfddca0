// k6 options every Roque scenario shares: trend stats for the summary, bounded tags
// (route templates in `name`, never raw URLs), testid on every sample.
import type { Options, Threshold } from 'k6/options';
import type { Settings } from './settings';
import { trendStatsFor } from './thresholds';

/** Stats the summary carries for every trend (p(50) is `med`). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/**
 * k6's default system tags without `url` (raw URLs are unbounded labels: /admin/faults/<id>)
 * and without the TLS, subprotocol and gRPC service tags that plain HTTP never varies.
 */
export const SYSTEM_TAGS = [
  'proto',
  'status',
  'method',
  'name',
  'group',
  'check',
  'error',
  'error_code',
  'scenario',
  'expected_response',
];

/** Options every scenario shares, around its scenarios and thresholds. */
export function scenarioOptions(
  settings: Settings,
  scenarios: Options['scenarios'],
  thresholds: Record<string, Threshold[]>,
): Options {
  return {
    scenarios,
    thresholds,
    summaryTrendStats: trendStatsFor(thresholds, SUMMARY_TREND_STATS),
    systemTags: SYSTEM_TAGS,
    // Load goes to loopback only: a redirect could send it anywhere, so none is followed.
    maxRedirects: 0,
    setupTimeout: '30s',
    teardownTimeout: '30s',
    ...(settings.testid ? { tags: { testid: settings.testid } } : {}),
  };
}
