// The fault engine's framework-free core: the active faults with their TTLs and cap, the
// per-request decision and the ground-truth metrics. Adapters (the NestJS FaultEngine, the
// proxy) add what belongs to their process: propagation, cpu and memory effects, HTTP.
import { randomUUID } from 'node:crypto';
import type { Fault, FaultSpec } from '../../../../chaos/contract/faults';
import { DICE_ROUTES } from '../../../../chaos/contract/routes';
import { LABELS } from '../../../../chaos/contract/metrics';
import type { RandomSource } from '../../random/random-source';
import { RequestFaultIndex } from '../fault-index';
import { decideRequest, isRequestFault, type RequestDecision } from '../fault-rules';
import type { ChaosMetrics } from './chaos-metrics';

/** Who or what made a change, for the audit log (never the token). */
export type ChangeOrigin =
  | { source: 'admin-api'; ip: string; userAgent?: string }
  | { source: 'ttl' | 'shutdown' }
  /** A change another replica made, received through the shared store. */
  | { source: 'sync'; replica: string };

export type EndReason = 'expired' | 'removed' | 'cleared' | 'failed';

/** The part of a pino logger the core writes to (nestjs-pino's PinoLogger and pino both fit). */
export interface EngineLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface FaultStoreOptions {
  maxFaults: number;
  maxTotalDelayMs: number;
  random: RandomSource;
  /** Wall-clock ms that `expiresAt` is counted against; default Date.now. */
  now?: () => number;
  metrics: ChaosMetrics;
  logger: EngineLogger;
  /** Routes a fault without `routes` covers: the dice routes in the app, every route behind the proxy. */
  defaultRoutes?: readonly string[];
  /** Whether a fault acts in this process (a blast radius may place it elsewhere); default every fault. */
  actsHere?: (fault: Fault) => boolean;
  /** Called after every change of the active set, with the faults now active (and acting here). */
  onChange?: (faults: readonly Fault[]) => void;
  /** Called when a fault ends (after it left the active set). */
  onEnd?: (fault: Fault, reason: EndReason) => void;
  /** Called when a fault ended by its TTL. */
  onExpired?: (fault: Fault) => void;
}

/** A fault with identity and lifetime, created now. */
export function newFault(spec: FaultSpec, now = Date.now()): Fault {
  return {
    ...spec,
    id: randomUUID(),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + spec.ttlSeconds * 1000).toISOString(),
  };
}

/**
 * The active faults, each ending by itself at its absolute `expiresAt` with an unref'd timer
 * that never keeps the process alive; request faults are kept indexed by route and type.
 */
export class FaultStore {
  private readonly active = new Map<string, { fault: Fault; expiry: NodeJS.Timeout }>();
  private requestIndex: RequestFaultIndex;
  private readonly defaultRoutes: readonly string[];

  constructor(private readonly options: FaultStoreOptions) {
    this.defaultRoutes = options.defaultRoutes ?? DICE_ROUTES;
    this.requestIndex = new RequestFaultIndex([], this.defaultRoutes);
  }

  list(): Fault[] {
    return [...this.active.values()].map(({ fault }) => fault);
  }

  has(id: string): boolean {
    return this.active.has(id);
  }

  get size(): number {
    return this.active.size;
  }

  get hasRequestFaults(): boolean {
    return this.requestIndex.size > 0;
  }

  /** Why one more fault is refused with `active` counted, or undefined while under the cap (CHAOS_MAX_FAULTS). */
  capProblem(active = this.active.size): string | undefined {
    const cap = this.options.maxFaults;
    return active >= cap
      ? `faults: ${active} active, the cap is ${cap} (CHAOS_MAX_FAULTS); remove one or clear them first`
      : undefined;
  }

  /** Lists a fault and starts its timer to the absolute `expiresAt`. */
  activate(fault: Fault, origin: ChangeOrigin): void {
    const remainingMs = Math.max(0, Date.parse(fault.expiresAt) - (this.options.now ?? Date.now)());
    const expiry = setTimeout(() => {
      if (this.end(fault.id, 'expired', { source: 'ttl' })) this.options.onExpired?.(fault);
    }, remainingMs).unref();
    this.active.set(fault.id, { fault, expiry });
    this.refresh();
    const here = this.actsHere(fault);
    if (here) this.options.metrics.faultActive.set({ [LABELS.faultType]: fault.type, [LABELS.faultId]: fault.id }, 1);
    this.options.logger.info(
      { event: 'fault_added', fault, actsHere: here, origin },
      `fault added: ${fault.type} ${fault.id}${here ? '' : ' (acts on other replicas)'}`,
    );
  }

  end(id: string, reason: EndReason, origin: ChangeOrigin): boolean {
    const entry = this.active.get(id);
    if (!entry) return false;
    clearTimeout(entry.expiry);
    this.active.delete(id);
    this.refresh();
    this.options.metrics.faultActive.remove({ [LABELS.faultType]: entry.fault.type, [LABELS.faultId]: id });
    this.options.onEnd?.(entry.fault, reason);
    this.options.logger.info(
      { event: `fault_${reason}`, faultId: id, type: entry.fault.type, origin },
      `fault ${reason}: ${entry.fault.type} ${id}`,
    );
    return true;
  }

  /** Ends every fault here; returns how many there were. */
  clear(origin: ChangeOrigin): number {
    const ids = [...this.active.keys()];
    for (const id of ids) this.end(id, 'cleared', origin);
    return ids.length;
  }

  /** What to do to one request on a route template (see decideRequest for the order). */
  decideRequest(template: string): RequestDecision {
    const decision = decideRequest(
      this.requestIndex.forRoute(template),
      this.options.random,
      this.options.maxTotalDelayMs,
    );
    if (decision.action === 'delay' && decision.clamped)
      this.options.metrics.delayClamped.inc({ [LABELS.route]: template });
    return decision;
  }

  countInjection(type: Fault['type'], route: string, status: number | string): void {
    this.options.metrics.injections.inc({
      [LABELS.faultType]: type,
      [LABELS.route]: route,
      [LABELS.status]: String(status),
    });
  }

  observeInjectedDelay(route: string, seconds: number): void {
    this.options.metrics.injectedDelay.observe({ [LABELS.route]: route }, seconds);
  }

  private actsHere(fault: Fault): boolean {
    return this.options.actsHere?.(fault) ?? true;
  }

  /** Rebuilds the per-request view after any change, from the faults that act here. */
  private refresh(): void {
    const faults = this.list().filter((fault) => this.actsHere(fault));
    this.requestIndex = new RequestFaultIndex(faults.filter(isRequestFault), this.defaultRoutes);
    this.options.onChange?.(faults);
  }
}
