// Fault targets of the cache system, from the nodes' own statuses: `store-leader` (the Raft node
// that leads the store), `cache-owner` (the live cache node owning the hottest key, k0, by the ring
// every process builds), `cache` (another live cache node), `store-follower`. Pure.
import type { NodeId, NodeStatus } from '../../nodes/host.js';
import type { TargetSets } from '../../faults/kind.js';
import { cacheNodesOf, cacheRing } from '../../nodes/cache/index.js';
import { cacheKey } from './client.js';

const HOT_KEY = cacheKey(0);

export function pickCacheTarget(name: string, statuses: Readonly<Record<NodeId, NodeStatus>>, live: readonly NodeId[]): NodeId | null {
  const nodes = Object.keys(statuses).sort();
  const stores = nodes.filter((id) => statuses[id]?.part === 'store' && live.includes(id));
  if (name === 'store-leader') return stores.find((id) => statuses[id]?.role === 'leader') ?? null;
  if (name === 'store-follower') return stores.find((id) => statuses[id]?.role !== 'leader') ?? null;
  const caches = cacheNodesOf(nodes);
  if (caches.length === 0) return null;
  const owner = cacheRing(nodes).owner(HOT_KEY);
  if (name === 'cache-owner') return live.includes(owner) ? owner : null;
  if (name === 'cache') return caches.find((id) => id !== owner && live.includes(id)) ?? null;
  return null;
}

export const cacheTargets: TargetSets = {
  names: ['store-leader', 'cache-owner', 'cache', 'store-follower'],
  pick(name, view, live) {
    const statuses: Record<NodeId, NodeStatus> = {};
    for (const id of view.nodes()) statuses[id] = view.status(id);
    return pickCacheTarget(name, statuses, live);
  },
};

/** Ready when the store has a leader and every cache node answered and is up. */
export function cacheReady(statuses: Readonly<Record<NodeId, NodeStatus>>): boolean {
  const all = Object.values(statuses);
  const storeLeads = all.some((status) => status.part === 'store' && status.role === 'leader' && status.down === undefined);
  const cachesUp = cacheNodesOf(Object.keys(statuses)).every((id) => statuses[id]?.down === undefined);
  return storeLeads && cachesUp;
}
