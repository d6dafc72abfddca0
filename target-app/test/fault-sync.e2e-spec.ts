// Issue 9: faults that reach every replica. Three real app processes share a real Redis
// (Debian's redis-server on a free loopback port): a fault added through one is active on
// all three within a second, each counts its own injections, it ends on all at its TTL, a
// late joiner loads the active set, and with Redis stopped each keeps serving and the admin
// API says propagation is down.
import type { Fault } from '../../chaos/contract/faults';
import { startApp, type AppProcess } from '../../chaos/local/app-process';
import type { PropagationStatus } from '../src/chaos/fault-propagation';
import { admin, get, metricValue, scrape, sleep } from './e2e-helpers';
import { startRedis, type RedisProcess } from './redis-process';

const TOKEN = 'sync-e2e-token';
type Listing = { faults: Fault[]; propagation?: PropagationStatus };

/** Polls `probe` every 10 ms until it is true; the time it took, or throws after `timeoutMs`. */
async function within(timeoutMs: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe()) return performance.now() - started;
    await sleep(10);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

const listing = async (app: AppProcess) => (await admin(app.url, TOKEN).list()).json<Listing>();
const lists = async (app: AppProcess, id: string) => (await listing(app)).faults.some((fault) => fault.id === id);

describe('faults reach every replica through Redis (e2e)', () => {
  let redis: RedisProcess;
  const apps: AppProcess[] = [];

  async function startReplica(): Promise<AppProcess> {
    const app = await startApp({ adminToken: TOKEN, env: { CHAOS_SYNC_REDIS_URL: redis.url, CHAOS_SYNC_NAMESPACE: `e2e-${redis.port}`, LOG_LEVEL: 'warn' } });
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    redis = await startRedis();
    await Promise.all([startReplica(), startReplica(), startReplica()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGTERM', 5_000)));
    await redis?.stop();
  });

  it('says propagation is up on every replica', async () => {
    for (const app of apps) {
      await within(5_000, `${app.url} propagation up`, async () => (await listing(app)).propagation?.status === 'up');
      expect((await listing(app)).propagation).toMatchObject({ mode: 'redis', status: 'up', store: `127.0.0.1:${redis.port}` });
    }
  });

  it('acts on all three within a second, each counting its own injections, and ends on all at its TTL', async () => {
    const [first, second, third] = apps;
    const before = await Promise.all(apps.map(async (app) => metricValue(await scrape(app.url), 'chaos_injections_total', { type: 'error', http_route: '/', http_response_status_code: '503' }) ?? 0));
    const added = await admin(second.url, TOKEN).add({ type: 'error', status: 503, routes: ['/'], ttlSeconds: 3 });
    expect(added.status).toBe(201);
    const fault = added.json<Fault>();

    // Active everywhere within a second: listed, and acting on requests.
    const latencies = await Promise.all(
      apps.map((app) => within(1_000, `fault listed on ${app.url}`, async () => (await get(`${app.url}/`)).status === 503 && (await lists(app, fault.id)))),
    );
    console.log(`propagation: fault active on all replicas after ${latencies.map((ms) => ms.toFixed(0)).join(' / ')} ms`);

    // Each replica counts the injections it made itself: 1, 2 and 3 more requests.
    const sent = [1, 2, 3];
    for (const [index, app] of apps.entries()) {
      for (let n = 0; n < sent[index]; n += 1) expect((await get(`${app.url}/`)).status).toBe(503);
    }
    const after = await Promise.all(apps.map(async (app) => metricValue(await scrape(app.url), 'chaos_injections_total', { type: 'error', http_route: '/', http_response_status_code: '503' }) ?? 0));
    // The polling above sent one more 503 request per replica.
    expect(after.map((value, index) => value - before[index])).toEqual(sent.map((n) => n + 1));
    for (const app of [first, third]) {
      expect(metricValue(await scrape(app.url), 'chaos_fault_active', { type: 'error', fault_id: fault.id })).toBe(1);
    }

    // Ends on all at its TTL (absolute expiresAt): still active shortly before, gone shortly after.
    const expiresAt = Date.parse(fault.expiresAt);
    await sleep(Math.max(0, expiresAt - Date.now() - 400));
    for (const app of apps) expect(await lists(app, fault.id)).toBe(true);
    await Promise.all(apps.map((app) => within(1_500, `fault gone from ${app.url}`, async () => !(await lists(app, fault.id)))));
    const overshoot = Date.now() - expiresAt;
    console.log(`propagation: fault gone from all replicas ${overshoot} ms after its expiresAt`);
    for (const app of apps) {
      expect((await get(`${app.url}/`)).status).toBe(200);
      expect(metricValue(await scrape(app.url), 'chaos_fault_active', { fault_id: fault.id })).toBeUndefined();
    }
  });

  it('a replica that starts late loads the active faults; the kill switch on any replica clears all', async () => {
    const added = await admin(apps[0].url, TOKEN).add({ type: 'latency', delayMs: 5, ttlSeconds: 60 });
    expect(added.status).toBe(201);
    const fault = added.json<Fault>();
    const late = await startReplica();
    expect((await listing(late)).faults.map((f) => [f.id, f.expiresAt])).toEqual([[fault.id, fault.expiresAt]]);

    expect((await admin(late.url, TOKEN).clear()).status).toBe(204);
    await Promise.all(apps.map((app) => within(1_000, `cleared on ${app.url}`, async () => (await listing(app)).faults.length === 0)));
  }, 30_000);

  it('with Redis stopped, every replica keeps serving and says propagation is down; adding answers 503', async () => {
    await redis.stop();
    for (const app of apps) {
      await within(5_000, `${app.url} propagation down`, async () => (await listing(app)).propagation?.status === 'down');
      const status = (await listing(app)).propagation!;
      expect(status).toMatchObject({ mode: 'redis', status: 'down' });
      expect(status.note).toMatch(/cannot reach the other replicas/);
      expect((await get(`${app.url}/`)).status).toBe(200);
      expect((await get(`${app.url}/health/ready`)).status).toBe(200);
    }
    const refused = await admin(apps[1].url, TOKEN).add({ type: 'error', routes: ['/'], ttlSeconds: 30 });
    expect(refused.status).toBe(503);
    expect(refused.json<{ message: string }>().message).toMatch(/fault propagation is down \(redis 127\.0\.0\.1:\d+: .+\): the fault was not added anywhere/);
    expect((await listing(apps[1])).faults).toEqual([]);
    expect((await get(`${apps[1].url}/`)).status).toBe(200);

    // The kill switch still acts here, and says it could not reach the others.
    const cleared = await admin(apps[2].url, TOKEN).clear();
    expect(cleared.status).toBe(503);
    expect(cleared.json<{ message: string }>().message).toMatch(/cleared on this replica only/);
  }, 30_000);

  it('comes back up when Redis does, and propagates again', async () => {
    redis = await startRedis(redis.port);
    for (const app of apps) await within(5_000, `${app.url} propagation up again`, async () => (await listing(app)).propagation?.status === 'up');
    const added = await admin(apps[0].url, TOKEN).add({ type: 'abort', routes: ['/fail'], ttlSeconds: 30 });
    expect(added.status).toBe(201);
    const fault = added.json<Fault>();
    await Promise.all(apps.map((app) => within(1_000, `fault listed on ${app.url}`, () => lists(app, fault.id))));
    expect((await admin(apps[3].url, TOKEN).remove(fault.id)).status).toBe(204);
    await Promise.all(apps.map((app) => within(1_000, `fault removed on ${app.url}`, async () => !(await lists(app, fault.id)))));
  }, 30_000);
});
