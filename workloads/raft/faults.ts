// Raft's words for the nemesis: its target sets (the current leader, a follower) and its own fault
// kinds (membership changes and leadership transfer, sent as admin messages to the leader). Shared
// code only sees target names and kind objects; what "leader" means lives here.
import { z } from 'zod';
import { NS_PER_MS, type Message, type NodeId, type NodeStatus } from '../../nodes/host.js';
import { eventSchema } from '../../faults/kernel-kinds.js';
import type { FaultKindSpec, KindContext, Skipped, TargetSets } from '../../faults/kind.js';
import { isSkipped } from '../../faults/kind.js';

/** Operations the nemesis asks of the cluster itself, not of the kernel. */
export type AdminAction =
  | { kind: 'add-member'; node: NodeId }
  | { kind: 'remove-member'; node: NodeId }
  | { kind: 'transfer-leader'; to: NodeId };

/** The admin message the node understands (nodes/raft/node.ts). */
export function adminMessage(action: AdminAction): Message {
  return { type: 'raft.admin', action };
}

function term(status: NodeStatus): number {
  return typeof status.term === 'number' ? status.term : 0;
}

/**
 * `leader`: the live node that says it leads, with the highest term (a deposed leader that has
 * not heard of the new term yet still says it leads); ties by id order. `follower`: the first live
 * follower in id order, as good as any and stable.
 */
export const raftTargets: TargetSets = {
  names: ['leader', 'follower'],
  pick(name, view, live) {
    let best: NodeId | null = null;
    let bestTerm = -1;
    for (const id of live) {
      const status = view.status(id);
      if (status.role !== name) continue;
      if (name === 'follower') return id;
      if (term(status) > bestTerm) {
        best = id;
        bestTerm = term(status);
      }
    }
    return best;
  },
};

/** Members removed and not yet added back, shared by the membership kinds of one run. */
function removedMembers(context: KindContext): Set<NodeId> {
  return context.state('raft.removed-members', () => new Set<NodeId>());
}

/** Every node a member-remove took out in this run, with when: the heal checks each is back. */
function everRemoved(context: KindContext): Map<NodeId, number> {
  return context.state('raft.ever-removed', () => new Map<NodeId, number>());
}

/** Spare nodes a member-add started: members only once their add commits (which may never happen). */
function sparesStarted(context: KindContext): Set<NodeId> {
  return context.state('raft.spares-started', () => new Set<NodeId>());
}

/**
 * A removal sent this recently before the heal may still be on its way to the leader (or not yet
 * committed), whatever the leader's configuration says at the heal: the node counts as outside.
 */
const REMOVAL_IN_FLIGHT_NS = 1_000 * NS_PER_MS;

/** The members (voters, old and new during a joint change) the node `id` reports, or null. */
function membersSeenBy(id: NodeId, context: KindContext): Set<NodeId> | null {
  const status = context.world.status(id);
  if (typeof status.voters !== 'string') return null;
  const outgoing = typeof status.outgoing === 'string' && status.outgoing !== '' ? status.outgoing.split(',') : [];
  return new Set([...status.voters.split(','), ...outgoing]);
}

/** Sends an admin action to the current leader; skipped without a leader. */
function sendToLeader(action: AdminAction, context: KindContext): NodeId | Skipped {
  const leader = context.pick('leader');
  if (leader === null) return { skip: 'no leader to send the admin action to' };
  context.world.inject('admin', leader, adminMessage(action));
  return leader;
}

const nodeId = z.string().min(1).max(64);
const removeSchema = eventSchema('member-remove', { node: nodeId });
const addSchema = eventSchema('member-add', { node: nodeId });
const transferSchema = eventSchema('leader-transfer', { to: nodeId });

/** A configuration bug needs two changes close together: membership kinds weigh three. */
const MEMBERSHIP_WEIGHT = 3;

const memberRemove: FaultKindSpec<z.infer<typeof removeSchema>> = {
  name: 'member-remove',
  description: 'remove a member through the leader (joint consensus); added back at the stop',
  groups: ['membership', 'admin'],
  schema: removeSchema,
  instant: false,
  targeted: false,
  weight: MEMBERSHIP_WEIGHT,
  nodesMin: 1,
  named: (event) => [event.node],
  draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'member-remove', node: random.pick(context.nodes) }),
  start(event, context) {
    if (!context.world.nodes().includes(event.node)) return { skip: `node ${event.node} does not exist` };
    const removed = removedMembers(context);
    if (removed.has(event.node)) return { skip: `${event.node} is already removed` };
    const leader = sendToLeader({ kind: 'remove-member', node: event.node }, context);
    if (isSkipped(leader)) return leader;
    removed.add(event.node);
    everRemoved(context).set(event.node, context.world.nowNs());
    return {
      fields: { node: event.node, via: leader },
      touched: [event.node],
      // The re-add may be lost, refused, or overtaken by the removal itself (admin messages cross the
      // network like any other): the node is not counted on again before the heal.
      lingers: true,
      stop() {
        if (!removed.has(event.node)) return;
        const via = sendToLeader({ kind: 'add-member', node: event.node }, context);
        // Without a leader the member stays out; the heal at the end of the safety phase retries.
        if (!isSkipped(via)) removed.delete(event.node);
      },
    };
  },
  heal(context) {
    // A re-add sent at a stop can be lost on the network, refused (another change in flight), or
    // overtaken by the removal it undoes, so ask the leader which members it has rather than trust
    // the bookkeeping. Outside: a node taken out that the leader does not list, or whose removal
    // may still be in flight; each is added again now, and reported so the liveness phase does not
    // count on it. With no leader to ask, every node ever taken out is reported. A spare node that
    // was started but that the leader does not list (its add was lost) is outside too.
    const removed = removedMembers(context);
    const leader = context.pick('leader');
    const members = leader === null ? null : membersSeenBy(leader, context);
    const nowNs = context.world.nowNs();
    const outside: NodeId[] = [];
    for (const [node, removedAtNs] of [...everRemoved(context)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!context.world.nodes().includes(node)) continue;
      const inFlight = removed.has(node) || nowNs - removedAtNs < REMOVAL_IN_FLIGHT_NS;
      if (members !== null && members.has(node) && !inFlight) continue;
      outside.push(node);
      if (!isSkipped(sendToLeader({ kind: 'add-member', node }, context))) removed.delete(node);
    }
    for (const node of sparesStarted(context)) {
      if (everRemoved(context).has(node) || (members !== null && members.has(node))) continue;
      outside.push(node);
    }
    return outside.sort();
  },
};

const memberAdd: FaultKindSpec<z.infer<typeof addSchema>> = {
  name: 'member-add',
  description: 'start a spare node and add it through the leader',
  groups: ['membership', 'admin'],
  schema: addSchema,
  instant: true,
  targeted: false,
  weight: MEMBERSHIP_WEIGHT,
  nodesMin: 1,
  // The added id is a spare one: the scenario check allows spare ids for every kind.
  named: (event) => [event.node],
  draw: (random, atMs, _durationMs, context) => (context.spareNodes.length === 0 ? null : { atMs, kind: 'member-add', node: random.pick(context.spareNodes) }),
  start(event, context) {
    if (!context.world.nodes().includes(event.node)) {
      context.world.addNode(event.node);
      sparesStarted(context).add(event.node);
    }
    const leader = sendToLeader({ kind: 'add-member', node: event.node }, context);
    if (isSkipped(leader)) return leader;
    removedMembers(context).delete(event.node);
    // A configuration change reaches every member: no node counts as surely untouched at its instant.
    return { fields: { node: event.node, via: leader }, touched: 'all', stop: () => {} };
  },
};

const leaderTransfer: FaultKindSpec<z.infer<typeof transferSchema>> = {
  name: 'leader-transfer',
  description: 'ask the leader to hand leadership to `to`',
  groups: ['admin'],
  schema: transferSchema,
  instant: true,
  targeted: false,
  weight: 2,
  nodesMin: 2,
  named: (event) => [event.to],
  draw: (random, atMs, _durationMs, context) => ({ atMs, kind: 'leader-transfer', to: random.pick(context.nodes) }),
  start(event, context) {
    if (!context.world.nodes().includes(event.to)) return { skip: `node ${event.to} does not exist` };
    const leader = sendToLeader({ kind: 'transfer-leader', to: event.to }, context);
    if (isSkipped(leader)) return leader;
    return { fields: { to: event.to, via: leader }, touched: 'all', stop: () => {} };
  },
};

/** Raft's own fault kinds, after the kernel's in every list. */
export const raftFaultKinds = [memberRemove, memberAdd, leaderTransfer] as const;
