// The fault proxy in front of a plain node:http server: every fault type by its effect, per
// request on one keep-alive connection; bodies streamed unchanged; upstream failures as such.
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Fault } from '../contract/faults';
import { freePort } from '../local/network';
import { roque, startRoque } from '../local/roque-cli';
import { wilsonInterval } from '../stats';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

const TOKEN = 'proxy-e2e-token';
const LARGE = randomBytes(8 * 1024 * 1024);

let upstream: Server;
let upstreamUrl: string;
let proxy: FaultProxy;
let upstreamRequests = 0;

interface Answer {
  status: number;
  body: Buffer;
  headers: IncomingHttpHeaders;
  reusedSocket: boolean;
  ms: number;
}

/** One request on `agent`; rejects on a reset or a connection error. */
function send(
  agent: Agent,
  url: string,
  options: { method?: string; body?: Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          body: Buffer.concat(chunks),
          headers: res.headers,
          reusedSocket: req.reusedSocket,
          ms: performance.now() - started,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const admin = (method: string, path: string, body?: object, token = TOKEN) =>
  fetch(`${proxy.url}/admin${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });

async function addFault(spec: object): Promise<Fault> {
  const res = await admin('POST', '/faults', spec);
  expect(res.status).toBe(201);
  return (await res.json()) as Fault;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${proxy.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamRequests += 1;
    if (req.url === '/echo') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void req.pipe(res);
    }
    if (req.url === '/large') return void res.writeHead(200, { 'content-length': LARGE.length }).end(LARGE);
    if (req.url === '/stream') {
      // Three chunks 300 ms apart: a proxy that buffered would deliver the first one late.
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const tick = setInterval(() => {
        res.write(`chunk ${sent}\n`);
        if (++sent === 3) (clearInterval(tick), res.end());
      }, 300);
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' })
      .end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  proxy = await startFaultProxy({
    upstream: upstreamUrl,
    routes: ['/', '/api/*', '/echo', '/large', '/stream'],
    env: { CHAOS_ADMIN_TOKEN: TOKEN, CHAOS_ADMIN_AUTH_FAILURES_PER_MINUTE: '3' },
    logLevel: 'silent',
  });
});

afterEach(async () => {
  await admin('DELETE', '/faults');
});

afterAll(async () => {
  await proxy?.close();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
});

test('passes requests through: status, headers, body, path and query', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const answer = await send(agent, `${proxy.url}/api/users/7?x=1`);
  expect(answer.status).toBe(200);
  expect(answer.headers['x-upstream']).toBe('yes');
  expect(JSON.parse(answer.body.toString())).toEqual({ path: '/api/users/7?x=1' });
  agent.destroy();
});

test('an error fault with probability 0.3 answers its share, per request on one keep-alive connection', async () => {
  await addFault({ type: 'error', status: 503, probability: 0.3, routes: ['/api/*'] });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const n = 400;
  let errors = 0;
  let reused = 0;
  for (let i = 0; i < n; i++) {
    const answer = await send(agent, `${proxy.url}/api/x`);
    if (answer.status === 503) {
      errors += 1;
      expect(JSON.parse(answer.body.toString())).toMatchObject({ error: 'injected_fault' });
    } else expect(answer.status).toBe(200);
    if (answer.reusedSocket) reused += 1;
  }
  agent.destroy();
  // Toxiproxy's per-connection decision would give 0 or n on one connection.
  expect(reused).toBe(n - 1);
  const share = wilsonInterval(errors, n, 0.999);
  expect(share.low).toBeLessThanOrEqual(0.3);
  expect(share.high).toBeGreaterThanOrEqual(0.3);
  expect(await metric('chaos_injections_total{type="error",http_route="/api/*",http_response_status_code="503"}')).toBe(
    errors,
  );
  // Other routes are untouched.
  expect((await send(new Agent(), `${proxy.url}/`)).status).toBe(200);
});

test('a fault without routes covers every path, matched by a pattern or not, but never /health', async () => {
  await addFault({ type: 'error', status: 502 });
  for (const path of ['/', '/api/x', '/not/in/the/patterns'])
    expect((await send(new Agent(), `${proxy.url}${path}`)).status).toBe(502);
  expect((await send(new Agent(), `${proxy.url}/health`)).status).toBe(200);
  expect(
    await metric('chaos_injections_total{type="error",http_route="unmatched",http_response_status_code="502"}'),
  ).toBe(1);
});

test('a latency fault delays every covered request by its delay, and only those', async () => {
  await addFault({ type: 'latency', delayMs: 200, routes: ['/'] });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 5; i++) {
    const answer = await send(agent, `${proxy.url}/`);
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThanOrEqual(195);
  }
  const untouched = await send(agent, `${proxy.url}/api/x`);
  expect(untouched.ms).toBeLessThan(150);
  agent.destroy();
  expect(await metric('chaos_injected_delay_seconds_count{http_route="/"}')).toBe(5);
});

test('an abort fault resets the connection with no response; the next request gets through', async () => {
  const fault = await addFault({ type: 'abort', routes: ['/api/*'] });
  const before = upstreamRequests;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  await expect(send(agent, `${proxy.url}/api/x`)).rejects.toMatchObject({ code: 'ECONNRESET' });
  expect(upstreamRequests).toBe(before);
  expect((await admin('DELETE', `/faults/${fault.id}`)).status).toBe(204);
  expect((await send(agent, `${proxy.url}/api/x`)).status).toBe(200);
  agent.destroy();
  expect(await metric('chaos_injections_total{type="abort",http_route="/api/*",http_response_status_code="0"}')).toBe(
    1,
  );
});

test('large request and response bodies pass unchanged', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const echoed = await send(agent, `${proxy.url}/echo`, {
    method: 'POST',
    body: LARGE,
    headers: { 'content-type': 'application/octet-stream' },
  });
  expect(echoed.status).toBe(200);
  expect(sha(echoed.body)).toBe(sha(LARGE));
  const downloaded = await send(agent, `${proxy.url}/large`);
  expect(downloaded.headers['content-length']).toBe(String(LARGE.length));
  expect(sha(downloaded.body)).toBe(sha(LARGE));
  agent.destroy();
});

test('a streamed response reaches the client chunk by chunk, as the upstream writes it', async () => {
  const started = performance.now();
  const arrivals: number[] = [];
  const text = await new Promise<string>((resolve, reject) => {
    request(`${proxy.url}/stream`, (res) => {
      let all = '';
      res.on('data', (c: Buffer) => (arrivals.push(performance.now() - started), (all += c)));
      res.on('end', () => resolve(all));
    })
      .on('error', reject)
      .end();
  });
  expect(text).toBe('chunk 0\nchunk 1\nchunk 2\n');
  expect(arrivals[0]).toBeLessThan(550);
  expect(arrivals.at(-1)! - arrivals[0]).toBeGreaterThanOrEqual(500);
});

test('upstream down: 502, counted as an upstream failure and never as an injection', async () => {
  const down = await startFaultProxy({
    upstream: `http://127.0.0.1:${await freePort()}`,
    env: { CHAOS_ADMIN_TOKEN: TOKEN },
    logLevel: 'silent',
  });
  try {
    const answer = await send(new Agent(), `${down.url}/anything`);
    expect(answer.status).toBe(502);
    expect(answer.body.toString()).toContain('ECONNREFUSED');
    const text = await (await fetch(`${down.url}/metrics`)).text();
    expect(text).toContain('roque_proxy_upstream_failures_total{http_route="/*",error="ECONNREFUSED"} 1');
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/*",http_response_status_code="502"} 1',
    );
    expect(text).not.toMatch(/^chaos_injections_total\{/m);
  } finally {
    await down.close();
  }
});

test('the admin API: token rules, 400 for process faults, TTLs and the kill switch', async () => {
  expect((await admin('GET', '/faults', undefined, '')).status).toBe(401);
  expect((await admin('GET', '/faults', undefined, 'wrong')).status).toBe(401);
  for (const type of [
    { type: 'cpu', utilization: 0.5 },
    { type: 'memory', megabytes: 10 },
    { type: 'health', probe: 'readiness' },
  ]) {
    const res = await admin('POST', '/faults', type);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(
      new RegExp(`^type: ${type.type} faults .*process they run in`),
    );
  }
  const bad = await admin('POST', '/faults', { type: 'latency', delayMs: -1 });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { message: string }).message).toMatch(/^delayMs:/);

  const short = await addFault({ type: 'latency', delayMs: 10, ttlSeconds: 1 });
  await addFault({ type: 'error' });
  expect(((await (await admin('GET', '/faults')).json()) as { faults: Fault[] }).faults).toHaveLength(2);
  expect(await metric('chaos_fault_active{')).toBe(2);
  await new Promise((r) => setTimeout(r, 1300));
  const left = ((await (await admin('GET', '/faults')).json()) as { faults: Fault[] }).faults;
  expect(left.map((f) => f.id)).not.toContain(short.id);
  expect((await admin('DELETE', '/faults')).status).toBe(204);
  expect(((await (await admin('GET', '/faults')).json()) as { faults: Fault[] }).faults).toEqual([]);
  expect((await admin('DELETE', '/faults/nope')).status).toBe(404);
  // As k6's admin helper sends them: a JSON content type and no body.
  const json = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const gone = await addFault({ type: 'error' });
  expect((await fetch(`${proxy.url}/admin/faults/${gone.id}`, { method: 'DELETE', headers: json })).status).toBe(204);
  expect((await fetch(`${proxy.url}/admin/faults`, { method: 'DELETE', headers: json })).status).toBe(204);
  const broken = await fetch(`${proxy.url}/admin/faults`, { method: 'POST', headers: json, body: '{"type":' });
  expect(broken.status).toBe(400);

  // Past CHAOS_ADMIN_AUTH_FAILURES_PER_MINUTE (3 here, 2 used above) a client waits.
  expect((await admin('GET', '/faults', undefined, 'wrong')).status).toBe(401);
  const limited = await admin('GET', '/faults', undefined, 'wrong');
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await admin('GET', '/faults')).status).toBe(200);
});

test('without CHAOS_ADMIN_TOKEN the admin API is off (404) and requests still pass', async () => {
  const open = await startFaultProxy({ upstream: upstreamUrl, env: {}, logLevel: 'silent' });
  try {
    expect((await fetch(`${open.url}/admin/faults`)).status).toBe(404);
    expect((await fetch(`${open.url}/`)).status).toBe(200);
  } finally {
    await open.close();
  }
});

test('the upstream must be loopback', async () => {
  await expect(startFaultProxy({ upstream: 'http://example.com', env: {} })).rejects.toThrow(/not a loopback address/);
});

test('`roque proxy` serves until SIGTERM (exit 143); a non-loopback upstream is bad input (exit 2)', async () => {
  const run = startRoque([
    'proxy',
    '--upstream',
    upstreamUrl,
    '--port',
    '0',
    '--admin-token',
    TOKEN,
    '--routes',
    '/,/api/*',
  ]);
  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while (!url && Date.now() < deadline) {
    url = /roque proxy: (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(url).toBeDefined();
  expect(JSON.parse(await (await fetch(`${url}/api/x`)).text())).toEqual({ path: '/api/x' });
  expect((await fetch(`${url}/admin/faults`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  run.child.kill('SIGTERM');
  expect((await run.done).code).toBe(143);

  const refused = await roque(['proxy', '--upstream', 'http://192.0.2.1:80']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('is not a loopback address');
});

test('`roque run --upstream`: bad input is exit 2 with the reason, before anything starts', async () => {
  const reports = join(tmpdir(), `roque-upstream-refusals-${process.pid}`);
  const remote = await roque([
    'run',
    'chaos/experiments/flask-seed.yaml',
    '--upstream',
    'http://192.0.2.1:80',
    '--reports',
    reports,
  ]);
  expect(remote.code).toBe(2);
  expect(remote.stderr).toContain('upstream "http://192.0.2.1:80" is not a loopback address');
  const both = await roque([
    'run',
    'chaos/experiments/flask-seed.yaml',
    '--upstream',
    upstreamUrl,
    '--target',
    'http://127.0.0.1:1',
    '--prometheus',
    'http://127.0.0.1:2',
  ]);
  expect(both.code).toBe(2);
  expect(both.stderr).toContain('--upstream starts the fault proxy and a local Prometheus');
  rmSync(reports, { recursive: true, force: true });
});
