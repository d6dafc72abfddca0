// The request faults by route and type, so that deciding a request costs what the faults that
// cover its route cost, however many faults act on other routes.
import { DICE_ROUTES, isOperationalRoute, wildcardPrefix } from '../../../chaos/contract/routes';
import type { AbortFault, ErrorFault, LatencyFault, RequestFault, RouteFaults } from './fault-rules';

const NO_FAULTS: RouteFaults = Object.freeze({ aborts: [], errors: [], latencies: [] });

/**
 * Built once per change of the active set (O(faults)), read on every request. Exact templates
 * (and the dice routes, for faults without `routes`) are a map lookup; wildcard prefixes are
 * scanned once per route template and the result kept until the next change. The keys are
 * Fastify's registered templates (never raw paths), so the cache is bounded by the routes.
 */
export class RequestFaultIndex {
  readonly size: number;
  private readonly order = new Map<RequestFault, number>();
  private readonly exact = new Map<string, RequestFault[]>();
  private readonly wildcards: { prefix: string; fault: RequestFault }[] = [];
  private readonly byRoute = new Map<string, RouteFaults>();

  /** `defaultRoutes`: what a fault without `routes` covers (the dice routes, or every route behind the proxy). */
  constructor(faults: readonly RequestFault[], defaultRoutes: readonly string[] = DICE_ROUTES) {
    this.size = faults.length;
    faults.forEach((fault, position) => {
      this.order.set(fault, position);
      for (const pattern of fault.routes ?? defaultRoutes) {
        const prefix = wildcardPrefix(pattern);
        if (prefix === undefined) this.exactList(pattern).push(fault);
        else this.wildcards.push({ prefix, fault });
      }
    });
  }

  /** The faults that cover `template` (as coversRoute decides), by type, in creation order. */
  forRoute(template: string): RouteFaults {
    let found = this.byRoute.get(template);
    if (!found) {
      found = this.collect(template);
      this.byRoute.set(template, found);
    }
    return found;
  }

  private collect(template: string): RouteFaults {
    // Request faults never touch the service's own routes.
    if (this.size === 0 || isOperationalRoute(template)) return NO_FAULTS;
    const covering = new Set(this.exact.get(template));
    for (const { prefix, fault } of this.wildcards) if (template.startsWith(prefix)) covering.add(fault);
    if (covering.size === 0) return NO_FAULTS;
    const sorted = [...covering].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    return {
      aborts: sorted.filter((fault): fault is AbortFault => fault.type === 'abort'),
      errors: sorted.filter((fault): fault is ErrorFault => fault.type === 'error'),
      latencies: sorted.filter((fault): fault is LatencyFault => fault.type === 'latency'),
    };
  }

  private exactList(template: string): RequestFault[] {
    let list = this.exact.get(template);
    if (!list) {
      list = [];
      this.exact.set(template, list);
    }
    return list;
  }
}
