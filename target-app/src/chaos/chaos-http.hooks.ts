import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';
import { LABELS, METRICS, NO_RESPONSE_STATUS } from '../../../chaos/contract/metrics';
import { APP_NAME } from '../dice/dice.controller';
import type { InjectedDelayLabel } from './chaos-metrics';
import { markInjected } from './injection-mark';
import { FaultEngine } from './fault-engine.service';
import type { ErrorFault } from './fault-rules';

/**
 * Applies request faults at the HTTP layer, in a Fastify onRequest hook: after routing
 * (the route template is known), before body parsing and Nest's guards, pipes and handler
 * (only Nest middleware, the request logger, runs earlier). Each request is decided on its
 * own, so every request of a keep-alive connection draws anew.
 */
@Injectable()
export class ChaosHttpHooks {
  constructor(
    private readonly engine: FaultEngine,
    @InjectMetric(METRICS.injectedDelay) private readonly injectedDelay: Histogram<InjectedDelayLabel>,
  ) {}

  register(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const template = request.routeOptions.url;
      if (!this.engine.hasRequestFaults || template === undefined) return done();
      const decision = this.engine.decideRequest(template);
      switch (decision.action) {
        case 'none':
          return done();
        case 'abort':
          return this.abort(request, reply, template);
        case 'error':
          return this.answerError(reply, decision.fault, template);
        case 'delay':
          return this.delay(reply, decision.delays.length, decision.totalMs, template, done);
      }
    });
  }

  /** Resets the connection (TCP RST) without any response; the request ends here. */
  private abort(request: FastifyRequest, reply: FastifyReply, template: string): void {
    this.engine.countInjection('abort', template, NO_RESPONSE_STATUS);
    reply.hijack();
    request.raw.socket.resetAndDestroy();
  }

  private answerError(reply: FastifyReply, fault: ErrorFault, template: string): void {
    this.engine.countInjection('error', template, fault.status);
    markInjected(reply.request.raw);
    reply.code(fault.status).send({
      app: APP_NAME,
      error: 'injected_fault',
      message: `Injected ${fault.status} by fault ${fault.id}`,
      faultId: fault.id,
    });
  }

  /** Waits the drawn delays' sum (cut to the cap), then lets the request go on to its handler. */
  private delay(reply: FastifyReply, faults: number, totalMs: number, template: string, done: () => void): void {
    const started = performance.now();
    const timer = setTimeout(() => {
      this.injectedDelay.observe({ [LABELS.route]: template }, (performance.now() - started) / 1000);
      done();
    }, totalMs);
    // Counted once the outcome is known: the status sent, or none if the client left first.
    reply.raw.once('close', () => {
      clearTimeout(timer);
      const status = reply.raw.writableFinished ? reply.raw.statusCode : NO_RESPONSE_STATUS;
      for (let i = 0; i < faults; i++) this.engine.countInjection('latency', template, status);
    });
  }
}
