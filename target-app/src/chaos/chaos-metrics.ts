import { Counter, Gauge, Histogram } from 'prom-client';
import { LABELS, LATENCY_BUCKETS, METRICS } from '../../../chaos/contract/metrics';
import { metricProvider } from '../metrics/metric-provider';

export type FaultActiveLabel = typeof LABELS.faultType | typeof LABELS.faultId;
export type InjectedDelayLabel = typeof LABELS.route;
export type DelayClampedLabel = typeof LABELS.route;
export type InjectionLabel = typeof LABELS.faultType | typeof LABELS.route | typeof LABELS.status;

/** The ground truth: what the engine injected, to compare the monitoring against. */
export const chaosMetricProviders = [
  metricProvider(
    METRICS.faultActive,
    (registry) =>
      new Gauge<FaultActiveLabel>({
        name: METRICS.faultActive,
        help: '1 while a fault is active; the series is removed when the fault ends.',
        labelNames: [LABELS.faultType, LABELS.faultId],
        registers: [registry],
      }),
  ),
  metricProvider(
    METRICS.injectedDelay,
    (registry) =>
      new Histogram<InjectedDelayLabel>({
        name: METRICS.injectedDelay,
        help: 'Delay actually injected into requests by latency faults.',
        labelNames: [LABELS.route],
        buckets: LATENCY_BUCKETS,
        registers: [registry],
      }),
  ),
  metricProvider(
    METRICS.injections,
    (registry) =>
      new Counter<InjectionLabel>({
        name: METRICS.injections,
        help: 'Requests a fault acted on, by fault type, route and the status sent (0: no response).',
        labelNames: [LABELS.faultType, LABELS.route, LABELS.status],
        registers: [registry],
      }),
  ),
  metricProvider(
    METRICS.delayClamped,
    (registry) =>
      new Counter<DelayClampedLabel>({
        name: METRICS.delayClamped,
        help: 'Requests whose latency faults added up to more than CHAOS_MAX_DELAY_MS; they were held for the cap.',
        labelNames: [LABELS.route],
        registers: [registry],
      }),
  ),
];
