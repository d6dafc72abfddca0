// Loaded with `node --import` before anything else, so the instrumentations patch http and
// Fastify before Nest loads them. Spans are exported by OTLP only when the standard
// OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT says where; without
// either, nothing is started: no spans, no exporter, no errors, no cost.
import FastifyOtelInstrumentation from '@fastify/otel';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
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

  const sdk = new NodeSDK({
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        // The app's pino mixin adds trace_id/span_id itself, with or without this file.
        '@opentelemetry/instrumentation-pino': { enabled: false },
        '@opentelemetry/instrumentation-http': {
          ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATH.test(request.url ?? ''),
        },
      }),
      // Route spans for Fastify (its own instrumentation, registered on every new instance).
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: ({ url }) => UNTRACED_PATH.test(url),
      }),
    ],
  });
  sdk.start();
  registerTracingShutdown(() => sdk.shutdown());
}

if (tracingEndpointConfigured(process.env)) startTracing();
