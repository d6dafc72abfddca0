// What the fault engine tells the other replicas, and what it reports about that link.
// Without CHAOS_SYNC_REDIS_URL there is no propagator: the engine is this process only.
import { MAX_TTL_SECONDS, type Fault, type FaultReplica } from '../../../chaos/contract/faults';

/** Shown in `GET /admin/faults` as `propagation` when faults are shared between replicas. */
export interface PropagationStatus {
  mode: 'redis';
  status: 'up' | 'down';
  /** host:port of the store, never its password. */
  store: string;
  /** This replica's name in the messages it publishes. */
  replica: string;
  /** When the status last changed (ISO 8601). */
  since: string;
  /** Why it is down, when it is. */
  error?: string;
  /** What a change made while down does (and what the admin API answers). */
  note?: string;
}

/**
 * What reaches this replica from the others: one change another replica made, or after each
 * (re)connection the store's whole set, which is the truth (`reconcile`).
 */
export type RemoteChange =
  | { op: 'add'; fault: Fault; replica: string }
  | { op: 'remove'; id: string; replica: string }
  | { op: 'clear'; replica: string }
  | { op: 'reconcile'; faults: readonly Fault[]; replica: string };

/** Injection token of the engine's FaultPropagator: FaultSync with CHAOS_SYNC_REDIS_URL, else null. */
export const FAULT_PROPAGATOR = Symbol('FAULT_PROPAGATOR');

/**
 * Propagation as the engine sees it. Each outbound call resolves once the store holds the
 * change and the other replicas have been told; it rejects (ServiceUnavailable) when the store
 * cannot be reached, after remembering removals so they reach the store once it is back. The
 * inbound side is an event: the engine subscribes, so neither holds a reference to the other.
 */
export interface FaultPropagator {
  status(): PropagationStatus;
  /** Throws ServiceUnavailable when the store is down (checked before a fault is added). */
  assertUp(): void;
  added(fault: Fault): Promise<void>;
  /** Whether the store had this fault. */
  removed(id: string): Promise<boolean>;
  cleared(): Promise<void>;
  /** A fault ran out on this replica: drop it from the store too (best effort, every replica does it). */
  expired(id: string): void;
  /** This replica, as the registry of live replicas names it. */
  readonly self: FaultReplica;
  /** The replicas whose heartbeat in the store is recent, this one included; sorted by name. */
  liveReplicas(): Promise<FaultReplica[]>;
  /**
   * Calls `listener` with every RemoteChange, synchronously where it arrives (a listener that
   * throws fails that delivery, as a direct call would); returns the unsubscribe.
   */
  onRemoteChange(listener: (change: RemoteChange) => void): () => void;
}

/** A replica counts as live this long after its last heartbeat. */
export const REPLICA_LIVE_MS = 3_000;

/** The registry's entries that are live at `now` (heartbeat JSON `{ instance, seenAt }` by replica name). */
export function liveFromRegistry(entries: Record<string, string>, now: number): FaultReplica[] {
  const live: FaultReplica[] = [];
  for (const [replica, text] of Object.entries(entries)) {
    try {
      const { instance, seenAt } = JSON.parse(text) as { instance?: unknown; seenAt?: unknown };
      if (typeof instance === 'string' && typeof seenAt === 'number' && now - seenAt < REPLICA_LIVE_MS)
        live.push({ replica, instance });
    } catch {
      // not one of ours
    }
  }
  return live.sort((a, b) => a.replica.localeCompare(b.replica));
}

/** Does `fault` act on `replica`? Every fault without a blast radius acts everywhere. */
export function actsOn(fault: Pick<Fault, 'actsOn'>, replica: string | undefined): boolean {
  return !fault.actsOn || (replica !== undefined && fault.actsOn.some((r) => r.replica === replica));
}

/** `count` of `live`, drawn at random: where a fault with a blast radius acts. */
export function chooseReplicas(live: readonly FaultReplica[], count: number, random: () => number): FaultReplica[] {
  const pool = [...live];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count).sort((a, b) => a.replica.localeCompare(b.replica));
}

/** Messages on the pub/sub channel; `from` is the publishing replica, which ignores its own. */
export type SyncMessage =
  | { op: 'add'; from: string; fault: Fault }
  | { op: 'remove'; from: string; id: string }
  | { op: 'clear'; from: string };

/** Parses one channel message; undefined for anything that is not one of ours. */
export function parseSyncMessage(text: string): SyncMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (typeof message.from !== 'string') return undefined;
  if (message.op === 'clear') return { op: 'clear', from: message.from };
  if (message.op === 'remove' && typeof message.id === 'string')
    return { op: 'remove', from: message.from, id: message.id };
  if (message.op === 'add' && isFault(message.fault)) return { op: 'add', from: message.from, fault: message.fault };
  return undefined;
}

/** Enough of a Fault to trust a stored or published one: an id, a type, a start, a TTL and an end. */
export function isFault(value: unknown): value is Fault {
  if (typeof value !== 'object' || value === null) return false;
  const fault = value as Record<string, unknown>;
  return (
    typeof fault.id === 'string' &&
    typeof fault.type === 'string' &&
    typeof fault.createdAt === 'string' &&
    Number.isFinite(Date.parse(fault.createdAt)) &&
    typeof fault.ttlSeconds === 'number' &&
    Number.isFinite(fault.ttlSeconds) &&
    typeof fault.expiresAt === 'string' &&
    Number.isFinite(Date.parse(fault.expiresAt))
  );
}

/**
 * When a fault from the store ends here (epoch ms): at its `expiresAt`, but never after
 * `createdAt + ttlSeconds` (ttlSeconds at most MAX_TTL_SECONDS), nor more than that TTL after
 * `now`, so a wrong `expiresAt` or `createdAt` in the store cannot keep a fault alive for long.
 */
export function storedFaultEndMs(fault: Pick<Fault, 'createdAt' | 'expiresAt' | 'ttlSeconds'>, now: number): number {
  const ttlMs = Math.min(fault.ttlSeconds, MAX_TTL_SECONDS) * 1000;
  return Math.min(Date.parse(fault.expiresAt), Date.parse(fault.createdAt) + ttlMs, now + ttlMs);
}
