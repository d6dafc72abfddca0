// FaultSync between replicas' real engines, on a fake Redis (target-app/test/chaos-fakes.ts)
// and Jest's fake timers: the order of the commands after a reconnection, the 1 s command
// timeout, the add's deadline on the store's clock, the heal loop after a stall, the registry.
// The e2e spec (test/fault-sync.e2e-spec.ts) runs the same paths on a real redis-server.
import { HttpException } from '@nestjs/common';
import type { Fault } from '../../../chaos/contract/faults';
import {
  chaosModule,
  FakeRedis,
  OffsetClock,
  spec,
  type ChaosFakes,
  type ChaosFakesOptions,
} from '../../test/chaos-fakes';
import type { ChangeOrigin } from './fault-engine.service';
import type { FaultPropagator } from './fault-propagation';

const ADMIN: ChangeOrigin = { source: 'admin-api', ip: '127.0.0.1' };
const ENV = {
  CHAOS_ADMIN_TOKEN: 'sync-spec',
  CHAOS_SYNC_REDIS_URL: 'redis://127.0.0.1:6379',
  CHAOS_SYNC_NAMESPACE: 'spec',
};
const FAULTS = 'spec:faults';
const REGISTRY = 'spec:replicas';

/** The rejection's HTTP status and message; undefined when the call succeeded. */
async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), message: error.message };
    throw error;
  }
}

/** Lets delivered messages and answered commands run, without moving the clock. */
const settle = () => jest.advanceTimersByTimeAsync(0);

let redis: FakeRedis;
const replicas: ChaosFakes[] = [];

async function replica(options: Omit<ChaosFakesOptions, 'redis'> = {}): Promise<ChaosFakes> {
  const fakes = await chaosModule({ env: ENV, redis, ...options });
  replicas.push(fakes);
  return fakes;
}

/** A replica's FaultSync, the propagator its ChaosModule built. */
function sync(fakes: ChaosFakes): FaultPropagator {
  if (!fakes.propagator) throw new Error('no propagator: CHAOS_SYNC_REDIS_URL unset');
  return fakes.propagator;
}

const ids = (fakes: ChaosFakes) => fakes.engine.list().map((fault) => fault.id);
const statusOf = (fakes: ChaosFakes) => fakes.engine.propagation()?.status;

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  redis = new FakeRedis();
});

afterEach(async () => {
  for (const fakes of replicas.splice(0)) await fakes.module.close();
  jest.useRealTimers();
});

it('connects with the password from CHAOS_SYNC_REDIS_PASSWORD, kept out of the URL, and says where the store is', async () => {
  const a = await replica({ env: { ...ENV, CHAOS_SYNC_REDIS_PASSWORD: 'sekrit' } });
  expect(redis.clients).toHaveLength(2);
  for (const client of redis.clients)
    expect(client.options).toMatchObject({
      url: ENV.CHAOS_SYNC_REDIS_URL,
      password: 'sekrit',
      disableOfflineQueue: true,
    });
  expect(a.engine.propagation()).toMatchObject({ mode: 'redis', status: 'up', store: '127.0.0.1:6379' });
  expect(a.logger.events()).toContain('fault_sync_up');
});

it('an add on one replica is in the store, announced, and acts on the other; a removal there ends it here', async () => {
  const a = await replica();
  const b = await replica();
  const fault = await a.engine.add(spec({ type: 'error', status: 503, ttlSeconds: 30 }), ADMIN);
  expect(Object.keys(redis.hash(FAULTS))).toEqual([fault.id]);
  expect(redis.ops()).toEqual(['add']);
  await settle();
  expect(b.engine.list()).toEqual([fault]);
  expect(b.engine.decideRequest('/')).toMatchObject({ action: 'error', fault: { id: fault.id } });

  await b.engine.remove(fault.id, ADMIN);
  await settle();
  expect(ids(a)).toEqual([]);
  expect(redis.hash(FAULTS)).toEqual({});
  expect(redis.ops()).toEqual(['add', 'remove']);
});

it('a fault ends on every replica at its expiresAt, and leaves the store', async () => {
  const a = await replica();
  const b = await replica();
  const fault = await a.engine.add(spec({ type: 'abort', ttlSeconds: 2 }), ADMIN);
  await settle();
  await jest.advanceTimersByTimeAsync(1_999);
  expect([ids(a), ids(b)]).toEqual([[fault.id], [fault.id]]);
  await jest.advanceTimersByTimeAsync(1);
  expect([ids(a), ids(b)]).toEqual([[], []]);
  await settle();
  expect(redis.hash(FAULTS)).toEqual({});
});

it('with the store down at start it serves after 3 s with propagation down, refuses adds (503, in no store), and comes up with the store', async () => {
  redis.stop();
  let started = false;
  const starting = replica().then((fakes) => {
    started = true;
    return fakes;
  });
  // From the moment the sync makes its clients (its bootstrap), it waits 3 s for the store.
  for (let turn = 0; redis.clients.length === 0 && turn < 1_000; turn += 1) await settle();
  expect(redis.clients).toHaveLength(2);
  await jest.advanceTimersByTimeAsync(2_999);
  expect(started).toBe(false);
  await jest.advanceTimersByTimeAsync(1);
  const a = await starting;
  expect(a.engine.propagation()).toMatchObject({ status: 'down', error: 'not connected yet' });
  expect(a.engine.propagation()?.note).toMatch(/adding one answers 503/);
  expect(a.logger.lines.find((line) => line.fields.event === 'fault_sync_down')?.message).toBe(
    'fault propagation is down at start; serving anyway',
  );

  expect(await refusal(a.engine.add(spec({ type: 'abort' }), ADMIN))).toEqual({
    status: 503,
    message: 'fault propagation is down (redis 127.0.0.1:6379: not connected yet): the fault was not added anywhere',
  });
  expect(ids(a)).toEqual([]);
  expect(redis.ran).toEqual([]);

  redis.start();
  await settle();
  expect(statusOf(a)).toBe('up');
  await expect(a.engine.add(spec({ type: 'abort' }), ADMIN)).resolves.toMatchObject({ type: 'abort' });
});

it('a removal made while the store is down is not undone by the resync: it reaches the store first', async () => {
  const a = await replica();
  const b = await replica();
  const fault = await a.engine.add(spec({ type: 'error', ttlSeconds: 60 }), ADMIN);
  await settle();
  redis.stop();
  expect([statusOf(a), statusOf(b)]).toEqual(['down', 'down']);
  expect(await refusal(a.engine.remove(fault.id, ADMIN))).toMatchObject({
    status: 503,
    message: expect.stringMatching(/removed on this replica only; the other replicas get it when the store is back/),
  });
  expect(ids(a)).toEqual([]);
  expect(ids(b)).toEqual([fault.id]); // not told yet
  expect(Object.keys(redis.hash(FAULTS))).toEqual([fault.id]);

  const before = redis.ran.length;
  redis.start();
  await settle();
  const aCommands = redis.ran.slice(before).filter(({ client }) => client === 0); // a's command connection
  expect(aCommands.map(({ command }) => command)).toEqual(['HDEL', 'PUBLISH', 'TIME', 'HGETALL', 'HSET']);
  expect([ids(a), ids(b)]).toEqual([[], []]);
  expect(redis.hash(FAULTS)).toEqual({});
  expect([statusOf(a), statusOf(b)]).toEqual(['up', 'up']);
});

it('the kill switch while down acts here at once, answers 503, and clears the store before anything else when it is back', async () => {
  const a = await replica();
  const b = await replica();
  const first = await a.engine.add(spec({ type: 'abort', ttlSeconds: 60 }), ADMIN);
  await a.engine.add(spec({ type: 'latency', delayMs: 5, ttlSeconds: 60 }), ADMIN);
  await settle();
  redis.stop();
  expect(await refusal(a.engine.remove(first.id, ADMIN))).toMatchObject({ status: 503 });
  expect(await refusal(a.engine.clear(ADMIN))).toMatchObject({
    status: 503,
    message: expect.stringMatching(/cleared on this replica only/),
  });
  expect(ids(a)).toEqual([]);
  expect(ids(b)).toHaveLength(2);

  const before = redis.ran.length;
  redis.start();
  await settle();
  // One clear covers the pending removal: it is not sent on its own.
  const aCommands = redis.ran.slice(before).filter(({ client }) => client === 0);
  expect(aCommands.map(({ command }) => command)).toEqual(['DEL', 'PUBLISH', 'TIME', 'HGETALL', 'HSET']);
  expect([ids(a), ids(b)]).toEqual([[], []]);
  expect(redis.hash(FAULTS)).toEqual({});
});

it('a stalled store (CLIENT PAUSE): the add answers 503 at 1 s, Redis runs it late and refuses it by its deadline, and propagation heals within 250 ms of the pause', async () => {
  // This replica's clock is 5 s behind Redis's: the deadline is set on Redis's clock (read at each resync).
  const a = await replica({ clock: new OffsetClock(-5_000) });
  const b = await replica();
  const onTime = await a.engine.add(spec({ type: 'error', ttlSeconds: 60 }), ADMIN);
  await settle();
  expect(ids(b)).toEqual([onTime.id]);

  redis.pauseClients();
  let answered: { status: number; message: string } | undefined | 'pending' = 'pending';
  void refusal(a.engine.add(spec({ type: 'abort', ttlSeconds: 60 }), ADMIN)).then((result) => (answered = result));
  await jest.advanceTimersByTimeAsync(999);
  expect(answered).toBe('pending');
  await jest.advanceTimersByTimeAsync(1);
  expect(answered).toEqual({
    status: 503,
    message: expect.stringMatching(
      /add the fault: no answer from Redis within 1000 ms\): the fault was not added anywhere/,
    ),
  });
  expect(ids(a)).toEqual([onTime.id]);
  expect(statusOf(a)).toBe('down');

  await jest.advanceTimersByTimeAsync(500);
  redis.resumeClients();
  let healMs = 0;
  while (statusOf(a) !== 'up' || statusOf(b) !== 'up') {
    await jest.advanceTimersByTimeAsync(10);
    healMs += 10;
    if (healMs > 1_000) break;
  }
  expect(healMs).toBeLessThanOrEqual(250);
  // Redis ran the paused add 1.5 s late, past its deadline: stored nowhere, announced to no one
  // (the removal is the one the sync sends in case Redis had run it in time).
  expect(Object.keys(redis.hash(FAULTS))).toEqual([onTime.id]);
  expect(redis.ops()).toEqual(['add', 'remove']);
  expect([ids(a), ids(b)]).toEqual([[onTime.id], [onTime.id]]);

  // And adds go through again, on time by Redis's clock.
  const after = await a.engine.add(spec({ type: 'abort', ttlSeconds: 60 }), ADMIN);
  expect(Object.keys(redis.hash(FAULTS)).sort()).toEqual([onTime.id, after.id].sort());
});

it('a resync loads what the store holds, prunes what is no fault or has ended, and ends a stretched fault by createdAt + ttlSeconds', async () => {
  const now = Date.now();
  const stored = (id: string, createdAt: number, expiresAt: string): Fault =>
    ({
      id,
      type: 'error',
      status: 503,
      probability: 1,
      ttlSeconds: 10,
      createdAt: new Date(createdAt).toISOString(),
      expiresAt,
    }) as Fault;
  redis.hSet(FAULTS, 'live', JSON.stringify(stored('live', now, new Date(now + 10_000).toISOString())));
  redis.hSet(FAULTS, 'stretched', JSON.stringify(stored('stretched', now, '2099-01-01T00:00:00.000Z')));
  redis.hSet(FAULTS, 'ended', JSON.stringify(stored('ended', now - 20_000, new Date(now - 10_000).toISOString())));
  redis.hSet(FAULTS, 'garbage', '{not json');
  const a = await replica();
  expect(Object.keys(redis.hash(FAULTS)).sort()).toEqual(['live', 'stretched']);
  expect(a.engine.list().map((fault) => [fault.id, fault.expiresAt])).toEqual([
    ['live', new Date(now + 10_000).toISOString()],
    ['stretched', new Date(now + 10_000).toISOString()],
  ]);
});

it('each replica beats in the registry every second; the live ones are chosen from, the long-gone pruned, and a replica leaves on shutdown', async () => {
  const a = await replica({ env: { ...ENV, PORT: '9001' } });
  const b = await replica({ env: { ...ENV, PORT: '9002' } });
  expect(sync(a).self.instance).toBe('127.0.0.1:9001');
  const seen = () => JSON.parse(redis.hash(REGISTRY)[sync(a).self.replica]).seenAt as number;
  const firstBeat = seen();
  await jest.advanceTimersByTimeAsync(1_000);
  await settle();
  expect(seen() - firstBeat).toBe(1_000);

  const now = Date.now();
  redis.hSet(REGISTRY, 'gone', JSON.stringify({ instance: '10.0.0.9:8080', seenAt: now - 70_000 }));
  redis.hSet(REGISTRY, 'quiet', JSON.stringify({ instance: '10.0.0.8:8080', seenAt: now - 10_000 }));
  const live = await sync(a).liveReplicas();
  expect(live).toEqual([sync(a).self, sync(b).self].sort((x, y) => x.replica.localeCompare(y.replica)));
  await settle();
  expect(Object.keys(redis.hash(REGISTRY)).sort()).toEqual(
    [sync(a).self.replica, sync(b).self.replica, 'quiet'].sort(),
  );

  // A blast radius of one: listed on both, acting only on the replica chosen.
  const fault = await a.engine.add(spec({ type: 'error', replicas: 1, ttlSeconds: 60 }), ADMIN);
  await settle();
  expect([ids(a), ids(b)]).toEqual([[fault.id], [fault.id]]);
  const acting = [a, b].filter((r) => r.engine.decideRequest('/').action === 'error');
  expect(acting.map((r) => sync(r).self)).toEqual(fault.actsOn);

  await a.module.close();
  replicas.splice(replicas.indexOf(a), 1);
  expect(Object.keys(redis.hash(REGISTRY))).not.toContain(sync(a).self.replica);
  expect(redis.clients.slice(0, 2).every((client) => client.destroyed)).toBe(true);
});
