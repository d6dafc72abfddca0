import { Controller, Get, type INestApplication, Injectable, UseGuards } from '@nestjs/common';
import { ApiExcludeController, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { faultSpecJsonSchema } from '../../../../chaos/contract/faults';
import { AdminTokenGuard } from './admin-token.guard';

/** The admin API's OpenAPI document, built once the app exists (Swagger scans the live app). */
@Injectable()
export class AdminOpenApiDocument {
  private document: OpenAPIObject | undefined;

  build(app: INestApplication, include: Function[], version: string): void {
    const base = new DocumentBuilder()
      .setTitle('Roque admin API')
      .setDescription('Switch faults on and off in the dice service at runtime.')
      .setVersion(version)
      .setOpenAPIVersion('3.1.0')
      .addBearerAuth()
      .build();
    const document = SwaggerModule.createDocument(app, base, { include });
    const { $schema: _dialect, ...faultSpec } = faultSpecJsonSchema();
    document.components = {
      ...document.components,
      schemas: {
        ...document.components?.schemas,
        FaultSpec: faultSpec,
        Fault: {
          allOf: [
            { $ref: '#/components/schemas/FaultSpec' },
            {
              type: 'object',
              required: ['id', 'createdAt', 'expiresAt'],
              properties: {
                id: { type: 'string' },
                createdAt: { type: 'string', format: 'date-time' },
                expiresAt: { type: 'string', format: 'date-time' },
              },
            },
          ],
        },
      },
    };
    this.document = document;
  }

  get(): OpenAPIObject | undefined {
    return this.document;
  }
}

/** GET /admin/openapi.json, behind the same token as the API it describes. */
@ApiExcludeController()
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class AdminOpenApiController {
  constructor(private readonly document: AdminOpenApiDocument) {}

  @Get('openapi.json')
  openapi(): OpenAPIObject | undefined {
    return this.document.get();
  }
}
