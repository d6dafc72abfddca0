import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { routeLabel } from './metrics/http-metrics';
import { requestPath } from './metrics/http-metrics.hooks';
import { onResponseClose } from './response-close';
import { startedTracing, type StartedTracing } from './tracing-handle';

/** Requests not worth a trace: scrapes and probes, several a second, all alike. */
export function isUntracedPath(path: string): boolean {
  return /^\/(metrics|health)(\/|\?|$)/.test(path);
}

/** The tracer the hook starts spans with, and the sampling decision it asks first. */
export interface RequestTracing {
  tracer: Tracer;
  sampled: StartedTracing['sampled'];
}

/** The SDK's tracer and head sampler when tracing.ts started them, else null. */
function sdkRequestTracing(): RequestTracing | null {
  const started = startedTracing();
  return started ? { tracer: trace.getTracer('dice-api'), sampled: started.sampled } : null;
}

/**
 * The one span a request makes: the HTTP server span, started in a Fastify onRequest hook
 * once routing has found the route template it is named by (`GET /`, `GET unmatched`), in
 * the context of the caller's `traceparent` (a sampled caller's choice wins).
 *
 * An unsampled request pays for the sampler's decision only: no span is made at all. Only
 * a sampled one gets a span, attributes, a listener that ends it, and the context the rest
 * of the request (its log line, its exemplar) runs in. The http instrumentation did all of
 * that for every request, sampled or not, and wrapped every listener of request and response
 * besides (the reason tracing cost half the throughput at 10% sampling).
 */
export function registerRequestSpans(
  fastify: FastifyInstance,
  tracing: RequestTracing | null = sdkRequestTracing(),
): void {
  // Untraced (tracing.ts did not start the SDK), a request pays nothing at all.
  if (!tracing) return;
  const { tracer, sampled } = tracing;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (isUntracedPath(request.url)) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = routeLabel(request.routeOptions.url);
    const name = `${request.method} ${route}`;
    if (!sampled(parent, name)) return done();
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
    if (!span.isRecording()) return done();
    span.setAttributes({
      'http.request.method': request.method,
      'http.route': route,
      'url.path': requestPath(request),
      'url.scheme': 'http',
    });
    endOnClose(span, reply);
    context.with(trace.setSpan(parent, span), done);
  });
}

/** Ends the span when the response is done or the connection went away first. */
function endOnClose(span: ReturnType<Tracer['startSpan']>, reply: FastifyReply): void {
  onResponseClose(reply.raw, () => {
    const raw = reply.raw;
    if (!raw.writableFinished) {
      span.setAttribute('error.type', 'no_response').setStatus({ code: SpanStatusCode.ERROR });
    } else {
      span.setAttribute('http.response.status_code', raw.statusCode);
      if (raw.statusCode >= 500)
        span.setAttribute('error.type', String(raw.statusCode)).setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  });
}
