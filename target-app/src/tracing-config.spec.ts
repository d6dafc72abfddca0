import { DiagLogLevel } from '@opentelemetry/api';
import { tracingConfig, TracingConfigError } from './tracing-config';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

test('tracing starts only when an OTLP endpoint says where spans go', () => {
  expect(tracingConfig({})).toBeNull();
  expect(tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeNull();
  expect(tracingConfig(ENDPOINT)).not.toBeNull();
  expect(tracingConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).not.toBeNull();
});

test('nothing starts when the SDK is disabled, nothing is exported or the sampler never samples, not even for a sampled caller', () => {
  expect(tracingConfig({ ...ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' })).toBeNull();
  expect(tracingConfig({ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  expect(tracingConfig({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'always_off' })).toBeNull();
  // A parent-based sampler follows a sampled caller: it needs the SDK.
  expect(tracingConfig({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'parentbased_always_off' })?.sampler).toBe(
    'parentbased_always_off',
  );
});

test('the defaults: OTLP over HTTP with protobuf, one trace in ten unless a sampled caller says otherwise, W3C propagation, small batches', () => {
  expect(tracingConfig(ENDPOINT)).toEqual({
    protocol: 'http/protobuf',
    sampler: 'parentbased_traceidratio',
    ratio: 0.1,
    batch: { maxExportBatchSize: 32 },
    propagators: ['tracecontext', 'baggage'],
    logLevel: undefined,
  });
});

test("spans leave in batches of 32, not the SDK's 512, and never in a batch larger than the queue", () => {
  expect(tracingConfig(ENDPOINT)?.batch.maxExportBatchSize).toBe(32);
  expect(tracingConfig({ ...ENDPOINT, OTEL_BSP_MAX_QUEUE_SIZE: '16' })?.batch).toEqual({
    maxQueueSize: 16,
    maxExportBatchSize: 16,
  });
  expect(tracingConfig({ ...ENDPOINT, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' })?.batch.maxExportBatchSize).toBe(512);
});

test('the standard variables say otherwise, the signal-specific ones first', () => {
  const config = tracingConfig({
    ...ENDPOINT,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_TRACES_SAMPLER: 'traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.25',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BSP_MAX_QUEUE_SIZE: '4096',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256',
    OTEL_BSP_EXPORT_TIMEOUT: '5000',
    OTEL_PROPAGATORS: 'tracecontext',
    OTEL_LOG_LEVEL: 'debug',
  });
  expect(config).toEqual({
    protocol: 'http/json',
    sampler: 'traceidratio',
    ratio: 0.25,
    batch: { scheduledDelayMillis: 100, maxQueueSize: 4096, maxExportBatchSize: 256, exportTimeoutMillis: 5000 },
    propagators: ['tracecontext'],
    logLevel: DiagLogLevel.DEBUG,
  });
  expect(tracingConfig({ ...ENDPOINT, OTEL_PROPAGATORS: 'none' })?.propagators).toEqual([]);
});

test.each([
  ['OTEL_TRACES_SAMPLER', 'sometimes'],
  ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
  ['OTEL_TRACES_SAMPLER_ARG', 'ten percent'],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http/xml'],
  ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'udp'],
  ['OTEL_TRACES_EXPORTER', 'zipkin'],
  ['OTEL_METRICS_EXPORTER', 'otlp'],
  ['OTEL_LOGS_EXPORTER', 'console'],
  ['OTEL_BSP_SCHEDULE_DELAY', '-1'],
  ['OTEL_BSP_MAX_QUEUE_SIZE', '2.5'],
  ['OTEL_PROPAGATORS', 'b3'],
  ['OTEL_LOG_LEVEL', 'loud'],
])('%s=%s is refused with an error naming the variable', (name, value) => {
  const parse = () => tracingConfig({ ...ENDPOINT, [name]: value });
  expect(parse).toThrow(TracingConfigError);
  expect(parse).toThrow(new RegExp(`^${name}: "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});

test('without an endpoint the other variables are not read, so they cannot stop an untraced app', () => {
  expect(tracingConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toBeNull();
});
