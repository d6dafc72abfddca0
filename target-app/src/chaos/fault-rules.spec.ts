import type { Fault, FaultSpecInput } from '../../../chaos/contract/faults';
import { FaultSpec } from '../../../chaos/contract/faults';
import { seededRandom } from '../random/random-source';
import { coversRoute, decideProbe, decideRequest, sampleDelayMs, type HealthFault, type LatencyFault, type RequestFault } from './fault-rules';

let nextId = 0;
function fault<T extends Fault = Fault>(input: FaultSpecInput): T {
  const spec = FaultSpec.parse(input);
  return { ...spec, id: `f${++nextId}`, createdAt: '', expiresAt: '' } as T;
}

/** A random source that answers the given values in turn. */
function draws(...values: number[]): () => number {
  return () => {
    const next = values.shift();
    if (next === undefined) throw new Error('no more draws');
    return next;
  };
}

function stats(values: number[]) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

describe('coversRoute', () => {
  it('covers the dice routes by default, never the service routes', () => {
    const abort = fault({ type: 'abort' });
    expect(['/', '/fail'].map((route) => coversRoute(abort, route))).toEqual([true, true]);
    expect(['/metrics', '/health/ready', '/admin/faults', '/other'].map((route) => coversRoute(abort, route))).toEqual([false, false, false, false]);
  });

  it('covers exactly the listed templates, with a trailing * as a prefix', () => {
    expect(coversRoute(fault({ type: 'abort', routes: ['/fail'] }), '/')).toBe(false);
    expect(coversRoute(fault({ type: 'abort', routes: ['/fail'] }), '/fail')).toBe(true);
    const everything = fault({ type: 'abort', routes: ['/*'] });
    expect(coversRoute(everything, '/fail')).toBe(true);
    expect(coversRoute(everything, '/metrics')).toBe(false);
  });
});

describe('decideRequest', () => {
  it('does nothing without a covering fault', () => {
    expect(decideRequest([fault<RequestFault>({ type: 'abort', routes: ['/fail'] })], '/', draws())).toEqual({ action: 'none' });
  });

  it('applies abort before error before latency', () => {
    const latency = fault<RequestFault>({ type: 'latency', delayMs: 10 });
    const error = fault<RequestFault>({ type: 'error', status: 503 });
    const abort = fault<RequestFault>({ type: 'abort' });
    expect(decideRequest([latency, error, abort], '/', draws())).toEqual({ action: 'abort', fault: abort });
    expect(decideRequest([latency, error], '/', draws())).toEqual({ action: 'error', fault: error });
    expect(decideRequest([latency], '/', draws())).toEqual({ action: 'delay', delays: [{ fault: latency, delayMs: 10 }] });
  });

  it('draws once per fault and request: a fault fires when the draw is below its probability', () => {
    const abort = fault<RequestFault>({ type: 'abort', probability: 0.3 });
    const error = fault<RequestFault>({ type: 'error', probability: 0.5 });
    expect(decideRequest([abort, error], '/', draws(0.29))).toMatchObject({ action: 'abort' });
    expect(decideRequest([abort, error], '/', draws(0.3, 0.49))).toMatchObject({ action: 'error' });
    expect(decideRequest([abort, error], '/', draws(0.3, 0.5))).toEqual({ action: 'none' });
  });

  it('adds up the delays of every latency fault that fires', () => {
    const a = fault<RequestFault>({ type: 'latency', delayMs: 100 });
    const b = fault<RequestFault>({ type: 'latency', delayMs: 30, probability: 0.5 });
    const decision = decideRequest([a, b], '/', draws(0.1));
    expect(decision).toEqual({ action: 'delay', delays: [{ fault: a, delayMs: 100 }, { fault: b, delayMs: 30 }] });
  });

  it('fires at the asked rate over many requests', () => {
    const error = fault<RequestFault>({ type: 'error', probability: 0.2 });
    const random = seededRandom(7);
    let fired = 0;
    for (let i = 0; i < 100_000; i++) if (decideRequest([error], '/', random).action === 'error') fired++;
    expect(fired / 100_000).toBeCloseTo(0.2, 2);
  });
});

describe('sampleDelayMs', () => {
  const random = seededRandom(42);
  const sample = (input: FaultSpecInput) => Array.from({ length: 20_000 }, () => sampleDelayMs(fault<LatencyFault>(input), random));

  it('fixed: always the delay', () => {
    expect(new Set(sample({ type: 'latency', delayMs: 200, jitterMs: 50 }))).toEqual(new Set([200]));
  });

  it('uniform: delay ± jitter, flat (sd = width / sqrt 12)', () => {
    const s = stats(sample({ type: 'latency', delayMs: 100, jitterMs: 50, distribution: 'uniform' }));
    expect(s.min).toBeGreaterThanOrEqual(50);
    expect(s.max).toBeLessThanOrEqual(150);
    expect(s.mean).toBeCloseTo(100, 0);
    expect(s.sd).toBeCloseTo(100 / Math.sqrt(12), 0);
  });

  it('normal: mean = delay, sd = jitter', () => {
    const s = stats(sample({ type: 'latency', delayMs: 100, jitterMs: 20, distribution: 'normal' }));
    expect(Math.abs(s.mean - 100)).toBeLessThan(0.6);
    expect(Math.abs(s.sd - 20)).toBeLessThan(0.6);
  });

  it('never negative', () => {
    expect(Math.min(...sample({ type: 'latency', delayMs: 5, jitterMs: 50, distribution: 'normal' }))).toBe(0);
  });
});

describe('decideProbe', () => {
  it('takes down only the chosen probe, at the fault probability', () => {
    const readiness = fault<HealthFault>({ type: 'health', probe: 'readiness', probability: 0.5 });
    expect(decideProbe([readiness], 'liveness', '/health/live', draws())).toBeUndefined();
    expect(decideProbe([readiness], 'readiness', '/health/ready', draws(0.4))).toBe(readiness);
    expect(decideProbe([readiness], 'readiness', '/health/ready', draws(0.6))).toBeUndefined();
  });
});
