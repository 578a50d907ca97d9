// The cache system's public surface: the node factory that chooses by host id (the store's ids run
// the Raft KV behind the relay host, the rest run the cache node), the bug catalogue, the protocol,
// the ring, the entry store and eviction policies, and the parameters checkers use.
import type { Host, Process } from '../host.js';
import { CacheNode, type CacheNodeOptions } from './node.js';
import { isStoreNode } from './protocol.js';
import { StoreNode } from './store-host.js';

export { CacheNode, CACHE_NODE_DEFAULTS, CACHE_PARAMS, RING_EPOCH, cacheRing, type CacheInspection, type CacheNodeOptions } from './node.js';
export { StoreNode, RELAY_PENDING_MAX } from './store-host.js';
export { cacheBugs, type CachePlantedBug } from './bugs.js';
export { CacheRing, hash32, movedFraction, VNODES_PER_WEIGHT, type RingConfig, type RingMember } from './ring.js';
export { EntryStore, entrySizeBytes, ENTRY_OVERHEAD_BYTES, type CacheEntry } from './entries.js';
export { LruPolicy, type EvictionPolicy } from './policy.js';
export { LfuPolicy } from './lfu.js';
export { S3FifoPolicy } from './s3fifo.js';
export * from './protocol.js';

/** n1..n3 run the store (Raft), every other id a cache node. */
export function createCacheSystemNode(host: Host): Process {
  return isStoreNode(host.id) ? new StoreNode(host) : new CacheNode(host);
}

/** The same with cache node options (capacity, TTL, policy), for tests and benchmarks. */
export function cacheSystemNodeFactory(options: Partial<CacheNodeOptions>): (host: Host) => Process {
  return (host) => (isStoreNode(host.id) ? new StoreNode(host) : new CacheNode(host, options));
}
