// Which routes a fault acts on, decided once for the app (which injects), the experiment plan
// (which predicts the shift) and the k6 scenarios (which judge the phase). Pure and free of
// node imports and zod: the k6 bundles import it.
import type { FaultSpec } from './faults';

/** Route templates of the dice API: the routes faults act on by default. */
export const DICE_ROUTES = ['/', '/fail'] as const;

/** The dice route the scenarios load and the experiments judge. */
export const LOADED_ROUTE = '/';

/** Paths about the service itself rather than its API: never counted, never faulted (except health probes). */
export function isOperationalRoute(route: string): boolean {
  return route === '/metrics' || hasPrefix(route, '/health') || hasPrefix(route, '/admin');
}

function hasPrefix(route: string, prefix: string): boolean {
  return route === prefix || route.startsWith(`${prefix}/`);
}

/** A listed template ending in `*` matches any suffix (`/*` = every route); any other, itself only. */
export function wildcardPrefix(pattern: string): string | undefined {
  return pattern.endsWith('*') ? pattern.slice(0, -1) : undefined;
}

export function patternMatches(pattern: string, template: string): boolean {
  const prefix = wildcardPrefix(pattern);
  return prefix === undefined ? pattern === template : template.startsWith(prefix);
}

/**
 * Whether a fault's routes cover a route template. Without `routes`, a fault covers the dice
 * routes; a trailing `*` matches any suffix. Only `health` faults touch the service's own
 * routes (/metrics, /health*, /admin*).
 */
export function coversRoute(fault: Pick<FaultSpec, 'type' | 'routes'>, template: string): boolean {
  if (fault.type !== 'health' && isOperationalRoute(template)) return false;
  if (!fault.routes) return (DICE_ROUTES as readonly string[]).includes(template);
  return fault.routes.some((pattern) => patternMatches(pattern, template));
}
