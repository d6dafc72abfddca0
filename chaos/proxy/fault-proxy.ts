// `roque proxy`: a reverse proxy on loopback that applies request faults (latency, error,
// abort) per request in front of any HTTP service, with the dice app's admin API, token rules,
// TTLs, kill switch and chaos_* metrics, all from the engine's framework-free core.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import pino from 'pino';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { parseFaultSpec, type FaultType } from '../contract/faults';
import { LABELS, LATENCY_BUCKETS, METRICS, NO_RESPONSE_STATUS, UNMATCHED_ROUTE } from '../contract/metrics';
import { isOperationalRoute } from '../contract/routes';
import { assertLoopback } from '../local/network';
import { parseConfig } from '../../target-app/src/config/app-config';
import { HTTP_DURATION_LABELS, type HttpDurationLabel } from '../../target-app/src/metrics/http-metrics';
import { mathRandom, type RandomSource } from '../../target-app/src/random/random-source';
import { AdminAuth, FailedAuthCounter } from '../../target-app/src/chaos/core/admin-auth';
import { createChaosMetrics } from '../../target-app/src/chaos/core/chaos-metrics';
import { addRequestFaultHook } from '../../target-app/src/chaos/core/fastify-request-faults';
import { FaultStore, newFault, type ChangeOrigin } from '../../target-app/src/chaos/core/fault-store';
import { DEFAULT_PROXY_ROUTES, RoutePatterns } from './route-patterns';

/** Fault types that act on the process they run in: a proxy cannot put them into its upstream. */
const PROCESS_FAULTS: Partial<Record<FaultType, string>> = {
  cpu: 'cpu faults load the CPU of the process they run in; the proxy would only load itself',
  memory: 'memory faults hold memory in the process they run in; the proxy would only hold its own',
  health:
    "health faults take down the probes of the process they run in; the proxy does not answer its upstream's probes",
};

/** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface FaultProxyOptions {
  /** The service faults are put in front of: a loopback http:// URL. */
  upstream: string;
  port?: number;
  host?: string;
  /** Route patterns that label requests (see RoutePatterns); default every path as "/*". */
  routes?: readonly string[];
  /** CHAOS_ADMIN_TOKEN, CHAOS_MAX_FAULTS, CHAOS_MAX_DELAY_MS, ... as the dice app reads them. */
  env?: Record<string, string | undefined>;
  random?: RandomSource;
  logLevel?: string;
}

export interface FaultProxy {
  url: string;
  upstream: string;
  fastify: FastifyInstance;
  close(): Promise<void>;
}

function path(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function forwardHeaders(
  headers: IncomingHttpHeaders | NodeJS.Dict<string | string[]>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

function errorBody(
  statusCode: number,
  error: string,
  message: string,
): { statusCode: number; error: string; message: string } {
  return { statusCode, error, message };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = assertLoopback(options.upstream, 'upstream');
  if (upstream.protocol !== 'http:') throw new Error(`upstream "${options.upstream}": only http:// is proxied`);
  const parsed = parseConfig(options.env ?? process.env);
  if (!parsed.ok) throw new Error(parsed.message);
  const config = parsed.config;
  const routes = new RoutePatterns(options.routes ?? DEFAULT_PROXY_ROUTES);
  const logger = pino({ level: options.logLevel ?? config.logLevel, base: { app: 'roque-proxy' } });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram<HttpDurationLabel>({
    name: METRICS.httpServerDuration,
    help: 'Duration of requests through the fault proxy, from arrival to the end of the response (or of the connection): what an ingress reports.',
    labelNames: HTTP_DURATION_LABELS,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const upstreamFailures = new Counter<typeof LABELS.route | typeof LABELS.upstreamError>({
    name: METRICS.proxyUpstreamFailures,
    help: 'Requests the proxy could not pass to its upstream (answered 502, or cut if the response had begun); never injected.',
    labelNames: [LABELS.route, LABELS.upstreamError],
    registers: [registry],
  });
  const store = new FaultStore({
    maxFaults: config.maxFaults,
    maxTotalDelayMs: config.maxTotalDelayMs,
    random: options.random ?? mathRandom,
    metrics: createChaosMetrics(registry),
    logger,
    // Every path: each pattern's label starts with "/", and the rest are `unmatched`.
    defaultRoutes: ['/*', UNMATCHED_ROUTE],
  });

  const fastify = Fastify({ logger: false, keepAliveTimeout: 65_000, bodyLimit: config.adminBodyLimitBytes });
  // Keep-alive to the upstream: no connection setup per request where the upstream keeps them open
  // (the seed's Werkzeug server closes every one; see bench/results/2026-12-01-proxy-cost.md).
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
  const labels = new WeakMap<IncomingMessage, string>();

  fastify.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  if (config.adminToken)
    registerAdminRoutes(
      fastify,
      store,
      new AdminAuth(config.adminToken, new FailedAuthCounter(config.adminAuthFailuresPerMinute)),
    );
  else
    fastify.all('/admin/*', async (_request, reply) =>
      reply.code(404).send(errorBody(404, 'Not Found', 'the admin API is off: CHAOS_ADMIN_TOKEN is not set')),
    );

  await fastify.register(async (proxied) => {
    // Bodies are streamed to the upstream as they arrive, never parsed.
    proxied.removeAllContentTypeParsers();
    proxied.addContentTypeParser('*', (_request, _payload, done) => done(null));
    proxied.addHook('onRequest', (request, reply, done) => {
      const requestPath = path(request.url);
      if (!isOperationalRoute(requestPath)) {
        const label = routes.label(requestPath);
        labels.set(request.raw, label);
        track(request, reply, label);
      }
      done();
    });
    addRequestFaultHook(proxied, store, {
      template: (request) => labels.get(request.raw),
      errorBody: (fault) => ({
        error: 'injected_fault',
        message: `Injected ${fault.status} by fault ${fault.id} (roque proxy)`,
        faultId: fault.id,
      }),
    });
    proxied.all('/', (request, reply) => forward(request, reply));
    proxied.all('/*', (request, reply) => forward(request, reply));
  });

  function track(request: FastifyRequest, reply: FastifyReply, route: string): void {
    const started = performance.now();
    reply.raw.once('close', () => {
      const status = reply.raw.writableFinished ? String(reply.raw.statusCode) : NO_RESPONSE_STATUS;
      duration.observe(
        { [LABELS.method]: request.method, [LABELS.route]: route, [LABELS.status]: status },
        (performance.now() - started) / 1000,
      );
    });
  }

  function forward(request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    const req = request.raw;
    const res = reply.raw;
    // /metrics, /health* and /admin* of the upstream carry no pattern label: one bounded value.
    const route = labels.get(req) ?? 'operational';
    const headers = forwardHeaders(req.headers);
    headers.host = upstream.host;
    const forwardedFor = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${request.ip}` : request.ip;
    const outgoing = httpRequest({
      host: upstream.hostname.replace(/^\[|\]$/g, ''),
      port: upstream.port || 80,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    let failed = false;
    const fail = (error: NodeJS.ErrnoException) => {
      if (failed) return;
      failed = true;
      upstreamFailures.inc({ [LABELS.route]: route, [LABELS.upstreamError]: error.code ?? 'error' });
      if (res.headersSent) return void res.destroy();
      const body = JSON.stringify(
        errorBody(502, 'Bad Gateway', `upstream ${upstream.origin} failed: ${error.code ?? error.message}`),
      );
      res
        .writeHead(502, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        })
        .end(body);
    };
    outgoing.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, forwardHeaders(answer.headers));
      answer.on('error', fail);
      answer.on('aborted', () => fail(Object.assign(new Error('upstream response aborted'), { code: 'ECONNRESET' })));
      answer.pipe(res);
    });
    outgoing.on('error', fail);
    // A client that leaves takes its upstream request with it.
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  }

  await fastify.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info(
    {
      event: 'proxy_started',
      url,
      upstream: upstream.origin,
      routes: routes.patterns,
      admin: Boolean(config.adminToken),
    },
    `roque proxy on ${url} → ${upstream.origin}`,
  );
  return {
    url,
    upstream: upstream.origin,
    fastify,
    async close() {
      store.clear({ source: 'shutdown' });
      await fastify.close();
      agent.destroy();
    },
  };
}

function originOf(request: FastifyRequest): ChangeOrigin {
  return { source: 'admin-api', ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** The dice app's admin API (docs/contract.md), over the same store rules, for request faults only. */
function registerAdminRoutes(fastify: FastifyInstance, store: FaultStore, auth: AdminAuth): void {
  fastify.register(
    async (admin) => {
      // Clients (k6's admin helper among them) send DELETE with a JSON content type and no
      // body, as the dice app (NestJS) accepts; Fastify's own parser would answer 400.
      admin.removeContentTypeParser('application/json');
      admin.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        if (body === '') return done(null, undefined);
        try {
          done(null, JSON.parse(body as string));
        } catch {
          done(Object.assign(new Error('(body): not valid JSON'), { statusCode: 400 }), undefined);
        }
      });
      admin.addHook('onRequest', async (request, reply) => {
        const refusal = auth.refusal(request.headers.authorization, request.ip);
        if (refusal)
          return reply
            .code(refusal.status)
            .headers(refusal.headers)
            .send(
              errorBody(refusal.status, refusal.status === 401 ? 'Unauthorized' : 'Too Many Requests', refusal.message),
            );
      });
      admin.get('/faults', async () => ({ faults: store.list() }));
      admin.post('/faults', async (request, reply) => {
        const parsed = parseFaultSpec(request.body);
        if (!parsed.ok) return reply.code(400).send(errorBody(400, 'Bad Request', parsed.message));
        const refused = PROCESS_FAULTS[parsed.value.type];
        if (refused)
          return reply
            .code(400)
            .send(errorBody(400, 'Bad Request', `type: ${refused}; the proxy applies latency, error and abort faults`));
        const cap = store.capProblem();
        if (cap) return reply.code(409).send(errorBody(409, 'Conflict', cap));
        const fault = newFault(parsed.value);
        store.activate(fault, originOf(request));
        return reply.code(201).send(fault);
      });
      admin.delete('/faults', async (request, reply) => {
        store.clear(originOf(request));
        return reply.code(204).send();
      });
      admin.delete<{ Params: { id: string } }>('/faults/:id', async (request, reply) => {
        if (!store.end(request.params.id, 'removed', originOf(request)))
          return reply.code(404).send(errorBody(404, 'Not Found', `no active fault with id ${request.params.id}`));
        return reply.code(204).send();
      });
    },
    { prefix: '/admin' },
  );
}
