// Fakes for the unit specs of the fault engine and the fault sync: the ChaosModule built with
// Test.createTestingModule, its CPU burner, memory ballast, Redis clients and clock replaced.
// The fake Redis keeps hashes and a pub/sub channel in memory, can be stopped (connections
// drop) and paused (CLIENT PAUSE: commands wait), and runs the sync's add script as its Lua
// does: store and announce only while its own clock is before the deadline.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { getLoggerToken } from 'nestjs-pino';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { parseFaultSpec, type FaultSpec, type FaultSpecInput } from '../../chaos/contract/faults';
import { ChaosModule } from '../src/chaos/chaos.module';
import { CLOCK, type Clock } from '../src/chaos/clock';
import { CpuBurner } from '../src/chaos/cpu-burner';
import { FaultEngine } from '../src/chaos/fault-engine.service';
import { FAULT_PROPAGATOR, type FaultPropagator } from '../src/chaos/fault-propagation';
import { FaultSync } from '../src/chaos/fault-sync.service';
import { MemoryBallast } from '../src/chaos/memory-ballast';
import {
  SYNC_STORE_CLIENT_FACTORY,
  type SyncStoreClient,
  type SyncStoreClientOptions,
  type SyncStoreMulti,
} from '../src/chaos/sync-store-client';
import { configFrom } from '../src/config/app-config';
import { ConfigModule } from '../src/config/config.module';
import { seededRandom, type RandomSource } from '../src/random/random-source';
import { RandomModule } from '../src/random/random.module';

/** A fault spec with its defaults, as the admin API's pipe hands it to the engine. */
export function spec(input: FaultSpecInput): FaultSpec {
  const parsed = parseFaultSpec(input);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export type LogLine = { level: 'info' | 'warn'; fields: Record<string, unknown>; message: string };

/** The two levels the engine and the sync write at, kept for assertions. */
export class FakeLogger {
  readonly lines: LogLine[] = [];
  info(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', fields, message });
  }
  events(): unknown[] {
    return this.lines.map((line) => line.fields.event);
  }
}

/** Records what the engine asks of the CPU; burns nothing. */
export class FakeCpuBurner implements Pick<CpuBurner, 'setUtilization'> {
  readonly calls: { utilization: number; sliceMs: number | undefined }[] = [];
  setUtilization(utilization: number, sliceMs?: number): void {
    this.calls.push({ utilization, sliceMs });
  }
  get last(): { utilization: number; sliceMs: number | undefined } | undefined {
    return this.calls.at(-1);
  }
}

/** Holds megabytes in name only; `failNext` makes the next hold fail as a worker that cannot allocate. */
export class FakeMemoryBallast implements Pick<MemoryBallast, 'hold' | 'release' | 'releaseAll' | 'heldMegabytes'> {
  readonly held = new Map<string, number>();
  readonly released: string[] = [];
  failNext: Error | undefined;
  releasedAll = false;

  get heldMegabytes(): number {
    return [...this.held.values()].reduce((sum, mb) => sum + mb, 0);
  }
  async hold(id: string, megabytes: number): Promise<void> {
    this.held.set(id, megabytes);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }
  async release(id: string): Promise<void> {
    if (this.held.delete(id)) this.released.push(id);
  }
  async releaseAll(): Promise<void> {
    this.releasedAll = true;
    await Promise.all([...this.held.keys()].map((id) => this.release(id)));
  }
}

/** A wall clock `offsetMs` away from the (fake) timers' Date.now: a replica whose clock is off. */
export class OffsetClock implements Clock {
  constructor(public offsetMs = 0) {}
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export type StoreCommand = { client: number; command: string; args: unknown[] };

/** One Redis server shared by the replicas of a spec. */
export class FakeRedis {
  readonly hashes = new Map<string, Map<string, string>>();
  /** Every message published, in order. */
  readonly published: { channel: string; message: string }[] = [];
  /** Every command that ran, in order (a MULTI's commands one by one, under its client). */
  readonly ran: StoreCommand[] = [];
  readonly clients: FakeRedisClient[] = [];
  /** How far this server's clock (TIME, the add script's deadline check) is ahead of Date.now. */
  clockAheadMs = 0;
  private running = true;
  private pause: { resumed: Promise<void>; resume: () => void } | undefined;
  readonly subscriptions: { client: FakeRedisClient; channel: string; listener: (message: string) => void }[] = [];

  readonly factory = (options: SyncStoreClientOptions): SyncStoreClient => {
    const client = new FakeRedisClient(this, this.clients.length, options);
    this.clients.push(client);
    return client;
  };

  now(): number {
    return Date.now() + this.clockAheadMs;
  }

  hash(key: string): Record<string, string> {
    return Object.fromEntries(this.hashes.get(key) ?? []);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Every connection drops; commands fail at once until start(). */
  stop(): void {
    this.running = false;
    for (const client of this.clients) client.drop();
  }

  /** Connections come back (a client's reconnect succeeds) and say ready. */
  start(): void {
    this.running = true;
    for (const client of this.clients) client.reconnect();
  }

  /** CLIENT PAUSE: connections stay open, commands wait until resume() and then run in order. */
  pauseClients(): void {
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    this.pause = { resumed, resume };
  }

  resumeClients(): void {
    this.pause?.resume();
    this.pause = undefined;
  }

  /** Runs one command as the server would: after a pause, never while stopped. */
  async run<T>(client: FakeRedisClient, work: () => T): Promise<T> {
    if (!client.isReady) throw new Error('The client is offline');
    const pause = this.pause;
    if (pause) await pause.resumed;
    else await Promise.resolve();
    if (!client.isReady) throw new Error('The client is offline');
    return work();
  }

  record(client: FakeRedisClient, command: string, ...args: unknown[]): void {
    this.ran.push({ client: client.index, command, args });
  }

  hSet(key: string, field: string, value: string): number {
    const hash = this.hashes.get(key) ?? new Map<string, string>();
    this.hashes.set(key, hash);
    const added = hash.has(field) ? 0 : 1;
    hash.set(field, value);
    return added;
  }

  hDel(key: string, fields: string | string[]): number {
    const hash = this.hashes.get(key);
    let deleted = 0;
    for (const field of typeof fields === 'string' ? [fields] : fields) if (hash?.delete(field)) deleted += 1;
    return deleted;
  }

  del(key: string): number {
    return this.hashes.delete(key) ? 1 : 0;
  }

  publish(channel: string, message: string): number {
    this.published.push({ channel, message });
    const receivers = this.subscriptions.filter((s) => s.channel === channel && s.client.isReady);
    // Delivered after the publishing command answered, as over a socket (a microtask: fake timers leave it be).
    for (const { listener } of receivers) void Promise.resolve().then(() => listener(message));
    return receivers.length;
  }

  /** The operations published, in order (`add`, `remove`, `clear`). */
  ops(): string[] {
    return this.published.map(({ message }) => (JSON.parse(message) as { op: string }).op);
  }
}

class FakeMulti implements SyncStoreMulti {
  private readonly queued: { command: string; args: unknown[]; run: () => unknown }[] = [];
  constructor(private readonly client: FakeRedisClient) {}

  hDel(key: string, field: string): SyncStoreMulti {
    this.queued.push({ command: 'HDEL', args: [key, field], run: () => this.client.server.hDel(key, field) });
    return this;
  }
  del(key: string): SyncStoreMulti {
    this.queued.push({ command: 'DEL', args: [key], run: () => this.client.server.del(key) });
    return this;
  }
  publish(channel: string, message: string): SyncStoreMulti {
    this.queued.push({
      command: 'PUBLISH',
      args: [channel, message],
      run: () => this.client.server.publish(channel, message),
    });
    return this;
  }
  exec(): Promise<unknown[]> {
    return this.client.server.run(this.client, () =>
      this.queued.map(({ command, args, run }) => {
        this.client.server.record(this.client, command, ...args);
        return run();
      }),
    );
  }
}

export class FakeRedisClient extends EventEmitter implements SyncStoreClient {
  isReady = false;
  destroyed = false;
  private connecting: (() => void) | undefined;

  constructor(
    readonly server: FakeRedis,
    readonly index: number,
    readonly options: SyncStoreClientOptions,
  ) {
    super();
  }

  /** Resolves once connected: at once while the server runs, else when it starts. */
  connect(): Promise<unknown> {
    if (this.server.isRunning) {
      this.becomeReady();
      return Promise.resolve(this);
    }
    return new Promise((resolve) => (this.connecting = () => resolve(this)));
  }

  drop(): void {
    if (this.destroyed || !this.isReady) return;
    this.isReady = false;
    this.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  }

  reconnect(): void {
    if (this.destroyed) return;
    this.becomeReady();
    this.connecting?.();
    this.connecting = undefined;
  }

  private becomeReady(): void {
    this.isReady = true;
    this.emit('ready');
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<unknown> {
    return this.server.run(this, () => {
      this.server.record(this, 'SUBSCRIBE', channel);
      this.server.subscriptions.push({ client: this, channel, listener });
      return 1;
    });
  }

  destroy(): void {
    this.destroyed = true;
    this.isReady = false;
    const own = this.server.subscriptions.filter((s) => s.client === this);
    for (const subscription of own)
      this.server.subscriptions.splice(this.server.subscriptions.indexOf(subscription), 1);
  }

  hDel(key: string, fields: string | string[]): Promise<number> {
    return this.server.run(this, () => {
      this.server.record(this, 'HDEL', key, fields);
      return this.server.hDel(key, fields);
    });
  }

  hSet(key: string, field: string, value: string): Promise<number> {
    return this.server.run(this, () => {
      this.server.record(this, 'HSET', key, field);
      return this.server.hSet(key, field, value);
    });
  }

  hGetAll(key: string): Promise<Record<string, string>> {
    return this.server.run(this, () => {
      this.server.record(this, 'HGETALL', key);
      return this.server.hash(key);
    });
  }

  time(): Promise<readonly string[]> {
    return this.server.run(this, () => {
      this.server.record(this, 'TIME');
      const ms = this.server.now();
      return [String(Math.floor(ms / 1000)), String((ms % 1000) * 1000)];
    });
  }

  /** The sync's add script: KEYS[1] the hash; ARGV deadline, id, fault JSON, channel, message. */
  eval(_script: string, { keys, arguments: argv }: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return this.server.run(this, () => {
      this.server.record(this, 'EVAL', ...keys, ...argv.slice(0, 2));
      const [deadline, id, json, channel, message] = argv;
      if (this.server.now() > Number(deadline)) return 0;
      this.server.hSet(keys[0], id, json);
      this.server.publish(channel, message);
      return 1;
    });
  }

  multi(): SyncStoreMulti {
    return new FakeMulti(this);
  }
}

export type ChaosFakes = {
  module: TestingModule;
  engine: FaultEngine;
  /** The engine's propagator: the FaultSync with CHAOS_SYNC_REDIS_URL (or the fake passed), else null. */
  propagator: FaultPropagator | null;
  cpu: FakeCpuBurner;
  memory: FakeMemoryBallast;
  logger: FakeLogger;
  registry: Registry;
  clock: OffsetClock;
};

export type ChaosFakesOptions = {
  env?: Record<string, string>;
  /** Shared by the replicas of a spec; a sync URL in `env` makes the sync use it. */
  redis?: FakeRedis;
  /** Replaces FaultSync as the engine's propagator. */
  propagator?: FaultPropagator;
  clock?: OffsetClock;
  random?: RandomSource;
};

/**
 * The ChaosModule of one replica, compiled and initialised (init runs the sync's bootstrap:
 * with fake timers, advance them while it waits for a store that is down).
 */
export async function chaosModule(options: ChaosFakesOptions = {}): Promise<ChaosFakes> {
  const fakes = {
    cpu: new FakeCpuBurner(),
    memory: new FakeMemoryBallast(),
    logger: new FakeLogger(),
    registry: new Registry(),
    clock: options.clock ?? new OffsetClock(),
  };
  const redis = options.redis ?? new FakeRedis();
  let builder = Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(configFrom(options.env)),
      RandomModule.forRoot(options.random ?? seededRandom(1)),
      FakeInfraModule.forRoot(fakes.registry, fakes.logger),
      ChaosModule,
    ],
  })
    .overrideProvider(CpuBurner)
    .useValue(fakes.cpu)
    .overrideProvider(MemoryBallast)
    .useValue(fakes.memory)
    .overrideProvider(CLOCK)
    .useValue(fakes.clock)
    .overrideProvider(SYNC_STORE_CLIENT_FACTORY)
    .useValue(redis.factory);
  if (options.propagator) builder = builder.overrideProvider(FAULT_PROPAGATOR).useValue(options.propagator);
  const module = await builder.compile();
  await module.init();
  return { module, engine: module.get(FaultEngine), propagator: module.get(FAULT_PROPAGATOR), ...fakes };
}

/** What MetricsModule and LoggingModule give the app: a Registry and the two loggers. */
@Global()
@Module({})
class FakeInfraModule {
  static forRoot(registry: Registry, logger: FakeLogger): DynamicModule {
    const providers = [
      { provide: Registry, useValue: registry },
      { provide: getLoggerToken(FaultEngine.name), useValue: logger },
      { provide: getLoggerToken(FaultSync.name), useValue: logger },
    ];
    return { module: FakeInfraModule, providers, exports: providers.map((p) => p.provide) };
  }
}

/** A metric's value for these labels in `registry`; undefined when it has no such series. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value))?.value;
}
