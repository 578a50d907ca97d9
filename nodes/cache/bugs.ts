// The planted bugs of the cache. Each, named by `--bug`, switches a real change at the point where
// the correct code decides; all are off otherwise. The shape matches PlantedBug of
// workloads/system.ts, declared here because nodes/ may not import workloads/.
import type { Host } from '../host.js';

export interface CachePlantedBug {
  name: string;
  description: string;
}

export const cacheBugs: readonly CachePlantedBug[] = [
  { name: 'cache.stale-set-race', description: 'no lease check: a fill whose lease a write revoked still installs what its holder read, so a value older than an acknowledged write is cached' },
  { name: 'cache.unversioned-invalidation', description: 'sets, relayed invalidations and hot-key copies replace the entry without comparing versions, so a delayed or duplicated older one overwrites a newer value' },
  { name: 'cache.coalesce-across-write', description: 'a miss waits on the key\'s lease even when a write revoked it since, and is answered with the older value its holder read' },
  { name: 'cache.no-coalescing', description: 'every miss gets a lease of its own and goes to the store: a stampede of origin loads on one key when a hot entry expires' },
  { name: 'cache.ttl-wall-clock', description: 'TTL is judged by the wall clock instead of the monotonic one, so a clock stepped back keeps entries alive past their TTL' },
  { name: 'cache.hot-replica-not-invalidated', description: "a hot key's owner acknowledges a write (and takes the store's invalidation) without invalidating the key's replicas, which keep serving the old copy" },
  { name: 'cache.evict-accounting', description: 'replacing an entry subtracts the old entry\'s size from the byte total but never adds the new one\'s, so the cache holds more bytes than its capacity' },
];

export interface CacheBugSwitches {
  staleSetRace: boolean;
  unversionedInvalidation: boolean;
  coalesceAcrossWrite: boolean;
  noCoalescing: boolean;
  ttlWallClock: boolean;
  evictAccounting: boolean;
  hotReplicaNotInvalidated: boolean;
}

export function bugsFromHost(host: Pick<Host, 'bug'>): CacheBugSwitches {
  return {
    staleSetRace: host.bug('cache.stale-set-race'),
    unversionedInvalidation: host.bug('cache.unversioned-invalidation'),
    coalesceAcrossWrite: host.bug('cache.coalesce-across-write'),
    noCoalescing: host.bug('cache.no-coalescing'),
    ttlWallClock: host.bug('cache.ttl-wall-clock'),
    evictAccounting: host.bug('cache.evict-accounting'),
    hotReplicaNotInvalidated: host.bug('cache.hot-replica-not-invalidated'),
  };
}
