import { isOperationalRoute, routeLabel } from './http-metrics';

describe('http metrics labelling', () => {
  it('labels a request with its route template, or "unmatched" — never the raw path', () => {
    expect(routeLabel('/')).toBe('/');
    expect(routeLabel('/admin/faults/:id')).toBe('/admin/faults/:id');
    expect(routeLabel(undefined)).toBe('unmatched');
  });

  it('leaves /metrics, /health* and /admin* out, and only those', () => {
    for (const route of [
      '/metrics',
      '/health',
      '/health/live',
      '/health/ready',
      '/admin',
      '/admin/faults',
      '/admin/faults/:id',
    ]) {
      expect(isOperationalRoute(route)).toBe(true);
    }
    for (const route of ['/', '/fail', '/healthy', '/administrator', '/metrics-foo', '/x/health']) {
      expect(isOperationalRoute(route)).toBe(false);
    }
  });
});
