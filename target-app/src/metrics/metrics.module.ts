import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS, METRICS } from '../../../chaos/contract/metrics';
import { HTTP_DURATION_LABELS } from './http-metrics';
import { openMetricsRegistry } from './exposition';
import { HttpMetricsHooks } from './http-metrics.hooks';
import { MetricsController } from './metrics.controller';
import { metricProvider } from './metric-provider';

/** The app's own Registry with prom-client's default Node metrics (event loop, heap, CPU). */
function createRegistry(): Registry {
  const registry = openMetricsRegistry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

@Global()
@Module({
  imports: [
    PrometheusModule.register({ controller: MetricsController, path: '/metrics', defaultMetrics: { enabled: false } }),
  ],
  providers: [
    { provide: Registry, useFactory: createRegistry },
    metricProvider(
      METRICS.httpServerDuration,
      (registry) =>
        new Histogram({
          name: METRICS.httpServerDuration,
          help: 'Duration of HTTP server requests, from arrival to the end of the response (or of the connection).',
          labelNames: HTTP_DURATION_LABELS,
          buckets: LATENCY_BUCKETS,
          // Trace ids of sampled requests, exposed to OpenMetrics scrapes (exposition.ts).
          enableExemplars: true,
          registers: [registry],
        }),
    ),
    HttpMetricsHooks,
  ],
  exports: [Registry, HttpMetricsHooks],
})
export class MetricsModule {}
