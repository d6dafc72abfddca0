// The part of a Redis client that FaultSync uses, and the injectable factory that makes one:
// node-redis in the app, an in-memory fake in the unit specs.
import type * as NodeRedis from 'redis';
import type { RedisClientOptions } from 'redis';

export interface SyncStoreMulti {
  hDel(key: string, field: string): SyncStoreMulti;
  del(key: string): SyncStoreMulti;
  publish(channel: string, message: string): SyncStoreMulti;
  exec(): Promise<unknown[]>;
}

export interface SyncStoreClient {
  readonly isReady: boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end' | 'ready', listener: () => void): unknown;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  destroy(): void;
  hDel(key: string, fields: string | string[]): Promise<number>;
  hSet(key: string, field: string, value: string): Promise<number>;
  hGetAll(key: string): Promise<Record<string, string>>;
  /** Unix seconds and microseconds, as Redis TIME answers. */
  time(): Promise<readonly string[]>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  multi(): SyncStoreMulti;
}

export type SyncStoreClientOptions = Pick<RedisClientOptions, 'url' | 'password' | 'disableOfflineQueue' | 'socket'>;

/** Makes one connection's client (not connected yet); FaultSync makes two, commands and subscriber. */
export type SyncStoreClientFactory = (options: SyncStoreClientOptions) => SyncStoreClient;

/** Injection token of the SyncStoreClientFactory. */
export const SYNC_STORE_CLIENT_FACTORY = Symbol('SYNC_STORE_CLIENT_FACTORY');

// Required when the first client is made, not imported: an app without CHAOS_SYNC_REDIS_URL
// makes none, and node-redis weighs about 5 MB of resident memory.
export const redisClientFactory: SyncStoreClientFactory = (options) =>
  (require('redis') as typeof NodeRedis).createClient(options);
