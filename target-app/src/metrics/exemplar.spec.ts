import { sampledTraceId } from './exemplar';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('sampledTraceId (tracing off: from the caller’s traceparent)', () => {
  it('takes the trace id of a sampled caller', () => {
    expect(sampledTraceId({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` })).toBe(TRACE);
    expect(sampledTraceId({ traceparent: `00-${TRACE}-00f067aa0ba902b7-03` })).toBe(TRACE);
  });

  it('leaves unsampled, malformed and missing trace context out', () => {
    expect(sampledTraceId({ traceparent: `00-${TRACE}-00f067aa0ba902b7-00` })).toBeUndefined();
    expect(sampledTraceId({ traceparent: `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01` })).toBeUndefined();
    expect(sampledTraceId({ traceparent: `00-${TRACE}-01` })).toBeUndefined();
    expect(sampledTraceId({ traceparent: [`00-${TRACE}-00f067aa0ba902b7-01`] as unknown as string })).toBeUndefined();
    expect(sampledTraceId({})).toBeUndefined();
  });
});
