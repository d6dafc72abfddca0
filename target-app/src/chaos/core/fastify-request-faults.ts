// Request faults as a Fastify hook: the dice app (NestJS on Fastify) and the proxy both apply
// them through this one function.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NO_RESPONSE_STATUS } from '../../../../chaos/contract/metrics';
import type { ErrorFault, RequestDecision } from '../fault-rules';
import { markInjected } from '../injection-mark';
import type { FaultStore } from './fault-store';

/** What the hook needs of an engine: FaultStore itself, or an adapter that delegates to one. */
export type RequestFaultEngine = Pick<FaultStore, 'hasRequestFaults' | 'countInjection' | 'observeInjectedDelay'> & {
  decideRequest(template: string): RequestDecision;
};

export interface RequestFaultHookOptions {
  /** The bounded route label of a request (a template or pattern), or undefined to leave it alone. */
  template(request: FastifyRequest): string | undefined;
  /** The JSON body an error fault answers with. */
  errorBody(fault: ErrorFault): object;
}

/**
 * An onRequest hook: after routing, before body parsing and handlers. Each request is decided
 * on its own, so every request of a keep-alive connection draws anew.
 */
export function addRequestFaultHook(
  fastify: FastifyInstance,
  engine: RequestFaultEngine,
  options: RequestFaultHookOptions,
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!engine.hasRequestFaults) return done();
    const template = options.template(request);
    if (template === undefined) return done();
    const decision = engine.decideRequest(template);
    switch (decision.action) {
      case 'none':
        return done();
      case 'abort':
        return abort(engine, request, reply, template);
      case 'error':
        engine.countInjection('error', template, decision.fault.status);
        markInjected(request.raw);
        return void reply.code(decision.fault.status).send(options.errorBody(decision.fault));
      case 'delay':
        return delay(engine, reply, decision.delays.length, decision.totalMs, template, done);
    }
  });
}

/** Resets the connection (TCP RST) without any response; the request ends here. */
function abort(engine: RequestFaultEngine, request: FastifyRequest, reply: FastifyReply, template: string): void {
  engine.countInjection('abort', template, NO_RESPONSE_STATUS);
  reply.hijack();
  request.raw.socket.resetAndDestroy();
}

/** Waits the drawn delays' sum (cut to the cap), then lets the request go on to its handler. */
function delay(
  engine: RequestFaultEngine,
  reply: FastifyReply,
  faults: number,
  totalMs: number,
  template: string,
  done: () => void,
): void {
  const started = performance.now();
  const timer = setTimeout(() => {
    engine.observeInjectedDelay(template, (performance.now() - started) / 1000);
    done();
  }, totalMs);
  // Counted once the outcome is known: the status sent, or none if the client left first.
  reply.raw.once('close', () => {
    clearTimeout(timer);
    const status = reply.raw.writableFinished ? reply.raw.statusCode : NO_RESPONSE_STATUS;
    for (let i = 0; i < faults; i++) engine.countInjection('latency', template, status);
  });
}
