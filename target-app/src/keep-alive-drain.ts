import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * From the shutdown signal on, every answer carries `Connection: close`: keep-alive clients
 * open a new connection (to another replica, once readiness has taken this one out) during
 * the readiness delay, instead of sending on an idle connection just as the port closes it
 * (a reset the client cannot tell from a failed request).
 */
@Injectable()
export class KeepAliveDrain {
  private draining = false;

  start(): void {
    this.draining = true;
  }

  register(fastify: FastifyInstance): void {
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.draining) reply.header('connection', 'close');
      done(null, payload);
    });
  }
}
