// The contract routes of the dice service, over real HTTP.
import { INTENTIONAL_FAILURE_BODY } from '../src/dice/dice.controller';
import { get, inBatches, metricValue, scrape, startApp, type RunningApp } from './e2e-helpers';

describe('dice service (e2e)', () => {
  let service: RunningApp;

  beforeAll(async () => {
    service = await startApp({ APP_VERSION: '1.2.3' });
  });
  afterAll(() => service.close());

  it('GET / answers {"dice_value": n} with n in 1..6, and every face shows up over 600 rolls', async () => {
    const answers = await inBatches(600, 20, () => get(`${service.url}/`));
    const faces = new Map<number, number>();
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      const body = answer.json<{ dice_value: number }>();
      expect(Object.keys(body)).toEqual(['dice_value']);
      expect(Number.isInteger(body.dice_value)).toBe(true);
      faces.set(body.dice_value, (faces.get(body.dice_value) ?? 0) + 1);
    }
    expect([...faces.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('GET /fail answers 500 with the seed body, byte for byte', async () => {
    const answer = await get(`${service.url}/fail`);
    expect(answer.status).toBe(500);
    expect(answer.body).toBe('{"app":"dice-api","error":"internal_server_error","message":"Intentional failure"}');
    expect(answer.json()).toEqual(INTENTIONAL_FAILURE_BODY);
  });

  it('GET /health keeps the seed fields, in order, plus terminus details', async () => {
    const answer = await get(`${service.url}/health`);
    expect(answer.status).toBe(200);
    const body = answer.json<Record<string, unknown>>();
    expect(Object.keys(body).slice(0, 3)).toEqual(['app', 'status', 'version']);
    expect(body).toMatchObject({ app: 'dice-api', status: 'ok', version: '1.2.3' });
    expect(body.details).toHaveProperty('heap.status', 'up');
    expect(body.details).toHaveProperty('event_loop.status', 'up');
  });

  it('GET /health/live and /health/ready answer 200 with status ok', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const answer = await get(`${service.url}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.json()).toMatchObject({ status: 'ok' });
    }
  });

  it('unknown routes are a JSON 404, wrong methods 404/405, never a 500', async () => {
    const unknown = await get(`${service.url}/no/such/route?x=1`);
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ statusCode: 404 });
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const answer = await get(`${service.url}/`, { method });
      expect([404, 405]).toContain(answer.status);
    }
  });

  it('GET /metrics is Prometheus text with http_route="/" after a roll and "unmatched" after a random path', async () => {
    await get(`${service.url}/`);
    const randomPath = `/random-${Math.random().toString(36).slice(2)}`;
    await get(`${service.url}${randomPath}`);
    const answer = await get(`${service.url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('# TYPE http_server_request_duration_seconds histogram');
    const count = 'http_server_request_duration_seconds_count';
    expect(
      metricValue(answer.body, count, {
        http_request_method: 'GET',
        http_route: '/',
        http_response_status_code: '200',
      }),
    ).toBeGreaterThan(0);
    expect(
      metricValue(answer.body, count, { http_route: 'unmatched', http_response_status_code: '404' }),
    ).toBeGreaterThan(0);
    expect(metricValue(answer.body, count, { http_route: '/fail', http_response_status_code: '500' })).toBeGreaterThan(
      0,
    );
    expect(answer.body).not.toContain(randomPath);
    // Default Node metrics are there; the service's own routes are not counted.
    expect(answer.body).toContain('nodejs_eventloop_lag_seconds');
    expect(answer.body).toContain('process_cpu_seconds_total');
    expect(answer.body).not.toMatch(/http_route="\/(metrics|health)/);
  });

  it('a second app in the same process has its own registry (no "already registered")', async () => {
    const other = await startApp();
    try {
      await get(`${other.url}/`);
      expect(
        metricValue(await scrape(other.url), 'http_server_request_duration_seconds_count', { http_route: '/' }),
      ).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('without CHAOS_ADMIN_TOKEN the whole /admin tree is 404', async () => {
    const noAdmin = await startApp({ CHAOS_ADMIN_TOKEN: undefined });
    try {
      for (const path of ['/admin/faults', '/admin/openapi.json', '/admin']) {
        expect((await get(`${noAdmin.url}${path}`, { headers: { authorization: 'Bearer anything' } })).status).toBe(
          404,
        );
      }
      expect(
        (
          await get(`${noAdmin.url}/admin/faults`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"type":"abort"}',
          })
        ).status,
      ).toBe(404);
    } finally {
      await noAdmin.close();
    }
  });
});
