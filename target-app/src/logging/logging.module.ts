import { Module, RequestMethod } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import { isInjected } from '../chaos/injection-mark';
import { AppConfig } from '../config/app-config';

/** trace_id and span_id of the active span, so a log line leads to its trace. */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}

/**
 * Structured JSON logs (pino). Requests are logged at debug, or at warn when they fail
 * with a 5xx, so the default level does not pay a log line per request.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // nestjs-pino's default route ('{/*splat}') only matches "/" on this Nest/Fastify
        // version; '{*splat}' matches every path, "/" included.
        forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.logLevel,
          mixin: traceFields,
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
          customLogLevel: (request, response) => {
            // A fault's answer is counted by chaos_injections_total; a line each would only cost.
            if (isInjected(request)) return 'silent';
            return response.statusCode >= 500 ? 'warn' : 'debug';
          },
          // pino-http makes an Error for every 5xx; its stack says nothing about the request.
          serializers: { err: (error: Error) => ({ type: error.name, message: error.message }) },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
