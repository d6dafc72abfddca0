import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { ConfigModule } from '../../config/config.module';
import { LoggingModule } from '../../logging/logging.module';
import type { FaultEngine } from '../fault-engine.service';
import { ChaosAdminModule } from './chaos-admin.module';

/**
 * The admin API as an app of its own, for ADMIN_PORT: its listener is bound apart from the
 * public one, and it drives the service's one FaultEngine, handed over as a value.
 */
@Module({})
export class AdminServerModule {
  static forRoot(config: AppConfig, engine: FaultEngine): DynamicModule {
    return {
      module: AdminServerModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, ChaosAdminModule.forEngine(engine)],
    };
  }
}
