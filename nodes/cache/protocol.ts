// The cache's wire protocol. Clients ask the owner of a key (by the ring of the epoch they send)
// for its value, and after a store write tell the owner to install the new version (write-through)
// or to drop older ones (write-around); the store side relays every write it acknowledges as a
// versioned invalidation. Values are the store's numbers and every value is its own version
// (writers write increasing values per key), so "newer" is just "larger"; absent is version 0.
// Everything here is plain JSON.
import type { NodeId } from '../host.js';

/** Client -> owner: the value of `key`. */
export interface CacheGet {
  type: 'cache.get';
  /** Per sender, increasing: the reply echoes it. */
  rid: number;
  key: string;
  epoch: number;
}

/**
 * `miss`: not cached and no load in flight: the caller holds the key's lease (`lease`), reads the
 * store itself and sends `cache.fill` with it. Callers that miss while a lease is out wait at the
 * owner and are answered with the fill (one load per key per miss window).
 */
export type CacheOutcome = 'ok' | 'miss' | 'error' | 'wrong-epoch' | 'not-owner';

/** Owner -> client. */
export interface CacheGot {
  type: 'cache.got';
  rid: number;
  outcome: CacheOutcome;
  value?: number | null;
  /** Served from memory (true) or loaded from the store for this request (false). */
  hit?: boolean;
  /** With `miss`: the lease token the fill must carry. */
  lease?: string;
  /** The key is hot: these nodes hold copies too, and a client may read from any of them. */
  replicas?: NodeId[];
  /** The fill that served it, for the viewer. */
  fill?: string;
  error?: string;
  /** With `wrong-epoch`: the epoch the node is in. */
  epoch?: number;
}

/** Lease holder -> owner: what the store returned for `key` (fire and forget). */
export interface CacheFill {
  type: 'cache.fill';
  key: string;
  lease: string;
  value: number | null;
}

/** How a write reaches the cache after the store committed it. */
export type WriteMode = 'set' | 'delete';

/** Client -> owner, after the store acknowledged the write of `version` to `key`. */
export interface CacheWrite {
  type: 'cache.write';
  rid: number;
  key: string;
  version: number;
  mode: WriteMode;
  epoch: number;
}

export interface CacheAck {
  type: 'cache.ack';
  rid: number;
  outcome: CacheOutcome;
  error?: string;
  epoch?: number;
}

/** Store node -> every cache node: the store acknowledged `key` = `version` (best effort, unacknowledged). */
export interface CacheInvalidate {
  type: 'cache.inval';
  key: string;
  version: number;
}

/** Owner -> a hot key's replica: a copy of the owner's entry. */
export interface CacheReplica {
  type: 'cache.replica';
  key: string;
  value: number | null;
  version: number;
}

/** Owner -> replica: `version` of `key` was written; drop older copies and refuse them from now on. */
export interface CacheReplicaInvalidate {
  type: 'cache.replica-inval';
  key: string;
  version: number;
  /** Echoed by the acknowledgement; 0 asks for none. */
  rid: number;
}

/** A restarted owner -> every other cache node: drop every copy of my keys (I no longer know my hot set). */
export interface CacheReset {
  type: 'cache.reset';
  rid: number;
}

/** Replica -> owner: the invalidation or reset `rid` is done. */
export interface CachePeerAck {
  type: 'cache.peer-ack';
  rid: number;
}

export type CacheMessage = CacheGet | CacheGot | CacheFill | CacheWrite | CacheAck | CacheInvalidate | CacheReplica | CacheReplicaInvalidate | CacheReset | CachePeerAck;

/** Keys are short strings: a longer one is a malformed request. */
export const KEY_LENGTH_MAX = 128;

function isKey(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= KEY_LENGTH_MAX;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The message as a cache request a node serves, or null. Nothing about a message off the wire is assumed. */
export type CacheRequest = Exclude<CacheMessage, CacheGot | CacheAck>;

export function asCacheRequest(message: unknown): CacheRequest | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type === 'cache.get') return isCount(m.rid) && isKey(m.key) && isCount(m.epoch) ? (m as unknown as CacheGet) : null;
  if (m.type === 'cache.write') {
    const ok = isCount(m.rid) && isKey(m.key) && isCount(m.version) && isCount(m.epoch) && (m.mode === 'set' || m.mode === 'delete');
    return ok ? (m as unknown as CacheWrite) : null;
  }
  if (m.type === 'cache.fill') {
    const ok = isKey(m.key) && typeof m.lease === 'string' && m.lease.length <= 64 && (m.value === null || isCount(m.value));
    return ok ? (m as unknown as CacheFill) : null;
  }
  if (m.type === 'cache.inval') return isKey(m.key) && isCount(m.version) ? (m as unknown as CacheInvalidate) : null;
  if (m.type === 'cache.replica') return isKey(m.key) && isCount(m.version) && (m.value === null || isCount(m.value)) ? (m as unknown as CacheReplica) : null;
  if (m.type === 'cache.replica-inval') return isKey(m.key) && isCount(m.version) && isCount(m.rid) ? (m as unknown as CacheReplicaInvalidate) : null;
  if (m.type === 'cache.reset') return isCount(m.rid) ? (m as unknown as CacheReset) : null;
  if (m.type === 'cache.peer-ack') return isCount(m.rid) ? (m as unknown as CachePeerAck) : null;
  return null;
}

const OUTCOMES: readonly string[] = ['ok', 'miss', 'error', 'wrong-epoch', 'not-owner'];

/** The message as a reply a client reads, or null. */
export function asCacheReply(message: unknown): CacheGot | CacheAck | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type !== 'cache.got' && m.type !== 'cache.ack') return null;
  if (!isCount(m.rid) || typeof m.outcome !== 'string' || !OUTCOMES.includes(m.outcome)) return null;
  if (m.value !== undefined && m.value !== null && !isCount(m.value)) return null;
  if (m.outcome === 'miss' && typeof m.lease !== 'string') return null;
  if (m.replicas !== undefined && !(Array.isArray(m.replicas) && m.replicas.length <= 16 && m.replicas.every((id) => typeof id === 'string'))) return null;
  return m as unknown as CacheGot | CacheAck;
}

/** Which nodes of a cluster are the store and which the cache: the first three ids run Raft. */
export const STORE_NODES: readonly NodeId[] = ['n1', 'n2', 'n3'];

export function isStoreNode(id: NodeId): boolean {
  return STORE_NODES.includes(id);
}

/** The cache nodes among `nodes`, sorted. */
export function cacheNodesOf(nodes: readonly NodeId[]): NodeId[] {
  return nodes.filter((id) => !isStoreNode(id)).sort();
}
