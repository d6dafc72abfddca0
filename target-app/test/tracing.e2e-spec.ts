// Traces leave by OTLP when the standard variables say where, one span per request named
// by its route template, and the request's log line carries the same trace and span ids.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runK6 } from '../../chaos/k6/k6-runner';
import { startApp, type AppProcess } from '../../chaos/local/app-process';
import { splitCsvLine } from '../../chaos/runner/raw-results';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string };
}

let sink: Server;
let exported: OtlpSpan[] = [];
/** Each export's resource attributes and request headers. */
const exportRequests: { resource: OtlpAttribute[]; headers: Record<string, unknown> }[] = [];
let app: AppProcess;

beforeAll(async () => {
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const data = JSON.parse(body) as {
          resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        exported.push(...data.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
        for (const r of data.resourceSpans)
          exportRequests.push({ resource: r.resource.attributes, headers: req.headers });
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
      OTEL_EXPORTER_OTLP_HEADERS: 'x-roque-e2e=traced',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
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

const waitFor = async (found: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!found() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
};

test('exports carry OTEL_EXPORTER_OTLP_HEADERS, and the resource names the service and OTEL_RESOURCE_ATTRIBUTES', async () => {
  expect((await fetch(`${app.url}/`)).status).toBe(200);
  await waitFor(() => exportRequests.length > 0);
  const [first] = exportRequests;
  expect(first.headers['x-roque-e2e']).toBe('traced');
  const resource = Object.fromEntries(first.resource.map((a) => [a.key, a.value.stringValue]));
  expect(resource).toMatchObject({ 'service.name': 'dice-api', 'deployment.environment.name': 'e2e' });
});

test('the request histogram carries sampled trace ids as exemplars, on OpenMetrics scrapes only', async () => {
  // `exported` keeps the earlier test's spans: a bucket's exemplar may be one of those.
  for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/`)).status).toBe(200);
  const before = exported.length;
  await waitFor(() => exported.length >= before + 3);
  const scrape = await fetch(`${app.url}/metrics`, {
    headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' },
  });
  expect(scrape.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
  const exemplars = [
    ...(await scrape.text()).matchAll(
      /^http_server_request_duration_seconds_bucket\{.*http_route="\/".*\} \d+ # \{trace_id="([\da-f]{32})"\}/gm,
    ),
  ].map((m) => m[1]);
  expect(exemplars.length).toBeGreaterThan(0);
  const exportedIds = new Set(exported.map((s) => s.traceId));
  for (const traceId of exemplars) expect(exportedIds).toContain(traceId);
  const plain = await fetch(`${app.url}/metrics`);
  expect(plain.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(await plain.text()).not.toContain('trace_id');
});

test("a k6 request's trace id, kept in its raw results, is the trace of the server span it parents", async () => {
  exported = [];
  const dir = mkdtempSync(join(tmpdir(), 'roque-trace-k6-'));
  const rawOutputFile = join(dir, 'requests.csv');
  const result = await runK6({
    scenario: 'smoke',
    testid: 'e2e-trace',
    summaryDir: dir,
    rawOutputFile,
    env: { BASE_URL: app.url, RATE: '10', DURATION: '2s' },
  });
  expect(result.exitCode).toBe(0);
  const [header, ...rows] = readFileSync(rawOutputFile, 'utf8').trim().split('\n').map(splitCsvLine);
  const column = (name: string) => header.indexOf(name);
  const traceIds = rows
    .filter((r) => r[column('metric_name')] === 'http_req_duration' && r[column('name')] === '/')
    .map((r) => /(?:^|&)trace_id=([\da-f]{32})/.exec(r[column('metadata')])?.[1]);
  expect(traceIds.length).toBeGreaterThan(5);
  expect(traceIds.every(Boolean)).toBe(true);
  expect(new Set(traceIds).size).toBe(traceIds.length);
  // The tags stay free of it: one label value per request would be a series per request.
  expect(rows.every((r) => !r[column('extra_tags')].includes('trace_id'))).toBe(true);

  await waitFor(() => exported.filter((s) => s.name === 'GET /').length >= traceIds.length);
  const rolls = exported.filter((s) => s.name === 'GET /');
  const traced = traceIds.map((id) => rolls.find((s) => s.traceId === id));
  expect(traced.every((span) => span && span.parentSpanId && /^[\da-f]{16}$/.test(span.parentSpanId))).toBe(true);
}, 60_000);
