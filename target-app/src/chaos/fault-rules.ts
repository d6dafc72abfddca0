// The engine's decisions as pure functions of the active faults, the route and a random
// source, so their rates and distributions can be tested with a fake random.
import type { Fault } from '../../../chaos/contract/faults';
import { coversRoute } from '../../../chaos/contract/routes';
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

/** The request faults that cover one route template, by type, each list in creation order. */
export interface RouteFaults {
  aborts: readonly AbortFault[];
  errors: readonly ErrorFault[];
  latencies: readonly LatencyFault[];
}

/** What the engine does to one request. */
export type RequestDecision =
  | { action: 'abort'; fault: AbortFault }
  | { action: 'error'; fault: ErrorFault }
  /** `totalMs` is the sum of the drawn delays, cut to the cap; `clamped` says it was cut. */
  | { action: 'delay'; delays: { fault: LatencyFault; delayMs: number }[]; totalMs: number; clamped: boolean }
  | { action: 'none' };

/**
 * The engine's order, per request: abort, then error, then latency. Each fault that covers
 * the route draws on its own; the first abort that fires wins, else the first error that
 * fires (in creation order), else the delays of every latency fault that fires add up, to at
 * most `maxTotalDelayMs` (CHAOS_MAX_DELAY_MS): many faults never hold one request for long.
 */
export function decideRequest(route: RouteFaults, random: RandomSource, maxTotalDelayMs: number): RequestDecision {
  for (const fault of route.aborts) if (fires(fault, random)) return { action: 'abort', fault };
  for (const fault of route.errors) if (fires(fault, random)) return { action: 'error', fault };
  const delays: { fault: LatencyFault; delayMs: number }[] = [];
  let sumMs = 0;
  for (const fault of route.latencies) {
    if (!fires(fault, random)) continue;
    const delayMs = sampleDelayMs(fault, random);
    delays.push({ fault, delayMs });
    sumMs += delayMs;
  }
  if (delays.length === 0) return { action: 'none' };
  return { action: 'delay', delays, totalMs: Math.min(sumMs, maxTotalDelayMs), clamped: sumMs > maxTotalDelayMs };
}

/** The `health` fault that takes a probe down on this check, if any. */
export function decideProbe(
  faults: readonly HealthFault[],
  probe: Probe,
  template: string,
  random: RandomSource,
): HealthFault | undefined {
  return faults.find(
    (fault) => fault.probe === probe && (!fault.routes || coversRoute(fault, template)) && fires(fault, random),
  );
}
