import { Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { chaosMetricProviders } from './chaos-metrics';
import { ChaosHttpHooks } from './chaos-http.hooks';
import { CLOCK, systemClock } from './clock';
import { CpuBurner } from './cpu-burner';
import { FaultEngine } from './fault-engine.service';
import { FAULT_PROPAGATOR } from './fault-propagation';
import { FaultSync } from './fault-sync.service';
import { MemoryBallast } from './memory-ballast';
import { redisClientFactory, SYNC_STORE_CLIENT_FACTORY } from './sync-store-client';

/**
 * The fault engine with what it drives (the CPU burner, the memory ballast), its propagation to
 * other replicas (FAULT_PROPAGATOR: a FaultSync on Redis clients from SYNC_STORE_CLIENT_FACTORY,
 * or null without CHAOS_SYNC_REDIS_URL) and the hook that applies it; each a provider, so specs
 * can replace any (Test.createTestingModule(...).overrideProvider). The admin API is a separate
 * module, only loaded with a token.
 */
@Module({
  providers: [
    ...chaosMetricProviders,
    { provide: CLOCK, useValue: systemClock },
    CpuBurner,
    MemoryBallast,
    { provide: SYNC_STORE_CLIENT_FACTORY, useValue: redisClientFactory },
    // A FaultSync only when faults are shared, under this one token (Nest runs the lifecycle hooks
    // of every provider's instance: a second provider of the same sync would connect it twice).
    {
      provide: FAULT_PROPAGATOR,
      inject: [AppConfig, ModuleRef],
      useFactory: (config: AppConfig, moduleRef: ModuleRef) =>
        config.syncRedisUrl ? moduleRef.create(FaultSync) : null,
    },
    FaultEngine,
    ChaosHttpHooks,
  ],
  exports: [FaultEngine, ChaosHttpHooks],
})
export class ChaosModule {}
