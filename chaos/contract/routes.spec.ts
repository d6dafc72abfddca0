import { FaultSpec, type FaultSpecInput } from './faults';
import { coversRoute, DICE_ROUTES } from './routes';

const spec = (input: FaultSpecInput) => FaultSpec.parse(input);

describe('coversRoute', () => {
  it('covers the dice routes by default, never the service routes', () => {
    const abort = spec({ type: 'abort' });
    expect(DICE_ROUTES.map((route) => coversRoute(abort, route))).toEqual([true, true]);
    expect(['/metrics', '/health/ready', '/admin/faults', '/other'].map((route) => coversRoute(abort, route))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('covers exactly the listed templates, with a trailing * as a prefix', () => {
    expect(coversRoute(spec({ type: 'abort', routes: ['/fail'] }), '/')).toBe(false);
    expect(coversRoute(spec({ type: 'abort', routes: ['/fail'] }), '/fail')).toBe(true);
    const everything = spec({ type: 'latency', delayMs: 100, routes: ['/*'] });
    expect(coversRoute(everything, '/')).toBe(true);
    expect(coversRoute(everything, '/fail')).toBe(true);
    expect(coversRoute(everything, '/metrics')).toBe(false);
    expect(coversRoute(spec({ type: 'abort', routes: ['/f*'] }), '/')).toBe(false);
  });

  it('lets only health faults reach the service routes', () => {
    expect(coversRoute(spec({ type: 'health', probe: 'readiness', routes: ['/health*'] }), '/health/ready')).toBe(true);
    expect(coversRoute(spec({ type: 'error', routes: ['/health*'] }), '/health/ready')).toBe(false);
  });
});
