import { METRICS } from '../../../chaos/contract/metrics';
import { metricProvider } from '../metrics/metric-provider';
import { CHAOS_METRIC_FACTORIES } from './core/chaos-metrics';

export type { DelayClampedLabel, FaultActiveLabel, InjectedDelayLabel, InjectionLabel } from './core/chaos-metrics';

/** The ground-truth metrics (defined in the framework-free core) as Nest providers. */
export const chaosMetricProviders = [
  METRICS.faultActive,
  METRICS.injectedDelay,
  METRICS.injections,
  METRICS.delayClamped,
].map((name) => metricProvider<unknown>(name, CHAOS_METRIC_FACTORIES[name]));
