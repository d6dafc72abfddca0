import { newTraceContext, SAMPLED_SHARE } from './trace-context';

describe('newTraceContext', () => {
  it('makes a W3C traceparent carrying its trace id and sampled flag', () => {
    const context = newTraceContext();
    expect(context.traceparent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-0[01]$/);
    expect(context.traceparent.split('-')[1]).toBe(context.traceId);
    expect(context.traceparent.endsWith(context.sampled ? '-01' : '-00')).toBe(true);
  });

  it('marks the share the app samples, and no two trace ids alike', () => {
    const contexts = Array.from({ length: 20_000 }, () => newTraceContext());
    const share = contexts.filter((c) => c.sampled).length / contexts.length;
    // 20 000 draws of p = 0.1: the standard error is 0.2 points; 1.5 points is beyond chance.
    expect(Math.abs(share - SAMPLED_SHARE)).toBeLessThan(0.015);
    expect(new Set(contexts.map((c) => c.traceId)).size).toBe(contexts.length);
  });
});
