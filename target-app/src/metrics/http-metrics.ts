import { LABELS, UNMATCHED_ROUTE } from '../../../chaos/contract/metrics';

export const HTTP_DURATION_LABELS = [LABELS.method, LABELS.route, LABELS.status] as const;
export type HttpDurationLabel = (typeof HTTP_DURATION_LABELS)[number];

/** Paths about the service itself rather than its API: never counted, never faulted (except health probes). */
export function isOperationalRoute(route: string): boolean {
  return route === '/metrics' || hasPrefix(route, '/health') || hasPrefix(route, '/admin');
}

function hasPrefix(route: string, prefix: string): boolean {
  return route === prefix || route.startsWith(`${prefix}/`);
}

/** The `http_route` label: the route template Fastify matched, or `unmatched`; never the raw path. */
export function routeLabel(template: string | undefined): string {
  return template ?? UNMATCHED_ROUTE;
}
