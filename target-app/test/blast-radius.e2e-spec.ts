// Issue 17: a fault with a blast radius acts on only some replicas. Three real app processes
// share a real Redis; each registers itself with a heartbeat; a fault with `replicas: 1` is
// placed once, where it is created, on one live replica: listed on all three (any can remove
// it), acting and shown active (chaos_fault_active) only on the chosen one.
import type { Fault } from '../../chaos/contract/faults';
import { startApp, type AppProcess } from '../../chaos/local/app-process';
import { startRedis, type RedisProcess } from '../../chaos/local/redis-process';
import { admin, get, metricValue, scrape, sleep } from './e2e-helpers';

const TOKEN = 'blast-e2e-token';

describe('a fault on some replicas (e2e)', () => {
  let redis: RedisProcess;
  let apps: AppProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const env = { CHAOS_SYNC_REDIS_URL: redis.url, CHAOS_SYNC_NAMESPACE: `blast-${redis.port}`, LOG_LEVEL: 'warn' };
    apps = await Promise.all([1, 2, 3].map(() => startApp({ adminToken: TOKEN, env })));
    // Every replica's first heartbeat is in the registry once its propagation is up.
    await sleep(1_500);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGTERM', 5_000)));
    await redis?.stop();
  });

  it('acts on exactly the one replica chosen at creation, which the answer names by its address', async () => {
    const added = await admin(apps[1].url, TOKEN).add({
      type: 'error',
      status: 503,
      routes: ['/'],
      ttlSeconds: 30,
      replicas: 1,
    });
    expect(added.status).toBe(201);
    const fault = added.json<Fault>();
    expect(fault.actsOn).toHaveLength(1);
    const chosen = apps.find((app) => `127.0.0.1:${app.port}` === fault.actsOn![0].instance)!;
    expect(chosen).toBeDefined();
    await sleep(300);
    for (const app of apps) {
      const statuses = await Promise.all([1, 2, 3, 4, 5].map(async () => (await get(`${app.url}/`)).status));
      expect(statuses).toEqual(Array(5).fill(app === chosen ? 503 : 200));
      const listing = (await admin(app.url, TOKEN).list()).json<{ faults: Fault[] }>();
      expect(listing.faults.map((f) => f.actsOn)).toEqual([fault.actsOn]);
      expect(metricValue(await scrape(app.url), 'chaos_fault_active', { fault_id: fault.id })).toBe(
        app === chosen ? 1 : undefined,
      );
    }
    expect((await admin(apps[2].url, TOKEN).clear()).status).toBe(204);
  }, 30_000);

  it('takes a share of the live replicas, and refuses more replicas than are live, naming the field', async () => {
    const share = await admin(apps[0].url, TOKEN).add({ type: 'latency', delayMs: 1, ttlSeconds: 10, replicas: '67%' });
    expect(share.status).toBe(201);
    expect(share.json<Fault>().actsOn).toHaveLength(2);
    const tooMany = await admin(apps[0].url, TOKEN).add({ type: 'latency', delayMs: 1, ttlSeconds: 10, replicas: 4 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toContain('replicas: 4 asked, but 3 replica(s) are live');
    expect((await admin(apps[0].url, TOKEN).clear()).status).toBe(204);
  });
});
