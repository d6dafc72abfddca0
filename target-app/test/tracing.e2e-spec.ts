// Traces leave by OTLP when the standard variables say where, one span per request named
// by its route template, and the request's log line carries the same trace and span ids.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApp, type AppProcess } from '../../chaos/local/app-process';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

let sink: Server;
let exported: OtlpSpan[] = [];
let app: AppProcess;

beforeAll(async () => {
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const data = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        exported.push(...data.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const { port } = sink.address() as AddressInfo;
  app = await startApp({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'debug',
    },
  });
});

afterAll(async () => {
  await app?.stop();
  sink?.close();
});

const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;

test('a roll is one span named by its route, and its log line carries the ids', async () => {
  exported = [];
  expect((await fetch(`${app.url}/?player=1`)).status).toBe(200);
  expect((await fetch(`${app.url}/no/such/${Date.now()}`)).status).toBe(404);
  await fetch(`${app.url}/health/ready`);
  const deadline = Date.now() + 10_000;
  while (exported.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

  const roll = exported.find((s) => s.name === 'GET /');
  expect(roll).toBeDefined();
  expect(attribute(roll!, 'http.route')).toBe('/');
  // A raw path never names a span; probes are not traced.
  expect(exported.map((s) => s.name).sort()).toEqual(['GET /', 'GET unmatched']);

  const logged = app
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string; req?: { url?: string } });
  const rollLog = logged.find((entry) => entry.req?.url === '/?player=1');
  expect(rollLog).toMatchObject({ trace_id: roll!.traceId, span_id: roll!.spanId });
});
