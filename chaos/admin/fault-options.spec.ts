import { faultSpecFromOptions } from './fault-options';

describe('faultSpecFromOptions', () => {
  it('builds a latency fault from human durations', () => {
    expect(
      faultSpecFromOptions('latency', { delay: '200ms', jitter: '20ms', ttl: '2m', routes: '/', probability: '0.2' }),
    ).toEqual({
      type: 'latency',
      delayMs: 200,
      jitterMs: 20,
      distribution: 'fixed',
      ttlSeconds: 120,
      routes: ['/'],
      probability: 0.2,
    });
  });

  it('builds an error fault', () => {
    expect(faultSpecFromOptions('error', { status: '503', probability: '0.2' })).toMatchObject({
      type: 'error',
      status: 503,
      probability: 0.2,
      ttlSeconds: 300,
    });
  });

  it.each([
    ['abort', {}, { type: 'abort' }],
    ['cpu', { utilization: '0.8' }, { type: 'cpu', utilization: 0.8 }],
    ['cpu', { utilization: '0.9', slice: '30s' }, { type: 'cpu', utilization: 0.9, sliceMs: 30_000 }],
    ['memory', { megabytes: '256' }, { type: 'memory', megabytes: 256 }],
    ['health', { probe: 'readiness' }, { type: 'health', probe: 'readiness' }],
    ['error', { routes: '/, /fail' }, { routes: ['/', '/fail'] }],
    ['latency', { delay: '200ms', replicas: '1' }, { replicas: 1 }],
    ['abort', { replicas: '34%' }, { replicas: '34%' }],
  ])('builds %s %j', (type, options, expected) => {
    expect(faultSpecFromOptions(type, options)).toMatchObject(expected);
  });

  it.each([
    ['slow', {}, /unknown fault type "slow"/],
    ['latency', {}, /delayMs/],
    ['latency', { delay: '200' }, /--delay: "200" is not a duration/],
    ['latency', { delay: '200ms', status: '500' }, /--status does not apply to latency faults/],
    ['error', { probability: '1.5' }, /probability: .*1/],
    ['error', { probability: 'lots' }, /--probability "lots" is not a number/],
    ['error', { ttl: '1.5s' }, /whole seconds/],
    ['error', { ttl: '2h' }, /ttlSeconds/],
    ['health', { probe: 'startup' }, /probe/],
  ])('refuses %s %j', (type, options, message) => {
    expect(() => faultSpecFromOptions(type, options)).toThrow(message);
  });
});
