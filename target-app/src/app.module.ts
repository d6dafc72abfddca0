import { type DynamicModule, Module } from '@nestjs/common';
import { ChaosAdminModule } from './chaos/admin/chaos-admin.module';
import { ChaosModule } from './chaos/chaos.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DiceModule } from './dice/dice.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import type { RandomSource } from './random/random-source';
import { RandomModule } from './random/random.module';
import { KeepAliveDrain } from './keep-alive-drain';
import { TracingShutdown } from './tracing-handle';

@Module({})
export class AppModule {
  /** The whole service; the admin API is only there when a token is configured and no ADMIN_PORT is (else /admin is 404). */
  static forRoot(config: AppConfig, random?: RandomSource): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        RandomModule.forRoot(random),
        MetricsModule,
        ChaosModule,
        DiceModule,
        HealthModule,
        // With ADMIN_PORT the admin API is served by its own app (admin-server.module.ts).
        ...(config.adminEnabled && !config.adminOnOwnPort ? [ChaosAdminModule.inApp()] : []),
      ],
      providers: [TracingShutdown, KeepAliveDrain],
    };
  }
}
