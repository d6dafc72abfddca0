import {
  actsOn,
  chooseReplicas,
  isFault,
  liveFromRegistry,
  parseSyncMessage,
  REPLICA_LIVE_MS,
  storedFaultEndMs,
} from './fault-propagation';
import { seededRandom } from '../random/random-source';
import { storeAddress } from './fault-sync.service';
import { parseConfig } from '../config/app-config';

const fault = {
  id: 'f1',
  type: 'error',
  status: 500,
  probability: 1,
  ttlSeconds: 5,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T00:00:05.000Z',
};

describe('fault propagation messages', () => {
  it('reads the three operations and ignores anything else', () => {
    expect(parseSyncMessage(JSON.stringify({ op: 'add', from: 'a', fault }))).toEqual({ op: 'add', from: 'a', fault });
    expect(parseSyncMessage(JSON.stringify({ op: 'remove', from: 'a', id: 'f1' }))).toEqual({
      op: 'remove',
      from: 'a',
      id: 'f1',
    });
    expect(parseSyncMessage(JSON.stringify({ op: 'clear', from: 'a' }))).toEqual({ op: 'clear', from: 'a' });
    for (const text of [
      'not json',
      'null',
      '{"op":"clear"}',
      '{"op":"remove","from":"a"}',
      '{"op":"drop","from":"a"}',
      JSON.stringify({ op: 'add', from: 'a', fault: { ...fault, expiresAt: 'soon' } }),
    ]) {
      expect(parseSyncMessage(text)).toBeUndefined();
    }
  });

  it('trusts a stored fault only with an id, a type, a TTL and parseable createdAt and expiresAt', () => {
    expect(isFault(fault)).toBe(true);
    expect(isFault({ ...fault, id: 1 })).toBe(false);
    expect(isFault({ ...fault, expiresAt: undefined })).toBe(false);
    expect(isFault({ ...fault, createdAt: 'yesterday' })).toBe(false);
    expect(isFault({ ...fault, ttlSeconds: '5' })).toBe(false);
  });

  it('ends a stored fault at expiresAt, but never after createdAt + ttlSeconds, nor ttlSeconds from now', () => {
    const created = Date.parse(fault.createdAt);
    expect(storedFaultEndMs(fault, created)).toBe(created + 5_000);
    expect(storedFaultEndMs({ ...fault, expiresAt: '2099-01-01T00:00:00.000Z' }, created + 1_000)).toBe(
      created + 5_000,
    );
    expect(storedFaultEndMs({ ...fault, expiresAt: '2026-01-01T00:00:02.000Z' }, created)).toBe(created + 2_000);
    const future = { ...fault, createdAt: '2099-01-01T00:00:00.000Z', expiresAt: '2099-01-01T01:00:00.000Z' };
    expect(storedFaultEndMs(future, created)).toBe(created + 5_000);
    expect(storedFaultEndMs({ ...future, ttlSeconds: 99_999 }, created)).toBe(created + 3_600_000);
  });

  it('shows the store as host:port, never its password', () => {
    expect(storeAddress('redis://:s3cret@redis.roque.svc:6380/0')).toBe('redis.roque.svc:6380');
    expect(storeAddress('rediss://user:pw@cache')).toBe('cache:6379');
  });
});

describe('CHAOS_SYNC_* configuration', () => {
  it('is off by default, and reads a redis URL and a namespace', () => {
    expect(parseConfig({})).toMatchObject({ ok: true, config: { syncRedisUrl: undefined, syncNamespace: 'roque' } });
    expect(
      parseConfig({ CHAOS_SYNC_REDIS_URL: 'redis://127.0.0.1:6379', CHAOS_SYNC_NAMESPACE: 'ci:run-1' }),
    ).toMatchObject({
      ok: true,
      config: { syncRedisUrl: 'redis://127.0.0.1:6379', syncNamespace: 'ci:run-1' },
    });
  });

  it('rejects another scheme without repeating the URL (it may hold a password)', () => {
    const result = parseConfig({ CHAOS_SYNC_REDIS_URL: 'http://user:hunter2@redis:6379' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain('CHAOS_SYNC_REDIS_URL');
    expect(!result.ok && result.message).not.toContain('hunter2');
    expect(parseConfig({ CHAOS_SYNC_NAMESPACE: 'has space' }).ok).toBe(false);
  });
});

describe('blast radius', () => {
  const now = 1_000_000;
  const beat = (instance: string, ageMs: number) => JSON.stringify({ instance, seenAt: now - ageMs });

  it('counts as live only replicas whose heartbeat is recent, sorted by name', () => {
    const registry = {
      b: beat('127.0.0.1:2', 100),
      a: beat('127.0.0.1:1', REPLICA_LIVE_MS - 1),
      stale: beat('127.0.0.1:3', REPLICA_LIVE_MS),
      junk: '{',
    };
    expect(liveFromRegistry(registry, now)).toEqual([
      { replica: 'a', instance: '127.0.0.1:1' },
      { replica: 'b', instance: '127.0.0.1:2' },
    ]);
  });

  it('chooses distinct replicas, each equally likely, and acts only on them', () => {
    const live = ['a', 'b', 'c'].map((replica) => ({ replica, instance: replica }));
    const random = seededRandom(7);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3000; i++) {
      const [one, two] = chooseReplicas(live, 2, random);
      expect(one.replica).not.toBe(two.replica);
      counts[one.replica]++;
      counts[two.replica]++;
    }
    for (const n of Object.values(counts)) expect(Math.abs(n - 2000)).toBeLessThan(150);
    const fault = { actsOn: [live[1]] };
    expect([actsOn(fault, 'a'), actsOn(fault, 'b'), actsOn({}, 'a'), actsOn(fault, undefined)]).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});
