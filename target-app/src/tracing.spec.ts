import { tracingWanted } from './tracing';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };

test('tracing starts only when an OTLP endpoint says where spans go', () => {
  expect(tracingWanted({})).toBe(false);
  expect(tracingWanted(ENDPOINT)).toBe(true);
  expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
});

test('nothing starts when the SDK is disabled or the sampler never samples, not even for a sampled caller', () => {
  expect(tracingWanted({ ...ENDPOINT, OTEL_SDK_DISABLED: 'true' })).toBe(false);
  expect(tracingWanted({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'always_off' })).toBe(false);
  // A parent-based sampler follows a sampled caller: it needs the SDK.
  expect(tracingWanted({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toBe(true);
});
