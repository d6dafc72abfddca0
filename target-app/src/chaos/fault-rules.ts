// The engine's decisions as pure functions of the active faults, the route and a random
// source, so their rates and distributions can be tested with a fake random.
import type { Fault } from '../../../chaos/contract/faults';
import { DICE_ROUTES } from '../dice/dice.controller';
import { isOperationalRoute } from '../metrics/http-metrics';
import type { RandomSource } from '../random/random-source';

export type Probe = 'readiness' | 'liveness';
export type LatencyFault = Extract<Fault, { type: 'latency' }>;
export type ErrorFault = Extract<Fault, { type: 'error' }>;
export type AbortFault = Extract<Fault, { type: 'abort' }>;
export type RequestFault = LatencyFault | ErrorFault | AbortFault;
export type HealthFault = Extract<Fault, { type: 'health' }>;

export function isRequestFault(fault: Fault): fault is RequestFault {
  return fault.type === 'latency' || fault.type === 'error' || fault.type === 'abort';
}

/**
 * Whether a fault's routes cover a route template. Without `routes`, a fault covers the dice
 * routes; `*` at the end of a listed template matches any suffix (`/*` = every route).
 * Request faults never touch the service's own routes (/metrics, /health*, /admin*).
 */
export function coversRoute(fault: Fault, template: string): boolean {
  if (fault.type !== 'health' && isOperationalRoute(template)) return false;
  if (!fault.routes) return (DICE_ROUTES as readonly string[]).includes(template);
  return fault.routes.some((pattern) =>
    pattern.endsWith('*') ? template.startsWith(pattern.slice(0, -1)) : pattern === template,
  );
}

/** A fault with probability p acts on a request when a uniform draw falls below p. */
export function fires(fault: Fault, random: RandomSource): boolean {
  return fault.probability >= 1 || random() < fault.probability;
}

/** One delay for one request, in ms, never negative. */
export function sampleDelayMs(fault: LatencyFault, random: RandomSource): number {
  const { delayMs, jitterMs, distribution } = fault;
  switch (distribution) {
    case 'fixed':
      return delayMs;
    case 'uniform':
      return Math.max(0, delayMs - jitterMs + random() * 2 * jitterMs);
    case 'normal':
      return Math.max(0, delayMs + jitterMs * standardNormal(random));
  }
}

/** Box–Muller transform; 1 - u keeps the logarithm's argument in (0, 1]. */
function standardNormal(random: RandomSource): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** What the engine does to one request. */
export type RequestDecision =
  | { action: 'abort'; fault: AbortFault }
  | { action: 'error'; fault: ErrorFault }
  | { action: 'delay'; delays: { fault: LatencyFault; delayMs: number }[] }
  | { action: 'none' };

/**
 * The engine's order, per request: abort, then error, then latency. Each fault that covers
 * the route draws on its own; the first abort that fires wins, else the first error that
 * fires (in creation order), else the delays of every latency fault that fires add up.
 */
export function decideRequest(faults: readonly RequestFault[], template: string, random: RandomSource): RequestDecision {
  const covering = faults.filter((fault) => coversRoute(fault, template));
  if (covering.length === 0) return { action: 'none' };
  for (const fault of covering) {
    if (fault.type === 'abort' && fires(fault, random)) return { action: 'abort', fault };
  }
  for (const fault of covering) {
    if (fault.type === 'error' && fires(fault, random)) return { action: 'error', fault };
  }
  const delays = covering
    .filter((fault): fault is LatencyFault => fault.type === 'latency' && fires(fault, random))
    .map((fault) => ({ fault, delayMs: sampleDelayMs(fault, random) }));
  return delays.length > 0 ? { action: 'delay', delays } : { action: 'none' };
}

/** The `health` fault that takes a probe down on this check, if any. */
export function decideProbe(faults: readonly HealthFault[], probe: Probe, template: string, random: RandomSource): HealthFault | undefined {
  return faults.find(
    (fault) => fault.probe === probe && (!fault.routes || coversRoute(fault, template)) && fires(fault, random),
  );
}
