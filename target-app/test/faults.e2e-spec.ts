// Issue 3, end to end: the admin API and each request fault, judged by its effect.
import { Agent, request as httpRequest } from 'node:http';
import type { Fault } from '../../chaos/contract/faults';
import { LATENCY_BUCKETS } from '../../chaos/contract/metrics';
import { seededRandom } from '../src/random/random-source';
import {
  ADMIN_TOKEN,
  admin,
  get,
  inBatches,
  median,
  quantile,
  metricValue,
  scrape,
  sleep,
  startApp,
  wilsonInterval,
  type RunningApp,
} from './e2e-helpers';

/** Client-side duration of one GET, in ms. */
async function timedGet(url: string, agent?: Agent): Promise<number> {
  const started = performance.now();
  const answer = await get(url, { agent });
  if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status}`);
  return performance.now() - started;
}

const RANDOM_SEED = 20_260_322;

/** The `le` of the histogram's largest bound at or under `seconds`, and of its smallest at or over it. */
const leAtMost = (seconds: number) => String(Math.max(...LATENCY_BUCKETS.filter((b) => b <= seconds)));
const leAtLeast = (seconds: number) => String(Math.min(...LATENCY_BUCKETS.filter((b) => b >= seconds)));

describe('fault engine and admin API (e2e)', () => {
  let service: RunningApp;
  let api: ReturnType<typeof admin>;

  beforeAll(async () => {
    // Seeded, so the statistical checks (a 99% interval fails 1% of fair runs) are
    // reproducible; the seed's draws are as uniform as Math.random's.
    service = await startApp({}, { random: seededRandom(RANDOM_SEED) });
    api = admin(service.url);
  });
  afterEach(() => api.clear());
  afterAll(() => service.close());

  async function addFault(spec: Record<string, unknown>): Promise<Fault> {
    const answer = await api.add(spec);
    expect(answer.status).toBe(201);
    return answer.json<Fault>();
  }

  describe('admin API', () => {
    it('creates, lists, removes one and clears all faults, with the gauge following', async () => {
      const created = await addFault({ type: 'latency', delayMs: 1, ttlSeconds: 60 });
      expect(created).toMatchObject({
        type: 'latency',
        delayMs: 1,
        jitterMs: 0,
        distribution: 'fixed',
        probability: 1,
        ttlSeconds: 60,
      });
      expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(60_000);
      const second = await addFault({ type: 'error', status: 502 });
      expect((await api.list()).json<{ faults: Fault[] }>().faults.map((f) => f.id)).toEqual([created.id, second.id]);
      expect(metricValue(await scrape(service.url), 'chaos_fault_active', { type: 'error', fault_id: second.id })).toBe(
        1,
      );

      const removed = await api.remove(second.id);
      expect(removed.status).toBe(204);
      expect(removed.body).toBe('');
      expect((await api.remove(second.id)).status).toBe(404);
      expect(metricValue(await scrape(service.url), 'chaos_fault_active', { fault_id: second.id })).toBeUndefined();

      await addFault({ type: 'abort', routes: ['/fail'] });
      expect((await api.clear()).status).toBe(204);
      expect((await api.list()).json()).toEqual({ faults: [] });
      expect(await scrape(service.url)).not.toMatch(/^chaos_fault_active\{/m);
    });

    it('answers 401 without a token, with a wrong one and with another scheme', async () => {
      const url = `${service.url}/admin/faults`;
      expect((await get(url)).status).toBe(401);
      expect((await get(url, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
      expect((await get(url, { headers: { authorization: `Basic ${ADMIN_TOKEN}` } })).status).toBe(401);
      expect((await admin(service.url, `${ADMIN_TOKEN}x`).add({ type: 'abort' })).status).toBe(401);
      expect((await get(`${service.url}/admin/openapi.json`)).status).toBe(401);
      expect((await api.list()).json()).toEqual({ faults: [] });
    });

    it.each([
      ['an unknown type', { type: 'meteor' }, 'type'],
      ['probability 1.5', { type: 'abort', probability: 1.5 }, 'probability'],
      ['a negative delay', { type: 'latency', delayMs: -1 }, 'delayMs'],
      ['a too large delay', { type: 'latency', delayMs: 600_000 }, 'delayMs'],
      ['a missing delay', { type: 'latency' }, 'delayMs'],
      ['ttl 0', { type: 'abort', ttlSeconds: 0 }, 'ttlSeconds'],
      ['ttl 99999', { type: 'abort', ttlSeconds: 99_999 }, 'ttlSeconds'],
      ['routes that are not a list', { type: 'abort', routes: '/' }, 'routes'],
      ['an unknown field', { type: 'abort', colour: 'red' }, 'colour'],
      ['an error status out of range', { type: 'error', status: 200 }, 'status'],
      ['memory over CHAOS_MEMORY_CAP_MB', { type: 'memory', megabytes: 600 }, 'megabytes'],
    ])('answers 400 naming the field for %s', async (_case, spec, field) => {
      const answer = await api.add(spec);
      expect(answer.status).toBe(400);
      expect(answer.json<{ message: string }>().message).toContain(field);
    });

    it('answers 4xx, never 5xx, to malformed JSON, an oversized body, no body and a wrong content type', async () => {
      const malformed = await api.addRaw('{"type": "latency", ');
      expect(malformed.status).toBe(400);
      const oversized = await api.addRaw(JSON.stringify({ type: 'abort', padding: 'x'.repeat(20_000) }));
      expect([400, 413]).toContain(oversized.status);
      const url = `${service.url}/admin/faults`;
      const empty = await get(url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(empty.status).toBe(400);
      const text = await get(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/plain' },
        body: 'abort',
      });
      expect(text.status).toBeGreaterThanOrEqual(400);
      expect(text.status).toBeLessThan(500);
      expect((await api.list()).json()).toEqual({ faults: [] });
    });

    it('serves the OpenAPI document behind the token, with the fault JSON Schema', async () => {
      const answer = await get(`${service.url}/admin/openapi.json`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(answer.status).toBe(200);
      const document = answer.json<{
        paths: Record<string, unknown>;
        components: { schemas: Record<string, { oneOf?: unknown[] }> };
      }>();
      expect(Object.keys(document.paths).sort()).toEqual(['/admin/faults', '/admin/faults/{id}']);
      expect(document.components.schemas.FaultSpec.oneOf).toHaveLength(6);
    });
  });

  describe('latency', () => {
    // Client-side times carry the host's noise (the client shares the app's event loop, and
    // CI runs other suites beside this one). So the baseline is measured in the same rounds
    // as the delayed requests (GET /fail, which the fault leaves alone), spreads are judged
    // by quartiles, which a few late answers do not move, and upper bounds by the server's
    // own ground truth. The exact distributions are unit-tested in fault-rules.spec.
    async function delayedAndBaseline(
      rounds: number,
      concurrency: number,
    ): Promise<{ delayed: number[]; baseline: number[]; injectedBefore: string }> {
      const injectedBefore = await scrape(service.url);
      const delayed: number[] = [];
      const baseline: number[] = [];
      await inBatches(rounds, concurrency, async () => {
        delayed.push(await timedGet(`${service.url}/`));
        const started = performance.now();
        expect((await get(`${service.url}/fail`)).status).toBe(500);
        baseline.push(performance.now() - started);
      });
      return { delayed, baseline, injectedBefore };
    }

    /** Growth of one injected-delay series on / since `before`. */
    async function injectedSince(before: string, name: string, labels: Record<string, string> = {}): Promise<number> {
      const series = { http_route: '/', ...labels };
      return metricValue(await scrape(service.url), name, series)! - (metricValue(before, name, series) ?? 0);
    }

    it('fixed 200 ms: the added median over 200 requests is within 5% of 200 ms', async () => {
      await addFault({ type: 'latency', delayMs: 200, routes: ['/'] });
      const { delayed, baseline, injectedBefore } = await delayedAndBaseline(200, 5);
      const added = median(delayed) - median(baseline);
      expect(added).toBeGreaterThanOrEqual(190);
      expect(added).toBeLessThanOrEqual(210);
      expect(await injectedSince(injectedBefore, 'chaos_injected_delay_seconds_count')).toBe(200);
      expect(await injectedSince(injectedBefore, 'chaos_injected_delay_seconds_bucket', { le: leAtMost(0.15) })).toBe(
        0,
      );
      expect(
        await injectedSince(injectedBefore, 'chaos_injected_delay_seconds_bucket', { le: leAtLeast(0.25) }),
      ).toBeGreaterThanOrEqual(195);
      expect(
        await injectedSince(injectedBefore, 'chaos_injections_total', {
          type: 'latency',
          http_response_status_code: '200',
        }),
      ).toBe(200);
    });

    it('uniform 100 ± 50 ms stays in its range and spreads over it', async () => {
      await addFault({ type: 'latency', delayMs: 100, jitterMs: 50, distribution: 'uniform', routes: ['/'] });
      const { delayed, baseline, injectedBefore } = await delayedAndBaseline(200, 5);
      // Timers count from the loop's cached clock, so a delay may end up to ~1 ms early.
      expect(Math.min(...delayed)).toBeGreaterThanOrEqual(49);
      expect(median(delayed) - median(baseline)).toBeGreaterThan(85);
      expect(median(delayed) - median(baseline)).toBeLessThan(115);
      // Uniform over [50, 150]: quartiles at 75 and 125, an interquartile range of 50.
      const iqr = quantile(delayed, 0.75) - quantile(delayed, 0.25);
      expect(iqr).toBeGreaterThan(38);
      expect(iqr).toBeLessThan(65);
      // What the server injected never left the range (a timer may fire a little late).
      const injected = (le: string) => injectedSince(injectedBefore, 'chaos_injected_delay_seconds_bucket', { le });
      expect(await injected(leAtMost(0.025))).toBe(0);
      expect(await injected(leAtLeast(0.15))).toBeGreaterThanOrEqual(180);
      expect(await injected(leAtLeast(0.25))).toBeGreaterThanOrEqual(195);
    });

    it('normal 100 ms with sd 20 ms has about the asked spread', async () => {
      await addFault({ type: 'latency', delayMs: 100, jitterMs: 20, distribution: 'normal', routes: ['/'] });
      const { delayed, baseline } = await delayedAndBaseline(240, 5);
      expect(median(delayed) - median(baseline)).toBeGreaterThan(85);
      expect(median(delayed) - median(baseline)).toBeLessThan(115);
      // For a normal distribution, sd = IQR / 1.349.
      const sd = (quantile(delayed, 0.75) - quantile(delayed, 0.25)) / 1.349;
      expect(sd).toBeGreaterThan(14);
      expect(sd).toBeLessThan(28);
    });

    it('acts on the listed routes only, and never on /metrics or /health', async () => {
      await addFault({ type: 'latency', delayMs: 300, routes: ['/fail'] });
      expect(await timedGet(`${service.url}/`)).toBeLessThan(150);
      for (const path of ['/metrics', '/health/live'])
        expect(await timedGet(`${service.url}${path}`)).toBeLessThan(150);
      const started = performance.now();
      expect((await get(`${service.url}/fail`)).status).toBe(500);
      expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    });

    it('routes ["/*"] acts on every dice route, still never on /metrics or /health', async () => {
      await addFault({ type: 'latency', delayMs: 200, routes: ['/*'] });
      expect(await timedGet(`${service.url}/`)).toBeGreaterThanOrEqual(195);
      const started = performance.now();
      expect((await get(`${service.url}/fail`)).status).toBe(500);
      expect(performance.now() - started).toBeGreaterThanOrEqual(195);
      for (const path of ['/metrics', '/health/live'])
        expect(await timedGet(`${service.url}${path}`)).toBeLessThan(150);
    });
  });

  describe('error', () => {
    const TRIALS = 2000;

    async function shareOf503(agent?: Agent, concurrency = 20): Promise<number> {
      const statuses = await inBatches(
        TRIALS,
        concurrency,
        async () => (await get(`${service.url}/`, { agent })).status,
      );
      expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
      return statuses.filter((status) => status === 503).length;
    }

    it('probability 0.2, status 503: the observed share lies in the Wilson 99% interval, and matches the ground truth', async () => {
      await addFault({ type: 'error', status: 503, probability: 0.2 });
      const before =
        metricValue(await scrape(service.url), 'chaos_injections_total', {
          type: 'error',
          http_route: '/',
          http_response_status_code: '503',
        }) ?? 0;
      const errors = await shareOf503();
      const [low, high] = wilsonInterval(errors, TRIALS);
      expect(low).toBeLessThanOrEqual(0.2);
      expect(high).toBeGreaterThanOrEqual(0.2);
      const after = metricValue(await scrape(service.url), 'chaos_injections_total', {
        type: 'error',
        http_route: '/',
        http_response_status_code: '503',
      });
      expect(after! - before).toBe(errors);
    });

    it('probability holds over one keep-alive connection (decided per request, not per connection)', async () => {
      await addFault({ type: 'error', status: 503, probability: 0.2 });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let connections = 0;
      const connect = agent.createConnection.bind(agent);
      agent.createConnection = ((...args: Parameters<typeof connect>) => {
        connections++;
        return connect(...args);
      }) as typeof agent.createConnection;
      try {
        const errors = await shareOf503(agent, 1);
        expect(connections).toBe(1);
        const [low, high] = wilsonInterval(errors, TRIALS);
        expect(low).toBeLessThanOrEqual(0.2);
        expect(high).toBeGreaterThanOrEqual(0.2);
      } finally {
        agent.destroy();
      }
    });

    it('answers the asked status with a JSON body naming the fault', async () => {
      const fault = await addFault({ type: 'error', status: 429 });
      const answer = await get(`${service.url}/`);
      expect(answer.status).toBe(429);
      expect(answer.json()).toMatchObject({ app: 'dice-api', error: 'injected_fault', faultId: fault.id });
    });
  });

  describe('abort', () => {
    it('resets the connection with no response, and both the injection and the request are counted', async () => {
      await addFault({ type: 'abort' });
      await expect(get(`${service.url}/`)).rejects.toMatchObject({ code: 'ECONNRESET' });
      await expect(get(`${service.url}/`)).rejects.toMatchObject({ code: 'ECONNRESET' });
      const text = await scrape(service.url);
      expect(
        metricValue(text, 'chaos_injections_total', { type: 'abort', http_route: '/', http_response_status_code: '0' }),
      ).toBe(2);
      expect(
        metricValue(text, 'http_server_request_duration_seconds_count', {
          http_route: '/',
          http_response_status_code: '0',
        }),
      ).toBe(2);
    });
  });

  describe('a client that leaves during a delay', () => {
    it('is counted with status 0 by the server histogram and the injection counter', async () => {
      await addFault({ type: 'latency', delayMs: 400, routes: ['/'] });
      const labels = { http_route: '/', http_response_status_code: '0' };
      const before = await scrape(service.url);
      const request = httpRequest(`${service.url}/`);
      request.on('error', () => undefined);
      request.end();
      await sleep(100);
      request.destroy();
      await sleep(100);
      const after = await scrape(service.url);
      const grown = (name: string, extra: Record<string, string> = {}) =>
        metricValue(after, name, { ...labels, ...extra })! - (metricValue(before, name, { ...labels, ...extra }) ?? 0);
      expect(grown('http_server_request_duration_seconds_count')).toBe(1);
      expect(grown('chaos_injections_total', { type: 'latency' })).toBe(1);
    });
  });

  describe('order abort → error → latency', () => {
    it('abort wins over error, error answers without the delay', async () => {
      await addFault({ type: 'latency', delayMs: 400 });
      await addFault({ type: 'error', status: 503 });
      const started = performance.now();
      expect((await get(`${service.url}/`)).status).toBe(503);
      expect(performance.now() - started).toBeLessThan(200);
      await addFault({ type: 'abort' });
      await expect(get(`${service.url}/`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    });
  });

  describe('health', () => {
    it('readiness: /health/ready and /health are 503 while active, liveness stays up, all 200 after', async () => {
      const fault = await addFault({ type: 'health', probe: 'readiness' });
      expect((await get(`${service.url}/health/ready`)).status).toBe(503);
      const summary = await get(`${service.url}/health`);
      expect(summary.status).toBe(503);
      expect(summary.json()).toMatchObject({
        app: 'dice-api',
        status: 'error',
        error: { chaos: { status: 'down', faultId: fault.id } },
      });
      expect((await get(`${service.url}/health/live`)).status).toBe(200);
      expect((await get(`${service.url}/`)).status).toBe(200);
      await api.remove(fault.id);
      expect((await get(`${service.url}/health/ready`)).status).toBe(200);
      expect((await get(`${service.url}/health`)).json()).toMatchObject({ status: 'ok' });
    });

    it('liveness: /health/live is 503 while active', async () => {
      await addFault({ type: 'health', probe: 'liveness' });
      expect((await get(`${service.url}/health/live`)).status).toBe(503);
      await api.clear();
      expect((await get(`${service.url}/health/live`)).status).toBe(200);
    });
  });

  describe('TTL', () => {
    it('a 2 s fault is gone from the list, the gauge and the behaviour after about 2 s', async () => {
      const fault = await addFault({ type: 'error', status: 503, ttlSeconds: 2 });
      expect((await get(`${service.url}/`)).status).toBe(503);
      await sleep(1500);
      expect((await get(`${service.url}/`)).status).toBe(503);
      await sleep(800);
      expect((await get(`${service.url}/`)).status).toBe(200);
      expect((await api.list()).json()).toEqual({ faults: [] });
      expect(metricValue(await scrape(service.url), 'chaos_fault_active', { fault_id: fault.id })).toBeUndefined();
    });
  });
});

describe('bounded fault engine (e2e)', () => {
  let service: RunningApp;
  let api: ReturnType<typeof admin>;

  // A small delay cap keeps the test fast; the 60 s default is unit-tested in fault-rules.spec.ts.
  beforeAll(async () => {
    service = await startApp({ CHAOS_MAX_DELAY_MS: '300' });
    api = admin(service.url);
  });
  afterEach(() => api.clear());
  afterAll(() => service.close());

  it('2,000 POSTs never pass the cap of 100 active faults; the refused ones answer 409 naming it', async () => {
    const statuses = await inBatches(
      2_000,
      50,
      async () => (await api.add({ type: 'error', routes: ['/fail'], probability: 0, ttlSeconds: 600 })).status,
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(100);
    expect(statuses.filter((status) => status === 409)).toHaveLength(1_900);
    const refused = await api.add({ type: 'abort', routes: ['/fail'] });
    expect(refused.status).toBe(409);
    expect(refused.json<{ message: string }>().message).toMatch(/100 active, the cap is 100 \(CHAOS_MAX_FAULTS\)/);
    expect((await api.list()).json<{ faults: Fault[] }>().faults).toHaveLength(100);
    expect((await scrape(service.url)).match(/^chaos_fault_active\{/gm)).toHaveLength(100);
    expect((await get(`${service.url}/`)).status).toBe(200);

    // Ended faults leave no fault_id label behind, and the cap frees up.
    expect((await api.clear()).status).toBe(204);
    expect(await scrape(service.url)).not.toMatch(/fault_id=/);
    expect((await api.add({ type: 'abort', routes: ['/fail'] })).status).toBe(201);
  });

  it('61 latency faults of 60 000 ms hold one request for the cap (CHAOS_MAX_DELAY_MS), and count the clamp', async () => {
    const clamped = async () =>
      metricValue(await scrape(service.url), 'chaos_delay_clamped_total', { http_route: '/' }) ?? 0;
    const before = await clamped();
    for (let i = 0; i < 61; i++)
      expect((await api.add({ type: 'latency', delayMs: 60_000, routes: ['/'] })).status).toBe(201);
    const tookMs = await timedGet(`${service.url}/`);
    expect(tookMs).toBeGreaterThanOrEqual(295);
    expect(tookMs).toBeLessThan(2_000);
    expect((await clamped()) - before).toBe(1);
    expect(
      metricValue(await scrape(service.url), 'chaos_injections_total', {
        type: 'latency',
        http_route: '/',
        http_response_status_code: '200',
      }),
    ).toBe(61);
  });
});
