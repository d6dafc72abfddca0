import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';
import { EXEMPLAR_TRACE_ID, LABELS, METRICS, NO_RESPONSE_STATUS } from '../../../chaos/contract/metrics';
import { onResponseClose } from '../response-close';
import { sampledTraceId } from './exemplar';
import { HistogramSeries } from './histogram-series';
import { isOperationalRoute, routeLabel, type HttpDurationLabel } from './http-metrics';

/** The path of a request without its query string. */
export function requestPath(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Records `http_server_request_duration_seconds` at the HTTP layer (Fastify hooks, not a
 * Nest interceptor), so 404s, errors answered by Fastify itself and requests that end with
 * no response at all (a fault's reset, a client going away) are all counted.
 */
@Injectable()
export class HttpMetricsHooks {
  /** By route, method and status: each label set's series, made on its first request. */
  private readonly series = new Map<string, Map<string, Map<number | string, HistogramSeries<HttpDurationLabel>>>>();

  constructor(@InjectMetric(METRICS.httpServerDuration) private readonly duration: Histogram<HttpDurationLabel>) {}

  register(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      this.track(request, reply);
      done();
    });
  }

  private track(request: FastifyRequest, reply: FastifyReply): void {
    const template = request.routeOptions.url;
    if (isOperationalRoute(template ?? requestPath(request))) return;
    const started = performance.now();
    const route = routeLabel(template);
    // The request's server span (request-span.hooks.ts) is active here when it was sampled.
    const traceId = sampledTraceId(request.headers);
    onResponseClose(reply.raw, () => {
      const status = reply.raw.writableFinished ? reply.raw.statusCode : NO_RESPONSE_STATUS;
      this.seriesOf(route, request.method, status).observe(
        (performance.now() - started) / 1000,
        // Sampled requests only: an exemplar is a trace id the trace backend holds.
        traceId ? { [EXEMPLAR_TRACE_ID]: traceId } : undefined,
      );
    });
  }

  private seriesOf(route: string, method: string, status: number | string): HistogramSeries<HttpDurationLabel> {
    let byMethod = this.series.get(route);
    if (!byMethod) this.series.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) {
      const labels = { [LABELS.method]: method, [LABELS.route]: route, [LABELS.status]: String(status) };
      byStatus.set(status, (series = new HistogramSeries(this.duration, labels)));
    }
    return series;
  }
}
