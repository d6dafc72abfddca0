import { Module } from '@nestjs/common';
import { ChaosModule } from '../chaos.module';
import { AdminTokenGuard } from './admin-token.guard';
import { FaultsController } from './faults.controller';
import { AdminOpenApiController, AdminOpenApiDocument } from './openapi';

/** /admin: only imported when CHAOS_ADMIN_TOKEN is set, so without it the whole tree is 404. */
@Module({
  imports: [ChaosModule],
  controllers: [FaultsController, AdminOpenApiController],
  providers: [AdminTokenGuard, AdminOpenApiDocument],
  exports: [AdminOpenApiDocument],
})
export class ChaosAdminModule {}
