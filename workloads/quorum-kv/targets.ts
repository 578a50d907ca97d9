// Fault targets of this system (its own target sets, workloads/system.ts `targets`):
// from the cluster's node statuses, "the replicas of key K" (its preference list on the ring every
// node builds from the same membership) and "the coordinator" (the first of them that is up: where
// a node that is not a replica forwards the key's writes). Pure.
import type { NodeId, NodeStatus } from '../../nodes/host.js';
import type { TargetSets } from '../../faults/kind.js';
import { QUORUM_KV_DEFAULTS, Ring } from '../../nodes/quorum-kv/index.js';

export interface KeyTargets {
  replicas: NodeId[];
  /** Null when every replica is down. */
  coordinator: NodeId | null;
}

export function replicaTargets(statuses: Readonly<Record<NodeId, NodeStatus>>, key: string): KeyTargets {
  const nodes = Object.keys(statuses).sort();
  if (nodes.length === 0) return { replicas: [], coordinator: null };
  const ring = new Ring({ epoch: 1, members: nodes.map((node) => ({ node, weight: 1 })), vnodesPerWeight: QUORUM_KV_DEFAULTS.vnodesPerWeight });
  const replicas = ring.preferenceList(key, QUORUM_KV_DEFAULTS.replicas);
  return { replicas, coordinator: replicas.find((node) => statuses[node]?.down === undefined) ?? null };
}

/** The key the named targets are about: every key workload touches `k0`. */
const TARGET_KEY = 'k0';

/**
 * `coordinator`: the live node that coordinates `k0`'s writes (its first live replica);
 * `replica`: another live replica of `k0`, the one a quorum can do without; `bystander`: a live
 * node that holds no copy of `k0` (it only forwards), when the cluster is larger than N.
 */
export const quorumKvTargets: TargetSets = {
  names: ['coordinator', 'replica', 'bystander'],
  pick(name, view, live) {
    const statuses: Record<NodeId, NodeStatus> = {};
    for (const id of view.nodes()) statuses[id] = view.status(id);
    const { replicas } = replicaTargets(statuses, TARGET_KEY);
    const liveReplicas = replicas.filter((id) => live.includes(id));
    if (name === 'coordinator') return liveReplicas[0] ?? null;
    if (name === 'replica') return liveReplicas[1] ?? null;
    if (name === 'bystander') return live.find((id) => !replicas.includes(id)) ?? null;
    return null;
  },
};
