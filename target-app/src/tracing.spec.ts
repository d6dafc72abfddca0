import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createTracing } from './tracing';
import { tracingConfig, type TracingConfig } from './tracing-config';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

/** Ends `count` root spans on a provider built from `env`, and returns what it exported. */
async function exportedSpans(env: Record<string, string>, count = 1) {
  const exporter = new InMemorySpanExporter();
  const { provider } = createTracing(tracingConfig({ ...ENDPOINT, ...env }) as TracingConfig, exporter);
  const tracer = provider.getTracer('test');
  for (let i = 0; i < count; i++) tracer.startSpan('GET /', {}, ROOT_CONTEXT).end();
  await provider.forceFlush();
  // The in-memory exporter forgets its spans on shutdown.
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

test('spans carry pooled ids and the service named dice-api by default', async () => {
  const [span] = await exportedSpans({ OTEL_TRACES_SAMPLER: 'always_on' });
  expect(span.spanContext().traceId).toMatch(/^[\da-f]{32}$/);
  expect(span.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
  expect(span.resource.attributes['service.name']).toBe('dice-api');
  expect(span.resource.attributes['process.pid']).toBe(process.pid);
});

test('OTEL_RESOURCE_ATTRIBUTES adds to the resource, and OTEL_SERVICE_NAME names the service over it', async () => {
  // The resource detectors read the process's environment.
  process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=bench,service.name=from-attributes';
  let [span] = await exportedSpans({ OTEL_TRACES_SAMPLER: 'always_on' });
  expect(span.resource.attributes['deployment.environment.name']).toBe('bench');
  expect(span.resource.attributes['service.name']).toBe('from-attributes');
  process.env.OTEL_SERVICE_NAME = 'dice-canary';
  [span] = await exportedSpans({ OTEL_TRACES_SAMPLER: 'always_on' });
  expect(span.resource.attributes['service.name']).toBe('dice-canary');
});

test('the ratio sampler keeps about its share of root spans, and none at 0', async () => {
  const kept = (await exportedSpans({ OTEL_TRACES_SAMPLER_ARG: '0.1' }, 4000)).length;
  // Binomial(4000, 0.1): mean 400, sd 19; ±100 is over 5 sd.
  expect(kept).toBeGreaterThan(300);
  expect(kept).toBeLessThan(500);
  expect(await exportedSpans({ OTEL_TRACES_SAMPLER_ARG: '0' }, 500)).toHaveLength(0);
});

test('a parent-based sampler follows a sampled caller even when it samples no root', async () => {
  const exporter = new InMemorySpanExporter();
  const config = tracingConfig({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'parentbased_always_off' }) as TracingConfig;
  const { provider, sampled } = createTracing(config, exporter);
  const caller = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: 'ab'.repeat(16),
    spanId: 'cd'.repeat(8),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  expect(sampled(caller, 'GET /')).toBe(true);
  expect(sampled(ROOT_CONTEXT, 'GET /')).toBe(false);
  provider.getTracer('test').startSpan('GET /', {}, caller).end();
  provider.getTracer('test').startSpan('GET /', {}, ROOT_CONTEXT).end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.spanContext().traceId)).toEqual(['ab'.repeat(16)]);
  expect(spans[0].parentSpanContext?.spanId).toBe('cd'.repeat(8));
  await provider.shutdown();
});

test('the head sampler says yes only to spans the SDK then samples, at the configured ratio', async () => {
  const exporter = new InMemorySpanExporter();
  const { provider, sampled } = createTracing(tracingConfig(ENDPOINT) as TracingConfig, exporter);
  const tracer = provider.getTracer('test');
  let heads = 0;
  for (let i = 0; i < 4000; i++) {
    if (!sampled(ROOT_CONTEXT, 'GET /')) continue;
    // The span gets the trace id the head decided on, so the SDK's sampler agrees.
    const span = tracer.startSpan('GET /', {}, ROOT_CONTEXT);
    expect(span.isRecording()).toBe(true);
    span.end();
    heads++;
  }
  await provider.forceFlush();
  expect(exporter.getFinishedSpans()).toHaveLength(heads);
  // Binomial(4000, 0.1), as above.
  expect(heads).toBeGreaterThan(300);
  expect(heads).toBeLessThan(500);
  await provider.shutdown();
});

test('a full batch of 32 leaves at once, without waiting for the schedule or a flush', async () => {
  const batches: number[] = [];
  const exporter = new InMemorySpanExporter();
  const store = exporter.export.bind(exporter);
  exporter.export = (spans, done) => (batches.push(spans.length), store(spans, done));
  const config = tracingConfig({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'always_on' }) as TracingConfig;
  const { provider } = createTracing(config, exporter);
  const tracer = provider.getTracer('test');
  for (let i = 0; i < 100; i++) tracer.startSpan('GET /', {}, ROOT_CONTEXT).end();
  // The schedule is 5 s: what left by now left because its batch was full.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(batches).toEqual([32, 32, 32]);
  await provider.shutdown();
  expect(batches).toEqual([32, 32, 32, 4]);
});
