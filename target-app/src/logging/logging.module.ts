import { Module } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { RequestLogHooks } from './request-log.hooks';

/** trace_id and span_id of the active span, so a log line leads to its trace. */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}

/**
 * Structured JSON logs (pino). Requests are logged by RequestLogHooks at debug, or at warn
 * when they fail with a 5xx, so the default level does not pay a log line per request.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // No request middleware: pino-http's would build a child logger per request (see
        // RequestLogHooks); pino-http here only makes the root logger and its serializers.
        forRoutes: [],
        pinoHttp: {
          level: config.logLevel,
          mixin: traceFields,
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
          // A 5xx's line carries an Error; its stack says nothing about the request.
          serializers: { err: (error: Error) => ({ type: error.name, message: error.message }) },
        },
      }),
    }),
  ],
  providers: [RequestLogHooks],
  exports: [RequestLogHooks],
})
export class LoggingModule {}
