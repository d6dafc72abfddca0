import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { ChaosModule } from '../chaos/chaos.module';
import { EventLoopHealthIndicator } from './event-loop.health';
import { HealthController } from './health.controller';
import { ProbeFaultHealthIndicator } from './probe-fault.health';

@Module({
  imports: [
    TerminusModule.forRootAsync({
      // Readiness reports shutting_down this long before the server stops taking connections.
      useFactory: (config: AppConfig) => ({
        gracefulShutdownTimeoutMs: config.shutdownReadinessDelayMs,
        errorLogStyle: 'json',
      }),
      inject: [AppConfig],
    }),
    ChaosModule,
  ],
  controllers: [HealthController],
  providers: [EventLoopHealthIndicator, ProbeFaultHealthIndicator],
})
export class HealthModule {}
