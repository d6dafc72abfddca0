import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { ChaosModule } from '../chaos.module';
import { FaultEngine } from '../fault-engine.service';
import { AdminTokenGuard } from './admin-token.guard';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { FaultsController } from './faults.controller';
import { AdminOpenApiController, AdminOpenApiDocument } from './openapi';

const ADMIN_PROVIDERS: Provider[] = [AdminTokenGuard, FailedAuthLimiter, AdminOpenApiDocument];
const ADMIN_API = { controllers: [FaultsController, AdminOpenApiController], exports: [AdminOpenApiDocument] };

/** /admin: only imported when CHAOS_ADMIN_TOKEN is set, so without it the whole tree is 404. */
@Module({})
export class ChaosAdminModule {
  /** Beside the dice routes, on the engine of the app's ChaosModule. */
  static inApp(): DynamicModule {
    return { module: ChaosAdminModule, imports: [ChaosModule], providers: ADMIN_PROVIDERS, ...ADMIN_API };
  }

  /** On a listener of its own (ADMIN_PORT), driving the engine of the running service. */
  static forEngine(engine: FaultEngine): DynamicModule {
    return {
      module: ChaosAdminModule,
      providers: [{ provide: FaultEngine, useValue: engine }, ...ADMIN_PROVIDERS],
      ...ADMIN_API,
    };
  }
}
