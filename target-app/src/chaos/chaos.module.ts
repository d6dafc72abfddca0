import { Module } from '@nestjs/common';
import { chaosMetricProviders } from './chaos-metrics';
import { ChaosHttpHooks } from './chaos-http.hooks';
import { FaultEngine } from './fault-engine.service';
import { FaultSync } from './fault-sync.service';

/** The fault engine, its propagation to other replicas (FaultSync, idle without CHAOS_SYNC_REDIS_URL) and the hook that applies it; the admin API is a separate module, only loaded with a token. */
@Module({
  providers: [...chaosMetricProviders, FaultEngine, FaultSync, ChaosHttpHooks],
  exports: [FaultEngine, ChaosHttpHooks],
})
export class ChaosModule {}
