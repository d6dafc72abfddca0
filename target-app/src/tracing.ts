// Loaded with `node --import` before anything else, so the http instrumentation patches
// node:http before Fastify and Nest load it. Spans are exported by OTLP only when the
// standard OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT says where;
// without either, nothing is started: no spans, no exporter, no errors, no cost.
//
// One span per request: the http server span, which the request hook names by its route
// template (see metrics/http-metrics.hooks.ts). Framework instrumentations (@fastify/otel,
// nestjs-core) add a span per hook and handler; on this service they cost more throughput
// than everything else together (bench/README.md), and say nothing the route name does not.
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { IncomingMessage } from 'node:http';
import { registerTracingShutdown } from './tracing-handle';

/** Requests not worth a trace: scrapes and probes, several a second, all alike. */
const UNTRACED_PATH = /^\/(metrics|health)(\/|\?|$)/;

function tracingEndpointConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

function startTracing(): void {
  // Metrics are Prometheus' job and logs go to stdout: only traces leave by OTLP,
  // unless the user asks for more with the standard variables.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_TRACES_EXPORTER ??= 'otlp';
  process.env.OTEL_SERVICE_NAME ??= 'dice-api';
  // A service under load test makes thousands of identical traces a second: keep one in
  // ten by default (the standard variables override it; a sampled caller's choice wins).
  process.env.OTEL_TRACES_SAMPLER ??= 'parentbased_traceidratio';
  process.env.OTEL_TRACES_SAMPLER_ARG ??= '0.1';

  const sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATH.test(request.url ?? ''),
      }),
    ],
  });
  sdk.start();
  registerTracingShutdown(() => sdk.shutdown());
}

if (tracingEndpointConfigured(process.env)) startTracing();
