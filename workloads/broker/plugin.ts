// The `broker` system: the Kafka-like commit-log broker of nodes/broker/ (its controller on Raft,
// embedded), the queue workload in Jepsen's shape, the Jepsen Kafka checker and the white-box
// invariant monitor.
import { BROKER_PARAMS, brokerBugs, createBrokerNode } from '../../nodes/broker/index.js';
import type { NodeId, NodeStatus } from '../../nodes/host.js';
import type { TargetSets } from '../../faults/kind.js';
import { checkQueue } from '../../checkers/broker/queue.js';
import { checkGroups } from '../../checkers/broker/groups.js';
import type { SystemPlugin, Workload } from '../system.js';
import { QueueClient } from './client.js';
import { brokerMonitor } from './monitor.js';
import { queueOptionsSchema, type QueueOptions } from './options.js';

export const queueWorkload: Workload = {
  name: 'queue',
  description:
    "Jepsen's Kafka queue: integer keys (one partition each), sends of unique values, polls, assigns, and a final phase polling every key from the beginning; judged for lost-write, unseen, duplicate, inconsistent-offsets, poll-skip, nonmonotonic-poll and nonmonotonic-send (and the int- variants); with `subscribe`, a consumer group whose committed offsets must never move back",
  options: queueOptionsSchema,
  shrink: [{ field: 'keys', floor: 1, absentAs: BROKER_PARAMS.partitions, label: 'keys' }],
  client: (params, index) => (host) => new QueueClient(host, params, index, queueOptionsSchema.parse(params.options) as QueueOptions),
  check: (history) => [...checkQueue(history), checkGroups(history)],
};

/** `controller`: the broker whose embedded Raft leads; `leader` / `follower`: of partition 0. */
export const brokerTargets: TargetSets = {
  names: ['leader', 'controller', 'follower'],
  pick(name, view, live) {
    const statusOf = (id: NodeId): NodeStatus => view.status(id);
    if (name === 'controller') return live.find((id) => statusOf(id).controller === true) ?? null;
    if (name === 'leader') return live.find((id) => statusOf(id).p0 === 'leader') ?? null;
    if (name === 'follower') return live.find((id) => statusOf(id).p0 === 'follower') ?? null;
    return null;
  },
};

export const brokerSystem: SystemPlugin = {
  name: 'broker',
  description: 'Kafka-like commit-log broker: partitions replicated with ISR, high watermark, leader epochs and truncation by epoch, acks 0/1/all with min.insync.replicas, a KRaft-style controller on embedded Raft',
  node: createBrokerNode,
  nodes: { default: 5, min: 3, max: 9 },
  workloads: { queue: queueWorkload },
  defaultWorkload: 'queue',
  bugs: brokerBugs,
  params: BROKER_PARAMS,
  invariants: brokerMonitor,
  targets: brokerTargets,
  // Ready once a controller leads and partition 0 has a leader.
  ready: (statuses) => Object.values(statuses).some((status) => status.controller === true) && Object.values(statuses).some((status) => status.p0 === 'leader'),
};
