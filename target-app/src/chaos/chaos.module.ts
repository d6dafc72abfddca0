import { Module } from '@nestjs/common';
import { chaosMetricProviders } from './chaos-metrics';
import { ChaosHttpHooks } from './chaos-http.hooks';
import { FaultEngine } from './fault-engine.service';

/** The fault engine and the hook that applies it; the admin API is a separate module, only loaded with a token. */
@Module({
  providers: [...chaosMetricProviders, FaultEngine, ChaosHttpHooks],
  exports: [FaultEngine, ChaosHttpHooks],
})
export class ChaosModule {}
