import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  InternalServerErrorException,
  NotFoundException,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Counter, Gauge, Histogram } from 'prom-client';
import {
  blastRadiusCount,
  parseFaultSpec,
  type Fault,
  type FaultReplica,
  type FaultSpec,
} from '../../../chaos/contract/faults';
import { METRICS } from '../../../chaos/contract/metrics';
import { AppConfig } from '../config/app-config';
import { RANDOM_SOURCE, type RandomSource } from '../random/random-source';
import type { DelayClampedLabel, FaultActiveLabel, InjectedDelayLabel, InjectionLabel } from './chaos-metrics';
import { CLOCK, type Clock } from './clock';
import { FaultStore, newFault, type ChangeOrigin } from './core/fault-store';
import { CpuBurner } from './cpu-burner';
import { decideProbe, type HealthFault, type Probe, type RequestDecision } from './fault-rules';
import {
  actsOn,
  chooseReplicas,
  FAULT_PROPAGATOR,
  storedFaultEndMs,
  type FaultPropagator,
  type PropagationStatus,
  type RemoteChange,
} from './fault-propagation';
import { MemoryBallast } from './memory-ballast';

export type { ChangeOrigin } from './core/fault-store';

/**
 * The NestJS adapter of the fault engine: the core FaultStore (active faults, TTLs, cap,
 * per-request decisions, ground-truth metrics) plus what belongs to this process: cpu and
 * memory effects, health probes, and, with a propagator (FAULT_PROPAGATOR: FaultSync when
 * CHAOS_SYNC_REDIS_URL is set), changes made through this replica's admin API reaching every
 * replica (theirs arrive as the propagator's RemoteChange events).
 */
@Injectable()
export class FaultEngine implements OnApplicationShutdown {
  private readonly store: FaultStore;
  /** Adds waiting for the store, counted against the cap so that concurrent POSTs cannot pass it. */
  private adding = 0;
  private healthFaults: readonly HealthFault[] = [];
  private readonly stopRemoteChanges: (() => void) | undefined;

  constructor(
    private readonly config: AppConfig,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cpu: CpuBurner,
    private readonly memory: MemoryBallast,
    @Inject(FAULT_PROPAGATOR) private readonly propagator: FaultPropagator | null,
    @InjectMetric(METRICS.faultActive) activeGauge: Gauge<FaultActiveLabel>,
    @InjectMetric(METRICS.injections) injections: Counter<InjectionLabel>,
    @InjectMetric(METRICS.delayClamped) delayClamped: Counter<DelayClampedLabel>,
    @InjectMetric(METRICS.injectedDelay) injectedDelay: Histogram<InjectedDelayLabel>,
    @InjectPinoLogger(FaultEngine.name) private readonly logger: PinoLogger,
  ) {
    this.store = new FaultStore({
      maxFaults: config.maxFaults,
      maxTotalDelayMs: config.maxTotalDelayMs,
      random,
      now: () => clock.now(),
      metrics: { faultActive: activeGauge, injections, delayClamped, injectedDelay },
      logger,
      // Listed on every replica (so any can remove it), acting, and shown active, only on the chosen.
      actsHere: (fault) => this.actsHere(fault),
      onChange: (faults) => this.refresh(faults),
      onEnd: (fault) => {
        if (fault.type === 'memory') void this.memory.release(fault.id);
      },
      onExpired: (fault) => this.propagator?.expired(fault.id),
    });
    this.stopRemoteChanges = propagator?.onRemoteChange((change) => this.applyRemoteChange(change));
  }

  list(): Fault[] {
    return this.store.list();
  }

  get hasRequestFaults(): boolean {
    return this.store.hasRequestFaults;
  }

  /** How faults reach the other replicas; undefined when this process is on its own. */
  propagation(): PropagationStatus | undefined {
    return this.propagator?.status();
  }

  /**
   * Activates a fault; a memory fault resolves once its memory is held. Refused (409) at the
   * cap of active faults. With propagation, it is refused (503) while the store is down, and
   * goes to the store before it acts here: a fault answered 503 has acted nowhere.
   */
  async add(spec: FaultSpec, origin: ChangeOrigin): Promise<Fault> {
    this.propagator?.assertUp();
    this.checkFaultCap(this.store.size + this.adding);
    if (spec.type === 'memory') this.checkMemoryCap(spec.megabytes);
    const placement = spec.replicas === undefined ? {} : { actsOn: await this.placeBlastRadius(spec.replicas) };
    const fault: Fault = { ...newFault(spec, this.clock.now()), ...placement };
    if (this.propagator) {
      this.adding += 1;
      try {
        await this.propagator.added(fault);
      } finally {
        this.adding -= 1;
      }
    }
    // A resync may have loaded it from the store while the write was answered.
    if (!this.store.has(fault.id)) this.store.activate(fault, origin);
    if (fault.type === 'memory' && this.actsHere(fault)) {
      try {
        await this.holdMemory(fault.id, fault.megabytes, origin);
      } catch (error) {
        await this.propagator?.removed(fault.id).catch(() => undefined);
        throw error;
      }
    }
    return fault;
  }

  /**
   * Ends one fault; 404 when neither this replica nor the shared store has it. With
   * propagation down it still ends here, and the answer is 503 (the others keep it for now).
   */
  async remove(id: string, origin: ChangeOrigin): Promise<void> {
    const here = this.store.end(id, 'removed', origin);
    const shared = this.propagator ? await this.propagator.removed(id) : false;
    if (!here && !shared) throw new NotFoundException(`no active fault with id ${id}`);
  }

  /**
   * The kill switch: ends every fault at once, here first, whatever the store's state; with
   * propagation down the answer is 503 and the clear reaches the store once it is back.
   */
  async clear(origin: ChangeOrigin): Promise<number> {
    const count = this.store.clear(origin);
    await this.propagator?.cleared();
    return count;
  }

  /** A change another replica made (a removal, its kill switch), or the store's set after a (re)connection. */
  private applyRemoteChange(change: RemoteChange): void {
    const origin: ChangeOrigin = { source: 'sync', replica: change.replica };
    if (change.op === 'add') this.applyRemote(change.fault, change.replica);
    else if (change.op === 'remove') this.store.end(change.id, 'removed', origin);
    else if (change.op === 'clear') this.store.clear(origin);
    else this.reconcile(change.faults, change.replica);
  }

  /**
   * A fault another replica added: active here until the same absolute end, which is never
   * later than `createdAt + ttlSeconds` (nor `ttlSeconds` from now), whatever `expiresAt` says.
   */
  private applyRemote(fault: Fault, replica: string): void {
    const now = this.clock.now();
    if (this.store.has(fault.id)) return;
    const { id: _id, createdAt: _created, expiresAt: _expires, actsOn: placement, ...spec } = fault;
    const parsed = parseFaultSpec(spec);
    const origin: ChangeOrigin = { source: 'sync', replica };
    if (!parsed.ok) {
      this.logger.warn(
        { event: 'fault_sync_rejected', faultId: fault.id, origin, reason: parsed.message },
        `ignored a shared fault: ${parsed.message}`,
      );
      return;
    }
    const endMs = storedFaultEndMs(
      { createdAt: fault.createdAt, expiresAt: fault.expiresAt, ttlSeconds: parsed.value.ttlSeconds },
      now,
    );
    if (endMs <= now) return;
    try {
      this.checkFaultCap(this.store.size);
      if (fault.type === 'memory') this.checkMemoryCap(fault.megabytes);
    } catch (error) {
      this.logger.warn(
        { event: 'fault_sync_rejected', faultId: fault.id, origin, reason: (error as Error).message },
        `ignored a shared fault: ${(error as Error).message}`,
      );
      return;
    }
    const chosen = Array.isArray(placement)
      ? { actsOn: placement.filter((r) => typeof r?.replica === 'string' && typeof r?.instance === 'string') }
      : {};
    const synced = {
      ...parsed.value,
      id: fault.id,
      createdAt: fault.createdAt,
      expiresAt: new Date(endMs).toISOString(),
      ...chosen,
    };
    this.store.activate(synced, origin);
    if (fault.type === 'memory' && this.actsHere(synced))
      this.holdMemory(fault.id, fault.megabytes, origin).catch(() => undefined);
  }

  /** The store's set is the truth after a (re)connection: end what it lacks, start what is missing. */
  private reconcile(shared: readonly Fault[], replica: string): void {
    const ids = new Set(shared.map((fault) => fault.id));
    for (const { id } of this.store.list())
      if (!ids.has(id)) this.store.end(id, 'removed', { source: 'sync', replica });
    for (const fault of shared) this.applyRemote(fault, replica);
  }

  /** What to do to one request on a route template (see decideRequest for the order). */
  decideRequest(template: string): RequestDecision {
    return this.store.decideRequest(template);
  }

  /** The `health` fault that takes this probe down on this check; counted as an injection. */
  decideProbe(probe: Probe, route: string): HealthFault | undefined {
    const fault = decideProbe(this.healthFaults, probe, route, this.random);
    if (fault) this.countInjection('health', route, 503);
    return fault;
  }

  countInjection(type: Fault['type'], route: string, status: number | string): void {
    this.store.countInjection(type, route, status);
  }

  observeInjectedDelay(route: string, seconds: number): void {
    this.store.observeInjectedDelay(route, seconds);
  }

  // After the server has drained, so requests still in flight keep their faults. Only this
  // replica's: one replica stopping never ends the faults of the others.
  async onApplicationShutdown(): Promise<void> {
    this.stopRemoteChanges?.();
    this.store.clear({ source: 'shutdown' });
    await this.memory.releaseAll();
  }

  /**
   * The replicas a new fault with a blast radius acts on, chosen once, here, from the live ones
   * (the store's registry; without one, this process is the only replica).
   */
  private async placeBlastRadius(replicas: number | string): Promise<FaultReplica[]> {
    const live = this.propagator
      ? await this.propagator.liveReplicas()
      : [{ replica: 'this-process', instance: `${this.config.host}:${this.config.port}` }];
    const count = blastRadiusCount(replicas, live.length);
    if (!count.ok) throw new BadRequestException(count.message);
    return chooseReplicas(live, count.count, this.random);
  }

  /** Whether this replica is among a fault's chosen ones (every fault without a blast radius acts everywhere). */
  private actsHere(fault: Fault): boolean {
    return actsOn(fault, this.propagator ? this.propagator.self.replica : 'this-process');
  }

  /** A memory fault that cannot get its memory does not stay listed as active. */
  private async holdMemory(id: string, megabytes: number, origin: ChangeOrigin): Promise<void> {
    try {
      await this.memory.hold(id, megabytes);
    } catch (error) {
      this.store.end(id, 'failed', origin);
      throw new InternalServerErrorException(
        `megabytes: could not hold ${megabytes} MB (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  /** The health probes' and the CPU target's view of the active set, after any change. */
  private refresh(faults: readonly Fault[]): void {
    this.healthFaults = faults.filter((fault): fault is HealthFault => fault.type === 'health');
    const cpuShare = faults.reduce((sum, fault) => sum + (fault.type === 'cpu' ? fault.utilization : 0), 0);
    const sliceMs = Math.max(0, ...faults.map((fault) => (fault.type === 'cpu' ? (fault.sliceMs ?? 0) : 0)));
    this.cpu.setUtilization(cpuShare, sliceMs || undefined);
  }

  private checkFaultCap(active: number): void {
    const problem = this.store.capProblem(active);
    if (problem) throw new ConflictException(problem);
  }

  private checkMemoryCap(megabytes: number): void {
    const cap = this.config.memoryCapMb;
    const held = this.memory.heldMegabytes;
    if (held + megabytes > cap) {
      throw new BadRequestException(
        `megabytes: ${megabytes} would hold ${held + megabytes} MB in all, over the cap of ${cap} MB (CHAOS_MEMORY_CAP_MB)`,
      );
    }
  }
}
