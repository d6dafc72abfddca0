import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram, LabelValues } from 'prom-client';
import { EXEMPLAR_TRACE_ID, LABELS, METRICS, NO_RESPONSE_STATUS } from '../../../chaos/contract/metrics';
import { sampledTraceId } from './exemplar';
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
    // 'close' fires once per response, whether it finished or the connection went away first.
    reply.raw.once('close', () => {
      this.duration.observe({
        labels: {
          [LABELS.method]: request.method,
          [LABELS.route]: route,
          [LABELS.status]: reply.raw.writableFinished ? String(reply.raw.statusCode) : NO_RESPONSE_STATUS,
        },
        value: (performance.now() - started) / 1000,
        // Sampled requests only: an exemplar is a trace id the trace backend holds.
        // (prom-client types exemplar labels as the metric's own label names; they are not.)
        exemplarLabels: traceId ? ({ [EXEMPLAR_TRACE_ID]: traceId } as LabelValues<HttpDurationLabel>) : undefined,
      });
    });
  }
}
