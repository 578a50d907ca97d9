// Fault targets of this system, for the plugin contract of issue 11 (plugin-defined target sets):
// from the cluster's node statuses, "the replicas of key K" (its preference list on the ring every
// node builds from the same membership) and "the coordinator" (the first of them that is up: where
// a node that is not a replica forwards the key's writes). Pure: the lead wires it where targets
// are resolved.
import type { NodeId, NodeStatus } from '../../nodes/host.js';
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
