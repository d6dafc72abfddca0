import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AdminServerModule } from './chaos/admin/admin-server.module';
import { ChaosAdminModule } from './chaos/admin/chaos-admin.module';
import { AdminOpenApiDocument } from './chaos/admin/openapi';
import { ChaosHttpHooks } from './chaos/chaos-http.hooks';
import { FaultEngine } from './chaos/fault-engine.service';
import type { AppConfig } from './config/app-config';
import { KeepAliveDrain } from './keep-alive-drain';
import { RequestLogHooks } from './logging/request-log.hooks';
import { HttpMetricsHooks } from './metrics/http-metrics.hooks';
import type { RandomSource } from './random/random-source';
import { registerRequestSpans } from './request-span.hooks';

export type AppOptions = {
  /** Replaces Math.random for dice rolls and fault decisions (reproducible tests). */
  random?: RandomSource;
};

/** A Fastify adapter with small bodies (only the admin API takes any) parsed as JSON. */
function jsonAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({ bodyLimit: config.adminBodyLimitBytes });
  // JSON as Fastify parses it, except that an empty body is no body: clients send
  // `content-type: application/json` on DELETE too.
  const parseJson = adapter.getInstance<FastifyInstance>().getDefaultJsonParser('error', 'error');
  adapter.useBodyParser('application/json', false, undefined, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    // The default parser answers through `done`; its type also allows the promise-returning form.
    void parseJson(request, body.toString('utf8'), done);
  });
  return adapter;
}

/**
 * Builds the whole service, initialised but not listening: main.ts listens on the
 * configured address, tests on port 0.
 */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = jsonAdapter(config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.random), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));

  // HTTP-layer hooks, before Nest registers its routes, in this order: the request's span
  // first, so what follows runs in its context; metrics and the request log, so they see
  // every request, including those a fault ends; then the faults. Without an admin token
  // no fault can be switched on, so the fault engine is left out of the request path
  // altogether (the benchmark measures its idle cost against that).
  const fastify = adapter.getInstance<FastifyInstance>();
  registerRequestSpans(fastify);
  app.get(HttpMetricsHooks).register(fastify);
  app.get(RequestLogHooks).register(fastify);
  if (config.adminEnabled) app.get(ChaosHttpHooks).register(fastify);
  app.get(KeepAliveDrain).register(fastify);

  await app.init();
  if (config.adminEnabled && !config.adminOnOwnPort) {
    app.get(AdminOpenApiDocument).build(app, [ChaosAdminModule], config.appVersion);
  }
  await fastify.ready();
  return app;
}

/**
 * The admin API on its own (ADMIN_PORT), initialised but not listening, driving the
 * FaultEngine of `service` (an app made by createApp).
 */
export async function createAdminApp(
  config: AppConfig,
  service: NestFastifyApplication,
): Promise<NestFastifyApplication> {
  const adapter = jsonAdapter(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    AdminServerModule.forRoot(config, service.get(FaultEngine)),
    adapter,
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  const fastify = adapter.getInstance<FastifyInstance>();
  registerRequestSpans(fastify);
  app.get(RequestLogHooks).register(fastify);
  await app.init();
  app.get(AdminOpenApiDocument).build(app, [ChaosAdminModule], config.appVersion);
  await fastify.ready();
  return app;
}
