import type { Fault, FaultSpecInput } from '../../../chaos/contract/faults';
import { FaultSpec, MAX_DELAY_MS } from '../../../chaos/contract/faults';
import { configFrom } from '../config/app-config';
import { seededRandom, type RandomSource } from '../random/random-source';
import { RequestFaultIndex } from './fault-index';
import {
  decideProbe,
  decideRequest,
  sampleDelayMs,
  type HealthFault,
  type LatencyFault,
  type RequestFault,
} from './fault-rules';

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

/** The engine's path: the index's view of the route, then the decision, at the default delay cap. */
function decide(
  faults: RequestFault[],
  template: string,
  random: RandomSource,
  maxTotalDelayMs = configFrom().maxTotalDelayMs,
) {
  return decideRequest(new RequestFaultIndex(faults).forRoute(template), random, maxTotalDelayMs);
}

describe('decideRequest', () => {
  it('does nothing without a covering fault', () => {
    expect(decide([fault<RequestFault>({ type: 'abort', routes: ['/fail'] })], '/', draws())).toEqual({
      action: 'none',
    });
  });

  it('applies abort before error before latency', () => {
    const latency = fault<RequestFault>({ type: 'latency', delayMs: 10 });
    const error = fault<RequestFault>({ type: 'error', status: 503 });
    const abort = fault<RequestFault>({ type: 'abort' });
    expect(decide([latency, error, abort], '/', draws())).toEqual({ action: 'abort', fault: abort });
    expect(decide([latency, error], '/', draws())).toEqual({ action: 'error', fault: error });
    expect(decide([latency], '/', draws())).toEqual({
      action: 'delay',
      delays: [{ fault: latency, delayMs: 10 }],
      totalMs: 10,
      clamped: false,
    });
  });

  it('draws once per fault and request: a fault fires when the draw is below its probability', () => {
    const abort = fault<RequestFault>({ type: 'abort', probability: 0.3 });
    const error = fault<RequestFault>({ type: 'error', probability: 0.5 });
    expect(decide([abort, error], '/', draws(0.29))).toMatchObject({ action: 'abort' });
    expect(decide([abort, error], '/', draws(0.3, 0.49))).toMatchObject({ action: 'error' });
    expect(decide([abort, error], '/', draws(0.3, 0.5))).toEqual({ action: 'none' });
  });

  it('adds up the delays of every latency fault that fires', () => {
    const a = fault<RequestFault>({ type: 'latency', delayMs: 100 });
    const b = fault<RequestFault>({ type: 'latency', delayMs: 30, probability: 0.5 });
    const decision = decide([a, b], '/', draws(0.1));
    expect(decision).toEqual({
      action: 'delay',
      delays: [
        { fault: a, delayMs: 100 },
        { fault: b, delayMs: 30 },
      ],
      totalMs: 130,
      clamped: false,
    });
  });

  it('holds one request for at most the cap, 60 s by default, however many latency faults add up', () => {
    expect(configFrom().maxTotalDelayMs).toBe(60_000);
    const faults = Array.from({ length: 61 }, () => fault<RequestFault>({ type: 'latency', delayMs: MAX_DELAY_MS }));
    const decision = decide(faults, '/', draws());
    expect(decision).toMatchObject({ action: 'delay', totalMs: 60_000, clamped: true });
    expect(decision.action === 'delay' && decision.delays).toHaveLength(61);
    expect(decide(faults.slice(0, 1), '/', draws())).toMatchObject({ totalMs: 60_000, clamped: false });
    expect(decide(faults.slice(0, 2), '/', draws(), 250)).toMatchObject({ totalMs: 250, clamped: true });
  });

  it('takes the first error that fires in creation order, wherever the routes were listed', () => {
    const wildcard = fault<RequestFault>({ type: 'error', status: 502, routes: ['/*'] });
    const exact = fault<RequestFault>({ type: 'error', status: 503, routes: ['/'] });
    expect(decide([wildcard, exact], '/', draws())).toEqual({ action: 'error', fault: wildcard });
    expect(decide([exact, wildcard], '/', draws())).toEqual({ action: 'error', fault: exact });
  });

  it('fires at the asked rate over many requests', () => {
    const error = fault<RequestFault>({ type: 'error', probability: 0.2 });
    const random = seededRandom(7);
    let fired = 0;
    for (let i = 0; i < 100_000; i++) if (decide([error], '/', random).action === 'error') fired++;
    expect(fired / 100_000).toBeCloseTo(0.2, 2);
  });
});

describe('sampleDelayMs', () => {
  const random = seededRandom(42);
  const sample = (input: FaultSpecInput) =>
    Array.from({ length: 20_000 }, () => sampleDelayMs(fault<LatencyFault>(input), random));

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
