// The fault engine with its collaborators faked (CPU burner, memory ballast, clock, propagator)
// and time under Jest's fake timers: what the e2e specs cannot pin to the millisecond or force,
// the exact TTL end, concurrent adds at the cap, the order of store and effect, failure branches.
import { HttpException, ServiceUnavailableException } from '@nestjs/common';
import type { Fault, FaultReplica } from '../../../chaos/contract/faults';
import { LABELS, METRICS } from '../../../chaos/contract/metrics';
import { chaosModule, metricValue, OffsetClock, spec, type ChaosFakes } from '../../test/chaos-fakes';
import type { ChangeOrigin } from './fault-engine.service';
import type { FaultPropagator, PropagationStatus, RemoteChange } from './fault-propagation';

const ADMIN: ChangeOrigin = { source: 'admin-api', ip: '127.0.0.1' };
const TOKEN_ENV = { CHAOS_ADMIN_TOKEN: 'engine-spec' };

/** The HTTP status a rejected call answers with. */
async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof HttpException) return error.getStatus();
    throw error;
  }
}

/** A propagator whose calls are recorded in `log`, and whose adds wait until `release` when `hold` is set. */
class FakePropagator implements FaultPropagator {
  readonly self: FaultReplica = { replica: 'replica-a', instance: '127.0.0.1:8080' };
  readonly log: string[] = [];
  hold = false;
  down = false;
  private waiting: (() => void)[] = [];
  private listeners: ((change: RemoteChange) => void)[] = [];

  status(): PropagationStatus {
    return { mode: 'redis', status: this.down ? 'down' : 'up', store: 'fake:6379', replica: 'replica-a', since: '' };
  }
  assertUp(): void {
    if (this.down) throw new ServiceUnavailableException('fault propagation is down (fake)');
  }
  async added(fault: Fault): Promise<void> {
    this.log.push(`added ${fault.type}`);
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.down) throw new ServiceUnavailableException('fault propagation is down (fake): not added anywhere');
  }
  async removed(id: string): Promise<boolean> {
    this.log.push(`removed ${id}`);
    return false;
  }
  async cleared(): Promise<void> {
    this.log.push('cleared');
  }
  expired(id: string): void {
    this.log.push(`expired ${id}`);
  }
  async liveReplicas(): Promise<FaultReplica[]> {
    return [this.self, { replica: 'replica-b', instance: '127.0.0.1:8081' }];
  }
  onRemoteChange(listener: (change: RemoteChange) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }
  /** Lets every held add through. */
  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
  deliver(change: RemoteChange): void {
    for (const listener of this.listeners) listener(change);
  }
  get subscribers(): number {
    return this.listeners.length;
  }
}

let fakes: ChaosFakes | undefined;

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
});

afterEach(async () => {
  await fakes?.module.close();
  fakes = undefined;
  jest.useRealTimers();
});

describe('FaultEngine on its own (no CHAOS_SYNC_REDIS_URL)', () => {
  it('adds, lists, removes and clears faults, the gauge and the CPU target following', async () => {
    fakes = await chaosModule({ env: TOKEN_ENV });
    const { engine, cpu, registry } = fakes;
    expect(engine.propagation()).toBeUndefined();

    const latency = await engine.add(spec({ type: 'latency', delayMs: 50 }), ADMIN);
    const burn = await engine.add(spec({ type: 'cpu', utilization: 0.3, sliceMs: 40 }), ADMIN);
    const burnMore = await engine.add(spec({ type: 'cpu', utilization: 0.2 }), ADMIN);
    expect(engine.list().map((f) => f.id)).toEqual([latency.id, burn.id, burnMore.id]);
    // The shares add up; the longest slice asked for wins.
    expect(cpu.last?.utilization).toBeCloseTo(0.5);
    expect(cpu.last?.sliceMs).toBe(40);
    expect(
      await metricValue(registry, METRICS.faultActive, { [LABELS.faultType]: 'cpu', [LABELS.faultId]: burn.id }),
    ).toBe(1);

    await engine.remove(burn.id, ADMIN);
    expect(cpu.last).toEqual({ utilization: 0.2, sliceMs: undefined });
    expect(await metricValue(registry, METRICS.faultActive, { [LABELS.faultId]: burn.id })).toBeUndefined();
    expect(await statusOf(engine.remove(burn.id, ADMIN))).toBe(404);

    expect(await engine.clear(ADMIN)).toBe(2);
    expect(engine.list()).toEqual([]);
    expect(cpu.last?.utilization).toBe(0);
    expect(engine.hasRequestFaults).toBe(false);
  });

  it('ends a fault at its expiresAt to the millisecond, on the clock it was created by', async () => {
    // A replica whose wall clock is a day ahead still keeps a fault for its TTL of timer time.
    fakes = await chaosModule({ env: TOKEN_ENV, clock: new OffsetClock(86_400_000) });
    const { engine, cpu, memory, logger } = fakes;
    const fault = await engine.add(spec({ type: 'cpu', utilization: 0.5, ttlSeconds: 2 }), ADMIN);
    const held = await engine.add(spec({ type: 'memory', megabytes: 64, ttlSeconds: 2 }), ADMIN);
    expect(Date.parse(fault.expiresAt) - Date.parse(fault.createdAt)).toBe(2_000);
    expect(Date.parse(fault.createdAt)).toBeGreaterThanOrEqual(Date.now() + 86_400_000);

    await jest.advanceTimersByTimeAsync(1_999);
    expect(engine.list()).toHaveLength(2);
    expect(memory.held.get(held.id)).toBe(64);
    await jest.advanceTimersByTimeAsync(1);
    expect(engine.list()).toEqual([]);
    expect(cpu.last?.utilization).toBe(0);
    expect(memory.released).toEqual([held.id]);
    expect(logger.events().filter((event) => event === 'fault_expired')).toHaveLength(2);
  });

  it('refuses the fault past CHAOS_MAX_FAULTS with 409 naming the cap, and takes one again after a removal', async () => {
    fakes = await chaosModule({ env: { ...TOKEN_ENV, CHAOS_MAX_FAULTS: '3' } });
    const { engine } = fakes;
    const added = [];
    for (let n = 0; n < 3; n += 1) added.push(await engine.add(spec({ type: 'abort', routes: ['/fail'] }), ADMIN));
    const refused = engine.add(spec({ type: 'abort' }), ADMIN);
    await expect(refused).rejects.toThrow(/faults: 3 active, the cap is 3 \(CHAOS_MAX_FAULTS\)/);
    expect(await statusOf(engine.add(spec({ type: 'abort' }), ADMIN))).toBe(409);
    expect(engine.list()).toHaveLength(3);

    await engine.remove(added[0].id, ADMIN);
    await expect(engine.add(spec({ type: 'abort' }), ADMIN)).resolves.toMatchObject({ type: 'abort' });
  });

  it('sums the delays of the latency faults that fire, to at most CHAOS_MAX_DELAY_MS, and counts each clamp', async () => {
    fakes = await chaosModule({ env: { ...TOKEN_ENV, CHAOS_MAX_DELAY_MS: '1000' } });
    const { engine, registry } = fakes;
    await engine.add(spec({ type: 'latency', delayMs: 300 }), ADMIN);
    expect(engine.decideRequest('/')).toMatchObject({ action: 'delay', totalMs: 300, clamped: false });
    expect(await metricValue(registry, METRICS.delayClamped, { [LABELS.route]: '/' })).toBeUndefined();

    await engine.add(spec({ type: 'latency', delayMs: 800 }), ADMIN);
    const decision = engine.decideRequest('/');
    expect(decision).toMatchObject({ action: 'delay', totalMs: 1_000, clamped: true });
    expect(decision.action === 'delay' && decision.delays.map((d) => d.delayMs)).toEqual([300, 800]);
    engine.decideRequest('/');
    expect(await metricValue(registry, METRICS.delayClamped, { [LABELS.route]: '/' })).toBe(2);
    // /fail is a dice route too, but its requests were never clamped.
    expect(await metricValue(registry, METRICS.delayClamped, { [LABELS.route]: '/fail' })).toBeUndefined();
  });

  it('applies abort, then error, then latency, whatever order they were added in', async () => {
    fakes = await chaosModule({ env: TOKEN_ENV });
    const { engine } = fakes;
    const latency = await engine.add(spec({ type: 'latency', delayMs: 10 }), ADMIN);
    const error = await engine.add(spec({ type: 'error', status: 502 }), ADMIN);
    const onlyFail = await engine.add(spec({ type: 'abort', routes: ['/fail'] }), ADMIN);
    const abort = await engine.add(spec({ type: 'abort' }), ADMIN);

    expect(engine.decideRequest('/')).toEqual({ action: 'abort', fault: abort });
    await engine.remove(abort.id, ADMIN);
    expect(engine.decideRequest('/')).toEqual({ action: 'error', fault: error });
    expect(engine.decideRequest('/fail')).toEqual({ action: 'abort', fault: onlyFail });
    await engine.remove(error.id, ADMIN);
    expect(engine.decideRequest('/')).toMatchObject({ action: 'delay', delays: [{ fault: latency, delayMs: 10 }] });
    await engine.remove(latency.id, ADMIN);
    expect(engine.decideRequest('/')).toEqual({ action: 'none' });
  });

  it('a memory fault that cannot get its memory answers 500 and is not left active; over the cap it answers 400', async () => {
    fakes = await chaosModule({ env: { ...TOKEN_ENV, CHAOS_MEMORY_CAP_MB: '100' } });
    const { engine, memory, logger } = fakes;
    memory.failNext = new Error('Cannot allocate memory');
    const failed = engine.add(spec({ type: 'memory', megabytes: 10 }), ADMIN);
    await expect(failed).rejects.toThrow(/megabytes: could not hold 10 MB \(Cannot allocate memory\)/);
    expect(await statusOf(failed)).toBe(500);
    expect(engine.list()).toEqual([]);
    expect(logger.events()).toContain('fault_failed');

    await engine.add(spec({ type: 'memory', megabytes: 60 }), ADMIN);
    const over = engine.add(spec({ type: 'memory', megabytes: 50 }), ADMIN);
    await expect(over).rejects.toThrow(/would hold 110 MB in all, over the cap of 100 MB \(CHAOS_MEMORY_CAP_MB\)/);
    expect(await statusOf(engine.add(spec({ type: 'memory', megabytes: 50 }), ADMIN))).toBe(400);
  });

  it('places a blast radius on this process alone, and refuses more replicas than that', async () => {
    fakes = await chaosModule({ env: { ...TOKEN_ENV, PORT: '9000' } });
    const { engine } = fakes;
    const fault = await engine.add(spec({ type: 'error', replicas: 1 }), ADMIN);
    expect(fault.actsOn).toEqual([{ replica: 'this-process', instance: '127.0.0.1:9000' }]);
    expect(engine.decideRequest('/')).toMatchObject({ action: 'error' });
    expect(await statusOf(engine.add(spec({ type: 'error', replicas: 2 }), ADMIN))).toBe(400);
  });

  it('on shutdown ends every fault here and frees all memory', async () => {
    fakes = await chaosModule({ env: TOKEN_ENV });
    const { engine, cpu, memory, module } = fakes;
    await engine.add(spec({ type: 'cpu', utilization: 0.4 }), ADMIN);
    await engine.add(spec({ type: 'memory', megabytes: 8 }), ADMIN);
    await module.close();
    fakes = undefined;
    expect(engine.list()).toEqual([]);
    expect(cpu.last?.utilization).toBe(0);
    expect(memory.releasedAll).toBe(true);
    expect(memory.heldMegabytes).toBe(0);
  });
});

describe('FaultEngine with a propagator', () => {
  let propagator: FakePropagator;

  beforeEach(() => {
    propagator = new FakePropagator();
  });

  it('stores a fault before it acts here: nothing is listed or burning until the store answers', async () => {
    fakes = await chaosModule({ env: TOKEN_ENV, propagator });
    const { engine, cpu } = fakes;
    propagator.hold = true;
    const adding = engine.add(spec({ type: 'cpu', utilization: 0.5 }), ADMIN);
    await jest.advanceTimersByTimeAsync(0);
    expect(propagator.log).toEqual(['added cpu']);
    expect(engine.list()).toEqual([]);
    expect(cpu.calls).toEqual([]);
    propagator.release();
    const fault = await adding;
    expect(engine.list()).toEqual([fault]);
    expect(cpu.last?.utilization).toBe(0.5);
  });

  it('counts adds still waiting for the store against the cap, so concurrent adds cannot pass it', async () => {
    fakes = await chaosModule({ env: { ...TOKEN_ENV, CHAOS_MAX_FAULTS: '2' }, propagator });
    const { engine } = fakes;
    propagator.hold = true;
    const first = engine.add(spec({ type: 'abort' }), ADMIN);
    const second = engine.add(spec({ type: 'abort' }), ADMIN);
    const third = statusOf(engine.add(spec({ type: 'abort' }), ADMIN));
    propagator.release();
    expect(await third).toBe(409);
    await Promise.all([first, second]);
    expect(engine.list()).toHaveLength(2);
    expect(await statusOf(engine.add(spec({ type: 'abort' }), ADMIN))).toBe(409);
  });

  it('answers 503 with the store down and has then acted nowhere: not listed, no gauge, no CPU, no memory', async () => {
    fakes = await chaosModule({ env: TOKEN_ENV, propagator });
    const { engine, cpu, memory, registry } = fakes;
    propagator.down = true;
    expect(await statusOf(engine.add(spec({ type: 'cpu', utilization: 0.5 }), ADMIN))).toBe(503);
    expect(propagator.log).toEqual([]); // refused before the store was asked
    // Down while the add was on its way: the store said no, so it acts nowhere.
    propagator.down = false;
    propagator.hold = true;
    const adding = engine.add(spec({ type: 'memory', megabytes: 16 }), ADMIN);
    await jest.advanceTimersByTimeAsync(0);
    propagator.down = true;
    propagator.release();
    expect(await statusOf(adding)).toBe(503);
    expect(engine.list()).toEqual([]);
    expect(cpu.calls).toEqual([]);
    expect(memory.held.size).toBe(0);
    expect(await metricValue(registry, METRICS.faultActive)).toBeUndefined();
  });

  it('takes a fault out of the store again when its memory cannot be held here', async () => {
    fakes = await chaosModule({ env: TOKEN_ENV, propagator });
    const { engine, memory } = fakes;
    memory.failNext = new Error('no memory');
    expect(await statusOf(engine.add(spec({ type: 'memory', megabytes: 32 }), ADMIN))).toBe(500);
    expect(propagator.log).toEqual(['added memory', expect.stringMatching(/^removed /)]);
  });

  it('tells the store when a fault expires here, and places a blast radius among the live replicas', async () => {
    fakes = await chaosModule({ env: TOKEN_ENV, propagator, random: () => 0.99 });
    const { engine } = fakes;
    const elsewhere = await engine.add(spec({ type: 'error', replicas: 1, ttlSeconds: 1 }), ADMIN);
    // random 0.99 draws the last live replica: replica-b, so it is listed here but does not act.
    expect(elsewhere.actsOn).toEqual([{ replica: 'replica-b', instance: '127.0.0.1:8081' }]);
    expect(engine.list()).toHaveLength(1);
    expect(engine.decideRequest('/')).toEqual({ action: 'none' });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(propagator.log).toContain(`expired ${elsewhere.id}`);
  });

  it('applies what other replicas change, ends a stored fault by createdAt + ttlSeconds, and ignores bad ones', async () => {
    fakes = await chaosModule({ env: { ...TOKEN_ENV, CHAOS_MAX_FAULTS: '2' }, propagator });
    const { engine, logger } = fakes;
    const now = Date.now();
    const remote = (id: string, extra: Partial<Record<string, unknown>> = {}) =>
      ({
        id,
        type: 'error',
        status: 503,
        probability: 1,
        ttlSeconds: 2,
        createdAt: new Date(now).toISOString(),
        expiresAt: '2099-01-01T00:00:00.000Z',
        ...extra,
      }) as unknown as Fault;

    propagator.deliver({ op: 'add', fault: remote('stretched'), replica: 'replica-b' });
    expect(engine.list().map((f) => [f.id, f.expiresAt])).toEqual([['stretched', new Date(now + 2_000).toISOString()]]);
    propagator.deliver({ op: 'add', fault: remote('bad', { status: 99 }), replica: 'replica-b' });
    propagator.deliver({ op: 'add', fault: remote('second'), replica: 'replica-b' });
    propagator.deliver({ op: 'add', fault: remote('over-cap'), replica: 'replica-b' });
    expect(engine.list().map((f) => f.id)).toEqual(['stretched', 'second']);
    const rejected = logger.lines.filter((line) => line.fields.event === 'fault_sync_rejected');
    expect(rejected.map((line) => [line.fields.faultId, line.message])).toEqual([
      ['bad', expect.stringMatching(/^ignored a shared fault: status/)],
      ['over-cap', expect.stringMatching(/CHAOS_MAX_FAULTS/)],
    ]);

    // A resync: the store's set is the truth.
    propagator.deliver({ op: 'reconcile', faults: [remote('second'), remote('third')], replica: 'store' });
    expect(engine.list().map((f) => f.id)).toEqual(['second', 'third']);
    propagator.deliver({ op: 'remove', id: 'second', replica: 'replica-b' });
    expect(engine.list().map((f) => f.id)).toEqual(['third']);
    propagator.deliver({ op: 'clear', replica: 'replica-b' });
    expect(engine.list()).toEqual([]);
    expect(propagator.log).toEqual([]); // none of it goes back to the store

    await fakes.module.close();
    fakes = undefined;
    expect(propagator.subscribers).toBe(0);
  });
});
