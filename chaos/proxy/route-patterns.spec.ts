import { parseRoutePatterns, RoutePatterns } from './route-patterns';

it('labels a path with its exact pattern, else the longest wildcard, else unmatched', () => {
  const routes = parseRoutePatterns('/, /api/*, /api/v2/*, /fail');
  expect(routes.label('/')).toBe('/');
  expect(routes.label('/fail')).toBe('/fail');
  expect(routes.label('/api/users/7')).toBe('/api/*');
  expect(routes.label('/api/v2/users')).toBe('/api/v2/*');
  expect(routes.label('/other')).toBe('unmatched');
  expect(new RoutePatterns(['/*']).label('/anything/at/all')).toBe('/*');
});

it('refuses a pattern that is not a path', () => {
  expect(() => parseRoutePatterns('api')).toThrow('route pattern "api": expected a path starting with "/"');
  expect(() => parseRoutePatterns('/a*b')).toThrow(/optionally ending in "\*"/);
  expect(() => parseRoutePatterns(' , ')).toThrow('--routes: give at least one pattern');
});
