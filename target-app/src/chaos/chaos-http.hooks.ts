import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { APP_NAME } from '../dice/dice.controller';
import { addRequestFaultHook } from './core/fastify-request-faults';
import { FaultEngine } from './fault-engine.service';

/**
 * Applies request faults at the HTTP layer through the core's Fastify hook: after routing
 * (the route template is known), before body parsing and Nest's guards, pipes and handler
 * (only Nest middleware, the request logger, runs earlier).
 */
@Injectable()
export class ChaosHttpHooks {
  constructor(private readonly engine: FaultEngine) {}

  register(fastify: FastifyInstance): void {
    addRequestFaultHook(fastify, this.engine, {
      template: (request) => request.routeOptions.url,
      errorBody: (fault) => ({
        app: APP_NAME,
        error: 'injected_fault',
        message: `Injected ${fault.status} by fault ${fault.id}`,
        faultId: fault.id,
      }),
    });
  }
}
