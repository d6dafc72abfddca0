// The ground-truth chaos_* metrics, defined once for every adapter (the NestJS module, the proxy).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LABELS, LATENCY_BUCKETS, METRICS } from '../../../../chaos/contract/metrics';

export type FaultActiveLabel = typeof LABELS.faultType | typeof LABELS.faultId;
export type InjectedDelayLabel = typeof LABELS.route;
export type DelayClampedLabel = typeof LABELS.route;
export type InjectionLabel = typeof LABELS.faultType | typeof LABELS.route | typeof LABELS.status;

/** The ground truth: what the engine injected, to compare the monitoring against. */
export const CHAOS_METRIC_FACTORIES = {
  [METRICS.faultActive]: (registry: Registry) =>
    new Gauge<FaultActiveLabel>({
      name: METRICS.faultActive,
      help: '1 while a fault is active; the series is removed when the fault ends.',
      labelNames: [LABELS.faultType, LABELS.faultId],
      registers: [registry],
    }),
  [METRICS.injectedDelay]: (registry: Registry) =>
    new Histogram<InjectedDelayLabel>({
      name: METRICS.injectedDelay,
      help: 'Delay actually injected into requests by latency faults.',
      labelNames: [LABELS.route],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  [METRICS.injections]: (registry: Registry) =>
    new Counter<InjectionLabel>({
      name: METRICS.injections,
      help: 'Requests a fault acted on, by fault type, route and the status sent (0: no response).',
      labelNames: [LABELS.faultType, LABELS.route, LABELS.status],
      registers: [registry],
    }),
  [METRICS.delayClamped]: (registry: Registry) =>
    new Counter<DelayClampedLabel>({
      name: METRICS.delayClamped,
      help: 'Requests whose latency faults added up to more than CHAOS_MAX_DELAY_MS; they were held for the cap.',
      labelNames: [LABELS.route],
      registers: [registry],
    }),
};

export interface ChaosMetrics {
  faultActive: Gauge<FaultActiveLabel>;
  injectedDelay: Histogram<InjectedDelayLabel>;
  injections: Counter<InjectionLabel>;
  delayClamped: Counter<DelayClampedLabel>;
}

/** Every chaos_* metric on `registry`, for adapters without dependency injection. */
export function createChaosMetrics(registry: Registry): ChaosMetrics {
  return {
    faultActive: CHAOS_METRIC_FACTORIES[METRICS.faultActive](registry),
    injectedDelay: CHAOS_METRIC_FACTORIES[METRICS.injectedDelay](registry),
    injections: CHAOS_METRIC_FACTORIES[METRICS.injections](registry),
    delayClamped: CHAOS_METRIC_FACTORIES[METRICS.delayClamped](registry),
  };
}
