import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { PinoLogger } from 'nestjs-pino';
import pino, { type Level } from 'pino';
import { markInjected } from '../chaos/injection-mark';
import { RequestLogHooks, requestLogLevel } from './request-log.hooks';

interface Line {
  level: number;
  msg: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  err?: { message: string };
  responseTime?: number;
}

let app: FastifyInstance;
let lines: Line[];
let base: string;

async function start(level: Level): Promise<void> {
  lines = [];
  const logger = pino(
    { level, serializers: { req: pino.stdSerializers.req, res: pino.stdSerializers.res } },
    { write: (s: string) => lines.push(JSON.parse(s) as Line) },
  );
  app = Fastify();
  new RequestLogHooks({ logger } as unknown as PinoLogger).register(app);
  app.get('/', async () => ({ dice_value: 3 }));
  app.get('/fail', async (_request, reply) => reply.code(500).send({ error: 'x' }));
  app.get('/injected', async (request, reply) => {
    markInjected(request.raw);
    return reply.code(503).send({ error: 'injected_fault' });
  });
  app.get('/reset', async (request, reply) => {
    reply.hijack();
    request.raw.socket.destroy();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** Lines are written on the response's 'close', just after the client has its answer. */
const settle = () => new Promise((r) => setTimeout(r, 50));

afterEach(async () => {
  await app?.close();
});

test("a request line is debug, or warn for a 5xx; a fault's answer has none", () => {
  expect(requestLogLevel(200, false)).toBe('debug');
  expect(requestLogLevel(404, false)).toBe('debug');
  expect(requestLogLevel(500, false)).toBe('warn');
  expect(requestLogLevel(null, false)).toBe('debug');
  expect(requestLogLevel(503, true)).toBeNull();
});

test("at info only a 5xx is written, in pino-http's shape", async () => {
  await start('info');
  await fetch(`${base}/`);
  await fetch(`${base}/nope`);
  await fetch(`${base}/fail?x=1`);
  await settle();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 40,
    msg: 'request errored',
    req: { method: 'GET', url: '/fail?x=1' },
    res: { statusCode: 500 },
    err: { message: 'failed with status code 500' },
  });
  expect(typeof lines[0].responseTime).toBe('number');
});

test("at debug every request is written, except a fault's answer", async () => {
  await start('debug');
  await fetch(`${base}/`);
  await fetch(`${base}/injected`);
  await fetch(`${base}/reset`).catch(() => undefined);
  await settle();
  expect(lines.map((l) => [l.level, l.msg, l.req?.url])).toEqual([
    [20, 'request completed', '/'],
    [20, 'request closed with no response', '/reset'],
  ]);
  expect(lines[0].res).toMatchObject({ statusCode: 200 });
});

test('above warn nothing is written, 5xx included', async () => {
  await start('error');
  await fetch(`${base}/fail`);
  await settle();
  expect(lines).toEqual([]);
});
