// The planted bugs of the cache. Each, named by `--bug`, switches a real change at the point where
// the correct code decides; all are off otherwise. The shape matches PlantedBug of
// workloads/system.ts, declared here because nodes/ may not import workloads/.
import type { Host } from '../host.js';

export interface CachePlantedBug {
  name: string;
  description: string;
}

export const cacheBugs: readonly CachePlantedBug[] = [
  { name: 'cache.stale-set-race', description: 'no lease: a load that started before an invalidation still installs what it read, so a value older than an acknowledged write is cached' },
  { name: 'cache.unversioned-invalidation', description: 'sets and relayed invalidations replace the entry without comparing versions, so a delayed or duplicated older one overwrites a newer value' },
  { name: 'cache.coalesce-across-write', description: 'a miss joins the key\'s load in flight even when a write was acknowledged since that load started, and is answered with the older value' },
  { name: 'cache.no-coalescing', description: 'every miss starts its own store load: a stampede of origin loads on one key when a hot entry expires' },
  { name: 'cache.ttl-wall-clock', description: 'TTL is judged by the wall clock instead of the monotonic one, so a clock stepped back keeps entries alive past their TTL' },
  { name: 'cache.evict-accounting', description: 'replacing an entry keeps the old entry\'s size in the byte total, so a grown value goes uncounted and the cache holds more bytes than its capacity' },
];

export interface CacheBugSwitches {
  staleSetRace: boolean;
  unversionedInvalidation: boolean;
  coalesceAcrossWrite: boolean;
  noCoalescing: boolean;
  ttlWallClock: boolean;
  evictAccounting: boolean;
}

export function bugsFromHost(host: Pick<Host, 'bug'>): CacheBugSwitches {
  return {
    staleSetRace: host.bug('cache.stale-set-race'),
    unversionedInvalidation: host.bug('cache.unversioned-invalidation'),
    coalesceAcrossWrite: host.bug('cache.coalesce-across-write'),
    noCoalescing: host.bug('cache.no-coalescing'),
    ttlWallClock: host.bug('cache.ttl-wall-clock'),
    evictAccounting: host.bug('cache.evict-accounting'),
  };
}
