import { LABELS, UNMATCHED_ROUTE } from '../../../chaos/contract/metrics';

export const HTTP_DURATION_LABELS = [LABELS.method, LABELS.route, LABELS.status] as const;
export type HttpDurationLabel = (typeof HTTP_DURATION_LABELS)[number];

/** The operational-route rule lives with the fault routes in the contract. */
export { isOperationalRoute } from '../../../chaos/contract/routes';

/** The `http_route` label: the route template Fastify matched, or `unmatched`; never the raw path. */
export function routeLabel(template: string | undefined): string {
  return template ?? UNMATCHED_ROUTE;
}
