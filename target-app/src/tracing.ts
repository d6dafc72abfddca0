// Loaded with `node --import` before anything else, so the context manager and tracer
// provider are in place before the app starts. Spans are exported by OTLP only when the
// standard OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT says where;
// without either (or with OTEL_SDK_DISABLED, or a sampler that never samples), nothing is
// started: no spans, no exporter, no errors, no cost. tracing-config.ts reads the variables.
//
// One span per request: the HTTP server span, made by a Fastify hook once the route template
// is known (request-span.hooks.ts), not by instrumentations. The http instrumentation did
// its full work (attributes, context, a wrapper on every listener) for unsampled requests
// too, and cost half the throughput at 10% sampling; framework instrumentations
// (@fastify/otel, nestjs-core) add a span per hook and handler and say nothing the route
// name does not.
//
// The tracer provider is wired here from the SDK's parts, not by @opentelemetry/sdk-node:
// NodeSDK loads every exporter it can configure (logs, metrics, Zipkin, Prometheus, gRPC),
// about 14 MB of resident memory for the one OTLP trace exporter used.
import './source-maps';
import type * as OtelApi from '@opentelemetry/api';
import type * as ContextAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as OtelCore from '@opentelemetry/core';
import type * as OtlpTraceExporter from '@opentelemetry/exporter-trace-otlp-proto';
import type * as OtelResources from '@opentelemetry/resources';
import type * as SdkTrace from '@opentelemetry/sdk-trace';
import { PooledIdGenerator } from './trace-ids';
import {
  DEFAULT_SERVICE_NAME,
  tracingConfig,
  TracingConfigError,
  type OtlpProtocol,
  type TracingConfig,
} from './tracing-config';
import { registerTracing, type StartedTracing } from './tracing-handle';

// Required when used, not imported at the top: an untraced app has no use for the SDK's
// resident memory, and only the exporter of the protocol asked for is loaded.
const sdkTrace = () => require('@opentelemetry/sdk-trace') as typeof SdkTrace;

const EXPORTER_PACKAGES: Record<OtlpProtocol, string> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
};

/** The OTLP exporter of `protocol`; it reads its endpoint, headers and timeout from OTEL_EXPORTER_OTLP_*. */
function otlpExporter(protocol: OtlpProtocol): SdkTrace.SpanExporter {
  // All three packages export the same class shape.
  const { OTLPTraceExporter } = require(EXPORTER_PACKAGES[protocol]) as typeof OtlpTraceExporter;
  return new OTLPTraceExporter();
}

function sampler(config: TracingConfig): SdkTrace.Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdkTrace();
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.ratio) });
  }
}

/**
 * The service's resource: the SDK's own attributes, the host and the process, then
 * OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME (each overrides the one before;
 * the service is `dice-api` unless one of them names it).
 */
function serviceResource(): OtelResources.Resource {
  const resources = require('@opentelemetry/resources') as typeof OtelResources;
  return resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': DEFAULT_SERVICE_NAME }))
    .merge(
      resources.detectResources({
        detectors: [
          resources.hostDetector,
          resources.processDetector,
          resources.resourceAttributesEnvDetector,
          resources.serviceNameEnvDetector,
        ],
      }),
    );
}

/** The tracer provider `config` asks for, its spans batched to `exporter`, and its head sampler. */
export function createTracing(
  config: TracingConfig,
  exporter: SdkTrace.SpanExporter,
): { provider: SdkTrace.TracerProvider; sampled: StartedTracing['sampled'] } {
  const { BatchSpanProcessor, TracerProvider } = sdkTrace();
  const ids = new PooledIdGenerator();
  const spanSampler = sampler(config);
  const provider = new TracerProvider({
    resource: serviceResource(),
    sampler: spanSampler,
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor({ exporter, ...config.batch })],
  });
  return { provider, sampled: headSampler(spanSampler, ids) };
}

/**
 * The provider's sampler, asked before a span is made. The SDK's startSpan does its work for
 * every request, sampled or not (two ids, attribute cleaning, the sampler, its own metrics, a
 * non-recording span): 2.2 µs of the 2.8 µs an unsampled request cost in the profile. Asked
 * here with the trace id the span would get (peeked from the pool), the sampler gives the
 * answer startSpan will give: the standard samplers decide on the parent and the trace id alone.
 */
function headSampler(spanSampler: SdkTrace.Sampler, ids: PooledIdGenerator): StartedTracing['sampled'] {
  const api = require('@opentelemetry/api') as typeof OtelApi;
  const noAttributes = {};
  const noLinks: OtelApi.Link[] = [];
  return (parent, name) => {
    const caller = api.trace.getSpanContext(parent);
    const root = !caller || !api.isSpanContextValid(caller);
    const traceId = root ? ids.peekTraceId() : caller.traceId;
    const { decision } = spanSampler.shouldSample(parent, traceId, name, api.SpanKind.SERVER, noAttributes, noLinks);
    const sampled = decision !== api.SamplingDecision.NOT_RECORD;
    if (root && !sampled) ids.dropPeekedTraceId();
    return sampled;
  };
}

function startTracing(config: TracingConfig): void {
  const api = require('@opentelemetry/api') as typeof OtelApi;
  const core = require('@opentelemetry/core') as typeof OtelCore;
  if (config.logLevel !== undefined) api.diag.setLogger(new api.DiagConsoleLogger(), { logLevel: config.logLevel });
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof ContextAsyncHooks;
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const propagators = config.propagators.map((name) =>
    name === 'tracecontext' ? new core.W3CTraceContextPropagator() : new core.W3CBaggagePropagator(),
  );
  // With OTEL_PROPAGATORS=none the API's no-op propagator stays: every request is a root.
  if (propagators.length > 0)
    api.propagation.setGlobalPropagator(
      propagators.length === 1 ? propagators[0] : new core.CompositePropagator({ propagators }),
    );
  const { provider, sampled } = createTracing(config, otlpExporter(config.protocol));
  api.trace.setGlobalTracerProvider(provider);
  registerTracing({ sampled, shutdown: () => provider.shutdown() });
}

function configFromEnv(): TracingConfig | null {
  try {
    return tracingConfig(process.env);
  } catch (error) {
    if (!(error instanceof TracingConfigError)) throw error;
    // Like main's config errors: one line naming the variable, exit code 1.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const config = configFromEnv();
if (config) startTracing(config);
