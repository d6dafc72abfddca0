import {
  BadRequestException,
  Inject,
  Injectable,
  InternalServerErrorException,
  NotFoundException,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { Counter, Gauge } from 'prom-client';
import type { Fault, FaultSpec } from '../../../chaos/contract/faults';
import { LABELS, METRICS } from '../../../chaos/contract/metrics';
import { AppConfig } from '../config/app-config';
import { RANDOM_SOURCE, type RandomSource } from '../random/random-source';
import type { FaultActiveLabel, InjectionLabel } from './chaos-metrics';
import { CpuBurner } from './cpu-burner';
import {
  decideProbe,
  decideRequest,
  isRequestFault,
  type HealthFault,
  type Probe,
  type RequestDecision,
  type RequestFault,
} from './fault-rules';
import { MemoryBallast } from './memory-ballast';

/** Who or what made a change, for the audit log (never the token). */
export type ChangeOrigin =
  | { source: 'admin-api'; ip: string; userAgent?: string }
  | { source: 'ttl' | 'shutdown' };

/**
 * The active faults and their effects. Request faults are read on every request, so they
 * are kept in a ready array; process faults (cpu, memory) run while active; every fault
 * ends by itself at its TTL, with an unref'd timer that never keeps the process alive.
 */
@Injectable()
export class FaultEngine implements OnApplicationShutdown {
  private readonly active = new Map<string, { fault: Fault; expiry: NodeJS.Timeout }>();
  private requestFaults: readonly RequestFault[] = [];
  private healthFaults: readonly HealthFault[] = [];
  private readonly cpu = new CpuBurner();
  private readonly memory = new MemoryBallast();

  constructor(
    private readonly config: AppConfig,
    @Inject(RANDOM_SOURCE) private readonly random: RandomSource,
    @InjectMetric(METRICS.faultActive) private readonly activeGauge: Gauge<FaultActiveLabel>,
    @InjectMetric(METRICS.injections) private readonly injections: Counter<InjectionLabel>,
    @InjectPinoLogger(FaultEngine.name) private readonly logger: PinoLogger,
  ) {}

  list(): Fault[] {
    return [...this.active.values()].map(({ fault }) => fault);
  }

  get hasRequestFaults(): boolean {
    return this.requestFaults.length > 0;
  }

  /** Activates a fault; a memory fault resolves once its memory is held. */
  async add(spec: FaultSpec, origin: ChangeOrigin): Promise<Fault> {
    if (spec.type === 'memory') this.checkMemoryCap(spec.megabytes);
    const now = Date.now();
    const fault: Fault = {
      ...spec,
      id: randomUUID(),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + spec.ttlSeconds * 1000).toISOString(),
    };
    const expiry = setTimeout(() => this.end(fault.id, 'expired', { source: 'ttl' }), spec.ttlSeconds * 1000).unref();
    this.active.set(fault.id, { fault, expiry });
    this.refresh();
    this.activeGauge.set({ [LABELS.faultType]: fault.type, [LABELS.faultId]: fault.id }, 1);
    this.logger.info({ event: 'fault_added', fault, origin }, `fault added: ${fault.type} ${fault.id}`);
    if (fault.type === 'memory') await this.holdMemory(fault.id, fault.megabytes, origin);
    return fault;
  }

  /** Ends one fault; 404 when it is not active. */
  remove(id: string, origin: ChangeOrigin): void {
    if (!this.end(id, 'removed', origin)) throw new NotFoundException(`no active fault with id ${id}`);
  }

  /** The kill switch: ends every fault at once. */
  clear(origin: ChangeOrigin): number {
    const ids = [...this.active.keys()];
    for (const id of ids) this.end(id, 'cleared', origin);
    return ids.length;
  }

  /** What to do to one request on a route template (see decideRequest for the order). */
  decideRequest(template: string): RequestDecision {
    return decideRequest(this.requestFaults, template, this.random);
  }

  /** The `health` fault that takes this probe down on this check; counted as an injection. */
  decideProbe(probe: Probe, route: string): HealthFault | undefined {
    const fault = decideProbe(this.healthFaults, probe, route, this.random);
    if (fault) this.countInjection('health', route, 503);
    return fault;
  }

  countInjection(type: Fault['type'], route: string, status: number | string): void {
    this.injections.inc({ [LABELS.faultType]: type, [LABELS.route]: route, [LABELS.status]: String(status) });
  }

  // After the server has drained, so requests still in flight keep their faults.
  async onApplicationShutdown(): Promise<void> {
    this.clear({ source: 'shutdown' });
    await this.memory.releaseAll();
  }

  /** A memory fault that cannot get its memory does not stay listed as active. */
  private async holdMemory(id: string, megabytes: number, origin: ChangeOrigin): Promise<void> {
    try {
      await this.memory.hold(id, megabytes);
    } catch (error) {
      this.end(id, 'failed', origin);
      throw new InternalServerErrorException(`megabytes: could not hold ${megabytes} MB (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private end(id: string, reason: 'expired' | 'removed' | 'cleared' | 'failed', origin: ChangeOrigin): boolean {
    const entry = this.active.get(id);
    if (!entry) return false;
    clearTimeout(entry.expiry);
    this.active.delete(id);
    this.refresh();
    this.activeGauge.remove({ [LABELS.faultType]: entry.fault.type, [LABELS.faultId]: id });
    if (entry.fault.type === 'memory') void this.memory.release(id);
    this.logger.info({ event: `fault_${reason}`, faultId: id, type: entry.fault.type, origin }, `fault ${reason}: ${entry.fault.type} ${id}`);
    return true;
  }

  /** Rebuilds the per-request views and the CPU target after any change. */
  private refresh(): void {
    const faults = this.list();
    this.requestFaults = faults.filter(isRequestFault);
    this.healthFaults = faults.filter((fault): fault is HealthFault => fault.type === 'health');
    const cpuShare = faults.reduce((sum, fault) => sum + (fault.type === 'cpu' ? fault.utilization : 0), 0);
    this.cpu.setUtilization(cpuShare);
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
