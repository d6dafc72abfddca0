// Issue 9: faults that reach every replica. Three real app processes share a real Redis
// (Debian's redis-server on a free loopback port): a fault added through one is active on
// all three within a second, each counts its own injections, it ends on all at its TTL, a
// late joiner loads the active set, and with Redis stopped each keeps serving and the admin
// API says propagation is down. Issue 12: a stalled (CLIENT PAUSE) or dropped Redis heals
// without a restart, a 503 add is in no store, and a stored fault ends by createdAt + TTL.
import { createClient } from 'redis';
import type { Fault } from '../../chaos/contract/faults';
import { startApp, type AppProcess } from '../../chaos/local/app-process';
import type { PropagationStatus } from '../src/chaos/fault-propagation';
import { admin, get, metricValue, scrape, sleep } from './e2e-helpers';
import { startRedis, type RedisProcess } from '../../chaos/local/redis-process';

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
    const app = await startApp({
      adminToken: TOKEN,
      env: { CHAOS_SYNC_REDIS_URL: redis.url, CHAOS_SYNC_NAMESPACE: `e2e-${redis.port}`, LOG_LEVEL: 'warn' },
    });
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
      expect((await listing(app)).propagation).toMatchObject({
        mode: 'redis',
        status: 'up',
        store: `127.0.0.1:${redis.port}`,
      });
    }
  });

  it('acts on all three within a second, each counting its own injections, and ends on all at its TTL', async () => {
    const [first, second, third] = apps;
    const before = await Promise.all(
      apps.map(
        async (app) =>
          metricValue(await scrape(app.url), 'chaos_injections_total', {
            type: 'error',
            http_route: '/',
            http_response_status_code: '503',
          }) ?? 0,
      ),
    );
    const added = await admin(second.url, TOKEN).add({ type: 'error', status: 503, routes: ['/'], ttlSeconds: 3 });
    expect(added.status).toBe(201);
    const fault = added.json<Fault>();

    // Active everywhere within a second: listed, and acting on requests.
    const latencies = await Promise.all(
      apps.map((app) =>
        within(
          1_000,
          `fault listed on ${app.url}`,
          async () => (await get(`${app.url}/`)).status === 503 && (await lists(app, fault.id)),
        ),
      ),
    );
    console.log(
      `propagation: fault active on all replicas after ${latencies.map((ms) => ms.toFixed(0)).join(' / ')} ms`,
    );

    // Each replica counts the injections it made itself: 1, 2 and 3 more requests.
    const sent = [1, 2, 3];
    for (const [index, app] of apps.entries()) {
      for (let n = 0; n < sent[index]; n += 1) expect((await get(`${app.url}/`)).status).toBe(503);
    }
    const after = await Promise.all(
      apps.map(
        async (app) =>
          metricValue(await scrape(app.url), 'chaos_injections_total', {
            type: 'error',
            http_route: '/',
            http_response_status_code: '503',
          }) ?? 0,
      ),
    );
    // The polling above sent one more 503 request per replica.
    expect(after.map((value, index) => value - before[index])).toEqual(sent.map((n) => n + 1));
    for (const app of [first, third]) {
      expect(metricValue(await scrape(app.url), 'chaos_fault_active', { type: 'error', fault_id: fault.id })).toBe(1);
    }

    // Ends on all at its TTL (absolute expiresAt): still active shortly before, gone shortly after.
    const expiresAt = Date.parse(fault.expiresAt);
    await sleep(Math.max(0, expiresAt - Date.now() - 400));
    for (const app of apps) expect(await lists(app, fault.id)).toBe(true);
    await Promise.all(
      apps.map((app) => within(1_500, `fault gone from ${app.url}`, async () => !(await lists(app, fault.id)))),
    );
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
    await Promise.all(
      apps.map((app) => within(1_000, `cleared on ${app.url}`, async () => (await listing(app)).faults.length === 0)),
    );
  }, 30_000);

  it('with Redis stopped, every replica keeps serving and says propagation is down; adding answers 503', async () => {
    await redis.stop();
    for (const app of apps) {
      await within(
        5_000,
        `${app.url} propagation down`,
        async () => (await listing(app)).propagation?.status === 'down',
      );
      const status = (await listing(app)).propagation!;
      expect(status).toMatchObject({ mode: 'redis', status: 'down' });
      expect(status.note).toMatch(/cannot reach the other replicas/);
      expect((await get(`${app.url}/`)).status).toBe(200);
      expect((await get(`${app.url}/health/ready`)).status).toBe(200);
    }
    const refused = await admin(apps[1].url, TOKEN).add({ type: 'error', routes: ['/'], ttlSeconds: 30 });
    expect(refused.status).toBe(503);
    expect(refused.json<{ message: string }>().message).toMatch(
      /fault propagation is down \(redis 127\.0\.0\.1:\d+: .+\): the fault was not added anywhere/,
    );
    expect((await listing(apps[1])).faults).toEqual([]);
    expect((await get(`${apps[1].url}/`)).status).toBe(200);

    // The kill switch still acts here, and says it could not reach the others.
    const cleared = await admin(apps[2].url, TOKEN).clear();
    expect(cleared.status).toBe(503);
    expect(cleared.json<{ message: string }>().message).toMatch(/cleared on this replica only/);
  }, 30_000);

  it('comes back up when Redis does, and propagates again', async () => {
    redis = await startRedis(redis.port);
    for (const app of apps)
      await within(
        5_000,
        `${app.url} propagation up again`,
        async () => (await listing(app)).propagation?.status === 'up',
      );
    const added = await admin(apps[0].url, TOKEN).add({ type: 'abort', routes: ['/fail'], ttlSeconds: 30 });
    expect(added.status).toBe(201);
    const fault = added.json<Fault>();
    await Promise.all(apps.map((app) => within(1_000, `fault listed on ${app.url}`, () => lists(app, fault.id))));
    expect((await admin(apps[3].url, TOKEN).remove(fault.id)).status).toBe(204);
    await Promise.all(
      apps.map((app) => within(1_000, `fault removed on ${app.url}`, async () => !(await lists(app, fault.id)))),
    );
  }, 30_000);
});

describe('fault propagation heals, and the store cannot stretch a fault (e2e)', () => {
  const PASSWORD = 'sync-e2e-password';
  let redis: RedisProcess;
  let store: ReturnType<typeof createClient>;
  const apps: AppProcess[] = [];
  const namespace = () => `heal-${redis.port}`;

  beforeAll(async () => {
    redis = await startRedis();
    // Redis with a password, as in stack/k8s: the replicas authenticate with CHAOS_SYNC_REDIS_PASSWORD.
    const setup = createClient({ url: redis.url });
    await setup.connect();
    await setup.configSet('requirepass', PASSWORD);
    setup.destroy();
    store = createClient({ url: redis.url, password: PASSWORD });
    await store.connect();
    const env = {
      CHAOS_SYNC_REDIS_URL: redis.url,
      CHAOS_SYNC_REDIS_PASSWORD: PASSWORD,
      CHAOS_SYNC_NAMESPACE: `heal-${redis.port}`,
      LOG_LEVEL: 'warn',
    };
    apps.push(...(await Promise.all([startApp({ adminToken: TOKEN, env }), startApp({ adminToken: TOKEN, env })])));
    for (const app of apps)
      await within(5_000, `${app.url} propagation up`, async () => (await listing(app)).propagation?.status === 'up');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGTERM', 5_000)));
    store?.destroy();
    await redis?.stop();
  });

  it('after CLIENT PAUSE 1500 ALL: the add answered 503 is in no store and on no replica, and both are up within 5 s', async () => {
    // Everything announced on the channel: a late add would show here even if later removed.
    const listener = store.duplicate();
    await listener.connect();
    const announced: string[] = [];
    await listener.subscribe(`${namespace()}:faults:changes`, (text) => announced.push(JSON.parse(text).op));
    const paused = Date.now();
    expect(await store.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL'])).toBe('OK');
    const refused = await admin(apps[0].url, TOKEN).add({ type: 'error', routes: ['/'], ttlSeconds: 60 });
    expect(refused.status).toBe(503);
    expect(refused.json<{ message: string }>().message).toMatch(/the fault was not added anywhere/);
    const resumed = paused + 1_500;
    await Promise.all(
      apps.map((app) =>
        within(6_500, `${app.url} propagation up again`, async () => (await listing(app)).propagation?.status === 'up'),
      ),
    );
    const healMs = Date.now() - resumed;
    console.log(`propagation: up again ${healMs} ms after the pause ended`);
    expect(healMs).toBeLessThanOrEqual(5_000);

    // Whatever Redis ran once the pause ended has landed by now.
    await sleep(300);
    expect(await store.hGetAll(`${namespace()}:faults`)).toEqual({});
    expect(announced).not.toContain('add');
    listener.destroy();
    for (const app of apps) {
      expect((await listing(app)).faults).toEqual([]);
      expect((await get(`${app.url}/`)).status).toBe(200);
    }

    // And it propagates again.
    const added = await admin(apps[0].url, TOKEN).add({ type: 'error', status: 503, routes: ['/'], ttlSeconds: 30 });
    expect(added.status).toBe(201);
    const fault = added.json<Fault>();
    await within(1_000, 'fault on the other replica', () => lists(apps[1], fault.id));
    expect(Object.keys(await store.hGetAll(`${namespace()}:faults`))).toEqual([fault.id]);
    expect((await admin(apps[1].url, TOKEN).clear()).status).toBe(204);
  }, 30_000);

  it('a stored fault with a far-future expiresAt ends at createdAt + ttlSeconds on every replica, loaded after a dropped connection', async () => {
    const createdAt = new Date().toISOString();
    const forged = {
      id: 'forged-far-future',
      type: 'error',
      status: 503,
      probability: 1,
      routes: ['/'],
      ttlSeconds: 2,
      createdAt,
      expiresAt: '2099-01-01T00:00:00.000Z',
    };
    await store.hSet(`${namespace()}:faults`, forged.id, JSON.stringify(forged));
    // Drop every replica's connections: they reconnect, resync and load the store's set.
    await store.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal']);
    await store.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    const end = Date.parse(createdAt) + 2_000;
    for (const app of apps) {
      await within(1_500, `forged fault on ${app.url}`, () => lists(app, forged.id));
      expect((await listing(app)).faults.find((f) => f.id === forged.id)?.expiresAt).toBe(new Date(end).toISOString());
      expect((await get(`${app.url}/`)).status).toBe(503);
    }
    await sleep(Math.max(0, end - Date.now()));
    await Promise.all(
      apps.map((app) => within(500, `forged fault gone from ${app.url}`, async () => !(await lists(app, forged.id)))),
    );
    for (const app of apps) {
      expect((await get(`${app.url}/`)).status).toBe(200);
      expect((await listing(app)).propagation?.status).toBe('up');
    }
  }, 30_000);
});
