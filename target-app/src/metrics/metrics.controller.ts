import { Controller, Get, Headers, Res } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';
import { MetricsExposition, wantsOpenMetrics } from './exposition';

/**
 * GET /metrics (path set by PrometheusModule), served from the app's own Registry: OpenMetrics
 * with exemplars when the scraper asks for it, the Prometheus text format otherwise.
 */
@Controller()
export class MetricsController extends PrometheusController {
  private readonly exposition: MetricsExposition;

  constructor(registry: Registry) {
    super();
    this.exposition = new MetricsExposition(registry);
  }

  @Get()
  override index(@Res({ passthrough: true }) reply: FastifyReply, @Headers('accept') accept?: string): Promise<string> {
    const openMetrics = wantsOpenMetrics(accept);
    reply.header('Content-Type', openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE);
    return this.exposition.render(openMetrics);
  }
}
