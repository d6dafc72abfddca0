import {
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanOptions,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { isUntracedPath, registerRequestSpans, type RequestTracing } from './request-span.hooks';

interface Started {
  name: string;
  options: SpanOptions;
  parentTraceId?: string;
  attributes: Record<string, unknown>;
  status?: number;
  ended: boolean;
}

/** A tracer that records what the hook asks of it; `sampled` decides whether its spans record. */
function fakeTracer(sampled: boolean): { tracing: RequestTracing; started: Started[]; asked: string[] } {
  const started: Started[] = [];
  const asked: string[] = [];
  const tracer = {
    startSpan(name: string, options: SpanOptions = {}, ctx: Context = ROOT_CONTEXT): Span {
      const record: Started = {
        name,
        options,
        parentTraceId: trace.getSpanContext(ctx)?.traceId,
        attributes: {},
        ended: false,
      };
      started.push(record);
      const span = {
        isRecording: () => sampled,
        setAttributes: (a: Record<string, unknown>) => (Object.assign(record.attributes, a), span),
        setAttribute: (k: string, v: unknown) => ((record.attributes[k] = v), span),
        setStatus: (s: { code: number }) => ((record.status = s.code), span),
        end: () => void (record.ended = true),
        spanContext: () => ({
          traceId: '0'.repeat(31) + '1',
          spanId: '0'.repeat(15) + '1',
          traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        }),
      };
      return span as unknown as Span;
    },
  } as unknown as Tracer;
  const decide = (_parent: Context, name: string) => (asked.push(name), sampled);
  return { tracing: { tracer, sampled: decide }, started, asked };
}

/** Reads a W3C traceparent, enough for the hook to show it passes the caller's context on. */
const traceparentOnly: TextMapPropagator = {
  inject: () => undefined,
  fields: () => ['traceparent'],
  extract(ctx, carrier) {
    const header = (carrier as Record<string, string | undefined>).traceparent;
    const [, traceId, spanId, flags] = header?.split('-') ?? [];
    return traceId
      ? trace.setSpanContext(ctx, { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true })
      : ctx;
  },
};

let app: FastifyInstance;
let base: string;

async function start(tracing: RequestTracing | null): Promise<void> {
  app = Fastify();
  registerRequestSpans(app, tracing);
  app.get('/', async () => ({ dice_value: 3 }));
  app.get('/fail', async (_request, reply) => reply.code(500).send({ error: 'x' }));
  app.get('/reset', async (request, reply) => {
    reply.hijack();
    request.raw.socket.destroy();
  });
  app.get('/health/ready', async () => ({ status: 'ok' }));
  app.get('/metrics', async () => '');
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const settle = () => new Promise((r) => setTimeout(r, 50));

beforeAll(() => propagation.setGlobalPropagator(traceparentOnly));
afterAll(() => propagation.disable());
afterEach(async () => {
  await app?.close();
});

test('scrapes and probes are never traced', () => {
  for (const path of ['/metrics', '/health', '/health/ready', '/health/live?x=1'])
    expect(isUntracedPath(path)).toBe(true);
  for (const path of ['/', '/fail', '/healthy', '/admin/faults', '/metrics-x'])
    expect(isUntracedPath(path)).toBe(false);
});

test('a sampled request is one server span named by its route template, ended with its status', async () => {
  const { tracing, started } = fakeTracer(true);
  await start(tracing);
  await fetch(`${base}/?player=1`);
  await fetch(`${base}/no/such/path`);
  await fetch(`${base}/fail`);
  await fetch(`${base}/reset`).catch(() => undefined);
  await fetch(`${base}/health/ready`);
  await fetch(`${base}/metrics`);
  await settle();
  expect(started.map((s) => s.name)).toEqual(['GET /', 'GET unmatched', 'GET /fail', 'GET /reset']);
  expect(started[0].attributes).toEqual({
    'http.request.method': 'GET',
    'http.route': '/',
    'url.path': '/',
    'url.scheme': 'http',
    'http.response.status_code': 200,
  });
  expect(started[0].status).toBeUndefined();
  expect(started[2]).toMatchObject({
    status: SpanStatusCode.ERROR,
    attributes: { 'http.response.status_code': 500, 'error.type': '500' },
  });
  expect(started[3]).toMatchObject({ status: SpanStatusCode.ERROR, attributes: { 'error.type': 'no_response' } });
  expect(started.every((s) => s.ended)).toBe(true);
});

test("the caller's traceparent is the span's parent", async () => {
  const { tracing, started } = fakeTracer(true);
  await start(tracing);
  const traceId = 'ab'.repeat(16);
  await fetch(`${base}/`, { headers: { traceparent: `00-${traceId}-${'cd'.repeat(8)}-01` } });
  await settle();
  expect(started[0].parentTraceId).toBe(traceId);
});

test('an unsampled request gets the decision and nothing more: no span at all', async () => {
  const { tracing, started, asked } = fakeTracer(false);
  await start(tracing);
  await fetch(`${base}/`);
  await fetch(`${base}/health/ready`);
  await settle();
  expect(asked).toEqual(['GET /']);
  expect(started).toHaveLength(0);
});
