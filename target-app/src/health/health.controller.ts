import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, MemoryHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { getHeapStatistics } from 'node:v8';
import { AppConfig } from '../config/app-config';
import { APP_NAME } from '../dice/dice.controller';
import { EventLoopHealthIndicator } from './event-loop.health';
import { ProbeFaultHealthIndicator } from './probe-fault.health';

/** Readiness fails when the V8 heap is this close to its limit. */
const HEAP_USED_LIMIT_BYTES = Math.floor(getHeapStatistics().heap_size_limit * 0.9);

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly memory: MemoryHealthIndicator,
    private readonly eventLoop: EventLoopHealthIndicator,
    private readonly probeFault: ProbeFaultHealthIndicator,
    private readonly config: AppConfig,
  ) {}

  /** The seed's health answer (`app`, `status`, `version`) plus the readiness details. */
  @Get()
  async summary(): Promise<HealthCheckResult & { app: string; version: string }> {
    // Key order as in the seed: app, status, version, then terminus' details.
    const withSeedFields = ({ status, ...details }: HealthCheckResult) => ({
      app: APP_NAME,
      status,
      version: this.config.appVersion,
      ...details,
    });
    try {
      return withSeedFields(await this.readiness('/health'));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      throw new ServiceUnavailableException(withSeedFields(error.getResponse() as HealthCheckResult));
    }
  }

  /** Liveness: no dependencies, only an injected `health` fault can fail it. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.probeFault.check('liveness', '/health/live')]);
  }

  /** Readiness: heap, event loop, injected faults; 503 once shutdown begins. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.readiness('/health/ready');
  }

  private readiness(route: string): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.memory.checkHeap('heap', HEAP_USED_LIMIT_BYTES),
      () => this.eventLoop.check('event_loop'),
      () => this.probeFault.check('readiness', route),
    ]);
  }
}
