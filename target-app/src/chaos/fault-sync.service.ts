// Faults that reach every replica: a Redis hash holds the active set (each fault with its
// absolute expiresAt, so a replica that starts late loads what is active), and a pub/sub
// channel tells every replica about each change within milliseconds. Only built when
// CHAOS_SYNC_REDIS_URL is set (chaos.module.ts); otherwise the engine is this process only.
// After a drop or a stall (CLIENT PAUSE), a heal loop retries the resync until the store
// answers, so propagation comes back up without a restart.
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  ServiceUnavailableException,
} from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { Fault, FaultReplica } from '../../../chaos/contract/faults';
import { AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from './clock';
import {
  isFault,
  liveFromRegistry,
  parseSyncMessage,
  storedFaultEndMs,
  type FaultPropagator,
  type PropagationStatus,
  type RemoteChange,
  type SyncMessage,
} from './fault-propagation';
import { SYNC_STORE_CLIENT_FACTORY, type SyncStoreClient, type SyncStoreClientFactory } from './sync-store-client';

/** Longest wait for one Redis command; a change that takes longer is answered 503. */
const COMMAND_TIMEOUT_MS = 1_000;
/** How long start-up waits for the store before serving with propagation down. */
const CONNECT_WAIT_MS = 3_000;
/** While down, how often the resync is tried again on connections that are still open. */
const HEAL_INTERVAL_MS = 250;
/** How often a replica renews its entry in the registry of live replicas (see REPLICA_LIVE_MS). */
const HEARTBEAT_INTERVAL_MS = 1_000;
/** A registry entry this much older than REPLICA_LIVE_MS is deleted (its replica never left cleanly). */
const REGISTRY_PRUNE_AFTER_MS = 60_000;
/** An add must run on Redis this long before the client gives up on it (see ADD_SCRIPT). */
const ADD_DEADLINE_MARGIN_MS = 100;
/**
 * Stores and announces a fault only if Redis runs it before a deadline on its own clock, set
 * before the client's timeout: a write that sat in a stalled Redis past the moment the admin
 * API answered 503 ("not added anywhere") is refused rather than applied late.
 * KEYS[1] the hash; ARGV: deadline (ms, Redis clock), id, fault JSON, channel, message.
 */
const ADD_SCRIPT = `
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;
const LATER = 'the other replicas get it when the store is back (until then theirs end at their TTL)';
const DOWN_NOTE =
  'faults cannot reach the other replicas: adding one answers 503; removing or clearing acts on this replica at once, answers 503, and reaches the store when it is back';

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer from Redis within ${COMMAND_TIMEOUT_MS} ms`)),
      COMMAND_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** host:port of a redis:// URL, never its credentials. */
export function storeAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'redis';
  }
}

@Injectable()
export class FaultSync implements FaultPropagator, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly replica = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  readonly self: FaultReplica;
  private readonly key: string;
  private readonly channel: string;
  /** Hash of live replicas (name → `{ instance, seenAt }`), for choosing a fault's blast radius. */
  private readonly registry: string;
  private heartbeat: NodeJS.Timeout | undefined;
  private commands: SyncStoreClient | undefined;
  private subscriber: SyncStoreClient | undefined;
  /** What other replicas changed, and the store's set after each resync, for the engine (onRemoteChange). */
  private readonly remoteChanges = new EventEmitter<{ change: [RemoteChange] }>();
  private up = false;
  private since: string;
  private lastError: string | undefined = 'not connected yet';
  private stopping = false;
  /** Changes made here while the store was down, sent when it is back (the kill switch first). */
  private pendingClear = false;
  private readonly pendingRemovals = new Set<string>();
  private resyncing: Promise<void> | undefined;
  private healing: NodeJS.Timeout | undefined;
  /** The least Redis's clock can be ahead of ours (ms, negative when behind), from the last resync. */
  private storeClockAheadMs = 0;

  constructor(
    private readonly config: AppConfig,
    @Inject(SYNC_STORE_CLIENT_FACTORY) private readonly createStoreClient: SyncStoreClientFactory,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectPinoLogger(FaultSync.name) private readonly logger: PinoLogger,
  ) {
    this.since = this.timestamp();
    this.key = `${config.syncNamespace}:faults`;
    this.channel = `${config.syncNamespace}:faults:changes`;
    this.registry = `${config.syncNamespace}:replicas`;
    // What Prometheus scrapes it as: its address, or its host name when it listens on every interface (a pod).
    this.self = {
      replica: this.replica,
      instance: `${config.host === '0.0.0.0' ? hostname() : config.host}:${config.port}`,
    };
  }

  onRemoteChange(listener: (change: RemoteChange) => void): () => void {
    this.remoteChanges.on('change', listener);
    return () => this.remoteChanges.off('change', listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    const url = this.config.syncRedisUrl;
    if (!url) return;
    const options = {
      url,
      ...(this.config.syncRedisPassword ? { password: this.config.syncRedisPassword } : {}),
      // Commands fail at once while disconnected instead of queueing: the admin API answers now.
      disableOfflineQueue: true,
      socket: { connectTimeout: 1_000, reconnectStrategy: (retries: number) => Math.min(100 * (retries + 1), 1_000) },
    };
    this.commands = this.createStoreClient(options);
    this.subscriber = this.createStoreClient(options);
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', (error: Error) => this.markDown(error.message || String(error)));
      client.on('end', () => this.markDown('connection closed'));
      client.on('ready', () => void this.resync());
    }
    const connected = Promise.all([this.commands.connect(), this.subscriber.connect()])
      .then(() => this.subscriber!.subscribe(this.channel, (text) => this.onMessage(text)))
      .then(() => this.resync());
    connected.catch(() => undefined); // reported through the 'error' events; reconnection carries on
    // A late joiner loads the active set before it serves, when the store answers in time.
    await Promise.race([
      connected.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, CONNECT_WAIT_MS).unref()),
    ]);
    if (!this.up)
      this.logger.warn(
        { event: 'fault_sync_down', store: storeAddress(url), error: this.lastError },
        'fault propagation is down at start; serving anyway',
      );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.healing);
    clearInterval(this.heartbeat);
    if (this.up && this.commands)
      await withTimeout(this.commands.hDel(this.registry, this.replica), 'leave the registry').catch(() => undefined);
    for (const client of [this.subscriber, this.commands]) {
      if (!client) continue;
      try {
        client.destroy();
      } catch {
        // already closed
      }
    }
  }

  status(): PropagationStatus {
    return {
      mode: 'redis',
      status: this.up ? 'up' : 'down',
      store: storeAddress(this.config.syncRedisUrl ?? ''),
      replica: this.replica,
      since: this.since,
      ...(this.up ? {} : { error: this.lastError, note: DOWN_NOTE }),
    };
  }

  assertUp(): void {
    if (!this.up) throw this.unavailable('the fault was not added anywhere');
  }

  async added(fault: Fault): Promise<void> {
    const notAdded = 'the fault was not added anywhere';
    const deadline = this.clock.now() + this.storeClockAheadMs + COMMAND_TIMEOUT_MS - ADD_DEADLINE_MARGIN_MS;
    let stored: unknown;
    try {
      stored = await this.send('add the fault', notAdded, (client) =>
        client.eval(ADD_SCRIPT, {
          keys: [this.key],
          arguments: [
            String(deadline),
            fault.id,
            JSON.stringify(fault),
            this.channel,
            this.message({ op: 'add', fault }),
          ],
        }),
      );
    } catch (error) {
      // Had Redis run it in time while its answer was lost, the resync takes it out again.
      this.pendingRemovals.add(fault.id);
      throw error;
    }
    if (Number(stored) !== 1) throw this.unavailable(`Redis ran the add after its deadline; ${notAdded}`);
  }

  async removed(id: string): Promise<boolean> {
    try {
      const [deleted] = await this.send('remove the fault', `removed on this replica only; ${LATER}`, (client) =>
        client
          .multi()
          .hDel(this.key, id)
          .publish(this.channel, this.message({ op: 'remove', id }))
          .exec(),
      );
      return Number(deleted) > 0;
    } catch (error) {
      this.pendingRemovals.add(id);
      throw error;
    }
  }

  async cleared(): Promise<void> {
    try {
      await this.send('clear the faults', `cleared on this replica only; ${LATER}`, (client) =>
        client
          .multi()
          .del(this.key)
          .publish(this.channel, this.message({ op: 'clear' }))
          .exec(),
      );
    } catch (error) {
      this.pendingClear = true;
      this.pendingRemovals.clear();
      throw error;
    }
  }

  async liveReplicas(): Promise<FaultReplica[]> {
    const entries = await this.send('read the live replicas', 'the fault was not added anywhere', (client) =>
      client.hGetAll(this.registry),
    );
    const now = this.clock.now();
    const live = liveFromRegistry(entries, now);
    // Replicas that died without leaving (SIGKILL, a lost pod): not even live a minute ago, so pruned.
    const gone = Object.keys(entries).filter(
      (name) => !liveFromRegistry({ [name]: entries[name] }, now - REGISTRY_PRUNE_AFTER_MS).length,
    );
    if (gone.length) withTimeout(this.commands!.hDel(this.registry, gone), 'prune the registry').catch(() => undefined);
    // This replica is live while it answers, whether or not its last heartbeat got through.
    return live.some((r) => r.replica === this.replica)
      ? live
      : [...live, this.self].sort((a, b) => a.replica.localeCompare(b.replica));
  }

  private beat(): void {
    if (!this.up || !this.commands || this.stopping) return;
    const entry = JSON.stringify({ instance: this.self.instance, seenAt: this.clock.now() });
    withTimeout(this.commands.hSet(this.registry, this.replica, entry), 'heartbeat').catch(() => undefined);
  }

  expired(id: string): void {
    if (!this.up || !this.commands) return;
    withTimeout(this.commands.hDel(this.key, id), 'expire').catch(() => undefined);
  }

  private message(body: { op: 'add'; fault: Fault } | { op: 'remove'; id: string } | { op: 'clear' }): string {
    return JSON.stringify({ ...body, from: this.replica } satisfies SyncMessage);
  }

  /** Runs one change on the store; `failure` says what happened when it could not. */
  private async send<T>(what: string, failure: string, command: (client: SyncStoreClient) => Promise<T>): Promise<T> {
    if (!this.up || !this.commands) throw this.unavailable(failure);
    try {
      return await withTimeout(command(this.commands), what);
    } catch (error) {
      this.markDown(error instanceof Error ? error.message : String(error));
      throw this.unavailable(failure);
    }
  }

  private unavailable(what: string): ServiceUnavailableException {
    return new ServiceUnavailableException(
      `fault propagation is down (redis ${storeAddress(this.config.syncRedisUrl ?? '')}: ${this.lastError ?? 'unreachable'}): ${what}`,
    );
  }

  private onMessage(text: string): void {
    const message = parseSyncMessage(text);
    if (!message || message.from === this.replica) return;
    const { from: replica, ...change } = message;
    this.remoteChanges.emit('change', { ...change, replica });
  }

  /** After each (re)connection: send what was changed while down, then load the store's set. */
  private resync(): Promise<void> {
    if (this.stopping || !this.commands?.isReady || !this.subscriber?.isReady) return Promise.resolve();
    this.resyncing ??= this.doResync().finally(() => (this.resyncing = undefined));
    return this.resyncing;
  }

  private async doResync(): Promise<void> {
    const client = this.commands!;
    try {
      if (this.pendingClear) {
        await withTimeout(
          client
            .multi()
            .del(this.key)
            .publish(this.channel, this.message({ op: 'clear' }))
            .exec(),
          'send the pending clear',
        );
        this.pendingClear = false;
      }
      for (const id of [...this.pendingRemovals]) {
        await withTimeout(
          client
            .multi()
            .hDel(this.key, id)
            .publish(this.channel, this.message({ op: 'remove', id }))
            .exec(),
          'send a pending removal',
        );
        this.pendingRemovals.delete(id);
      }
      const [seconds, micros] = await withTimeout(client.time(), 'read the store clock');
      const answered = this.clock.now();
      // Redis read its clock before `answered`; against it the offset errs low,
      // which only moves the add's deadline earlier.
      this.storeClockAheadMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - answered;
      const stored = await withTimeout(client.hGetAll(this.key), 'load the active faults');
      const now = this.clock.now();
      const active: Fault[] = [];
      const stale: string[] = [];
      for (const [id, text] of Object.entries(stored)) {
        let fault: unknown;
        try {
          fault = JSON.parse(text);
        } catch {
          fault = undefined;
        }
        if (isFault(fault) && storedFaultEndMs(fault, now) > now) active.push(fault);
        else stale.push(id);
      }
      if (stale.length > 0) await withTimeout(client.hDel(this.key, stale), 'prune expired faults');
      this.remoteChanges.emit('change', { op: 'reconcile', faults: active, replica: 'store' });
      this.markUp();
    } catch (error) {
      this.markDown(error instanceof Error ? error.message : String(error));
    }
  }

  private markUp(): void {
    clearInterval(this.healing);
    this.healing = undefined;
    if (this.up) return;
    this.up = true;
    this.since = this.timestamp();
    this.lastError = undefined;
    this.beat();
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS).unref();
    this.logger.info(
      { event: 'fault_sync_up', store: storeAddress(this.config.syncRedisUrl ?? ''), replica: this.replica },
      'fault propagation is up',
    );
  }

  private timestamp(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private markDown(reason: string): void {
    if (this.stopping) return;
    this.lastError = reason;
    // A stall leaves the connections open, so no 'ready' event will come: keep trying.
    this.healing ??= setInterval(() => void this.resync(), HEAL_INTERVAL_MS).unref();
    if (!this.up) return;
    this.up = false;
    this.since = this.timestamp();
    this.logger.warn(
      { event: 'fault_sync_down', store: storeAddress(this.config.syncRedisUrl ?? ''), error: reason },
      'fault propagation is down',
    );
  }
}
