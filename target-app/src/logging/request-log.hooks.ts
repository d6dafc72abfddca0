import { Injectable } from '@nestjs/common';
import { context, type Context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Level } from 'pino';
import { isInjected } from '../chaos/injection-mark';
import { onResponseClose } from '../response-close';

/** The level of a request's line, or null for none. */
export function requestLogLevel(statusCode: number | null, injected: boolean): Level | null {
  // A fault's answer is counted by chaos_injections_total; a line each would only cost.
  if (injected) return null;
  return statusCode !== null && statusCode >= 500 ? 'warn' : 'debug';
}

/**
 * One line per request, in pino-http's shape (`req`, `res`, `responseTime`, and `err` for a
 * 5xx), at debug, or at warn for a 5xx. Written by a Fastify hook rather than pino-http's
 * middleware, which builds a child logger for every request (serialising and redacting its
 * headers) whether or not the line is ever written: here a request whose line is below the
 * level costs a closure on the response's shared `close` listener, and only a written line
 * is serialised.
 */
@Injectable()
export class RequestLogHooks {
  constructor(private readonly logger: PinoLogger) {}

  register(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      this.track(request, reply);
      done();
    });
  }

  private track(request: FastifyRequest, reply: FastifyReply): void {
    const root = this.logger.logger;
    // Nothing can be written below warn: no listener at all.
    if (!root.isLevelEnabled('warn')) return;
    const started = Date.now();
    // The request's context (its span when it is traced), so the line carries its trace ids.
    const requestContext: Context = context.active();
    onResponseClose(reply.raw, () => {
      const raw = reply.raw;
      const statusCode = raw.writableFinished ? raw.statusCode : null;
      const level = requestLogLevel(statusCode, isInjected(request.raw));
      if (level === null || !root.isLevelEnabled(level)) return;
      (request.raw as { id?: string }).id = request.id;
      const line = { req: request.raw, res: raw, responseTime: Date.now() - started };
      context.with(requestContext, () => {
        if (statusCode === null) root[level](line, 'request closed with no response');
        else if (statusCode >= 500)
          root[level]({ ...line, err: new Error(`failed with status code ${statusCode}`) }, 'request errored');
        else root[level](line, 'request completed');
      });
    });
  }
}
