import { PooledIdGenerator } from './trace-ids';

describe('PooledIdGenerator', () => {
  it('makes 32-hex trace ids and 16-hex span ids, all different, across pool refills', () => {
    const ids = new PooledIdGenerator();
    const traces = Array.from({ length: 2_000 }, () => ids.generateTraceId());
    const spans = Array.from({ length: 2_000 }, () => ids.generateSpanId());
    for (const id of traces) expect(id).toMatch(/^[\da-f]{32}$/);
    for (const id of spans) expect(id).toMatch(/^[\da-f]{16}$/);
    expect(new Set(traces).size).toBe(traces.length);
    expect(new Set(spans).size).toBe(spans.length);
  });

  it('never hands out the all-zero (invalid) id', () => {
    // A source whose first pool is all zeros, then a known pattern.
    let draws = 0;
    const ids = new PooledIdGenerator((buffer) => buffer.fill(draws++ === 0 ? 0 : 0xab));
    expect(ids.generateSpanId()).toBe('ab'.repeat(8));
    expect(ids.generateTraceId()).toBe('ab'.repeat(16));
    expect(draws).toBe(2);
  });

  it('gives the next root span the trace id peeked for its sampling decision, and a new one once dropped', () => {
    const ids = new PooledIdGenerator();
    const peeked = ids.peekTraceId();
    expect(ids.peekTraceId()).toBe(peeked);
    // Span ids come from the same pool and do not disturb the peeked trace id.
    ids.generateSpanId();
    expect(ids.generateTraceId()).toBe(peeked);
    expect(ids.generateTraceId()).not.toBe(peeked);
    const dropped = ids.peekTraceId();
    ids.dropPeekedTraceId();
    expect(ids.peekTraceId()).not.toBe(dropped);
  });
});
