import { Controller, Get, Header } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { Registry } from 'prom-client';

/** GET /metrics (path set by PrometheusModule), served from the app's own Registry. */
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly registry: Registry) {
    super();
  }

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  override index(): Promise<string> {
    return this.registry.metrics();
  }
}
