// Loaded with `node --import` before anything else, so the SDK's context manager and tracer
// provider are in place before the app starts. Spans are exported by OTLP only when the
// standard OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT says where;
// without either (or with OTEL_SDK_DISABLED, or a sampler that never samples), nothing is
// started: no spans, no exporter, no errors, no cost.
//
// One span per request: the HTTP server span, made by a Fastify hook once the route template
// is known (request-span.hooks.ts), not by instrumentations. The http instrumentation did
// its full work (attributes, context, a wrapper on every listener) for unsampled requests
// too, and cost half the throughput at 10% sampling; framework instrumentations
// (@fastify/otel, nestjs-core) add a span per hook and handler and say nothing the route
// name does not.
import './source-maps';
import type * as OtelSdkNode from '@opentelemetry/sdk-node';
import { PooledIdGenerator } from './trace-ids';
import { registerTracingShutdown } from './tracing-handle';

export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  const endpoint = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  // always_off ignores even a sampled caller: no request could ever make a span.
  return endpoint && env.OTEL_SDK_DISABLED?.toLowerCase() !== 'true' && env.OTEL_TRACES_SAMPLER !== 'always_off';
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

  // Required here, not imported at the top: the SDK and its exporters weigh tens of MB
  // of resident memory that an untraced app has no use for.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof OtelSdkNode;
  const sdk = new NodeSDK({ instrumentations: [], idGenerator: new PooledIdGenerator() });
  sdk.start();
  registerTracingShutdown(() => sdk.shutdown());
}

if (tracingWanted(process.env)) startTracing();
