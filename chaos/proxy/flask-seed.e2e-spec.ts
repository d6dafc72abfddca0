// The proxy in front of the seed's Flask app (a service Roque did not write), and the seed
// experiment end to end: `roque run chaos/experiments/flask-seed.yaml --quick` passes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { startFlaskSeed, type FlaskSeed } from '../local/flask-seed';
import { freePort } from '../local/network';
import { roque } from '../local/roque-cli';
import { wilsonInterval } from '../stats';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

const TOKEN = 'flask-e2e-token';
let seed: FlaskSeed;
let proxy: FaultProxy;

function get(agent: Agent, url: string): Promise<{ status: number; body: string; reusedSocket: boolean; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body, reusedSocket: req.reusedSocket, ms: performance.now() - started }),
      );
    });
    req.on('error', reject).end();
  });
}

const addFault = async (spec: object) => {
  const res = await fetch(`${proxy.url}/admin/faults`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  expect(res.status).toBe(201);
};
const clear = () =>
  fetch(`${proxy.url}/admin/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });

/** prometheus-flask-exporter's count of requests the seed served on `/`. */
async function seedCount(): Promise<number> {
  const text = await (await fetch(`${seed.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('flask_http_request_duration_seconds_count{') && line.includes('path="/"'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

beforeAll(async () => {
  seed = await startFlaskSeed(await freePort(), { log: () => {} });
  proxy = await startFaultProxy({
    upstream: seed.url,
    routes: ['/', '/fail'],
    env: { CHAOS_ADMIN_TOKEN: TOKEN },
    logLevel: 'silent',
  });
}, 180_000);
afterEach(async () => {
  await clear();
});
afterAll(async () => {
  await proxy?.close();
  await seed?.stop();
});

test("the seed's answers pass through unchanged", async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const roll = await get(agent, `${proxy.url}/`);
  expect(roll.status).toBe(200);
  expect(JSON.parse(roll.body).dice_value).toBeGreaterThanOrEqual(1);
  expect((await get(agent, `${proxy.url}/fail`)).status).toBe(500);
  expect(JSON.parse((await get(agent, `${proxy.url}/health`)).body)).toMatchObject({ app: 'dice-api', status: 'ok' });
  agent.destroy();
});

test("errors, latency and resets per request on one keep-alive connection; the seed's own metrics never see the injected errors", async () => {
  await addFault({ type: 'error', status: 503, probability: 0.25, routes: ['/'] });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const before = await seedCount();
  const n = 300;
  let errors = 0;
  let reused = 0;
  for (let i = 0; i < n; i++) {
    const answer = await get(agent, `${proxy.url}/`);
    if (answer.status === 503) errors += 1;
    else expect(answer.status).toBe(200);
    if (answer.reusedSocket) reused += 1;
  }
  expect(reused).toBe(n - 1);
  const share = wilsonInterval(errors, n, 0.999);
  expect(share.low).toBeLessThanOrEqual(0.25);
  expect(share.high).toBeGreaterThanOrEqual(0.25);
  // The blind spot: the seed counted exactly the requests that reached it.
  expect((await seedCount()) - before).toBe(n - errors);
  await clear();

  await addFault({ type: 'latency', delayMs: 150, routes: ['/'] });
  for (let i = 0; i < 3; i++) expect((await get(agent, `${proxy.url}/`)).ms).toBeGreaterThanOrEqual(145);
  await clear();

  await addFault({ type: 'abort', probability: 1, routes: ['/'] });
  await expect(get(agent, `${proxy.url}/`)).rejects.toMatchObject({ code: 'ECONNRESET' });
  expect((await get(agent, `${proxy.url}/fail`)).status).toBe(500);
  agent.destroy();
});

test('the seed experiment passes in quick mode', async () => {
  const reports = mkdtempSync(join(tmpdir(), 'roque-flask-seed-'));
  try {
    const run = await roque(['run', 'chaos/experiments/flask-seed.yaml', '--quick', '--reports', reports], {}, 280_000);
    expect(run.stderr).not.toMatch(/roque run: /);
    const result = JSON.parse(readFileSync(join(reports, 'latest', 'result.json'), 'utf8')) as {
      status: string;
      checks: { name: string; passed: boolean; observed: string }[];
    };
    expect(result.checks.filter((c) => !c.passed)).toEqual([]);
    expect(result.status).toBe('passed');
    expect(run.code).toBe(0);
    expect(result.checks.find((c) => c.name.startsWith("the seed's own latency alert"))?.observed).toMatch(
      /^stayed silent/,
    );
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}, 300_000);
