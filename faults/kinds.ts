// What each fault kind does when it starts and when it stops. A start returns its stop action, or
// null when the fault cannot apply now (its target is down, no leader exists, ...): a skipped fault
// is recorded, never an error, because drawn schedules cannot know the cluster's state ahead.
import type { Message, NodeId } from '../nodes/host.js';
import { NS_PER_MS } from '../nodes/host.js';
import type { AdminAction } from '../workloads/system.js';
import type { FaultEvent, FaultEventOf, FaultKind, TargetRole } from './events.js';
import { NO_DISK_FAULTS, NO_LINK_FAULTS, type DiskFaults, type LinkFaults, type NemesisWorld, type PartitionShape } from './world-port.js';

export type FaultFields = Record<string, string | number | boolean | null>;

/** One thing the nemesis did (or declined to do), in true time. */
export interface FaultRecord {
  timeNs: number;
  kind: FaultKind | 'heal';
  phase: 'start' | 'stop' | 'skip';
  fields: FaultFields;
}

/** State shared by all active faults, so overlapping faults combine instead of clobbering. */
export interface NemesisState {
  /** Token of the partition in force; a newer partition replaces an older one. */
  partitionToken: number;
  nextToken: number;
  /** Active link-fault contributions by token, combined field by field (largest wins). */
  link: Map<number, Partial<LinkFaults>>;
  crashed: Set<NodeId>;
  paused: Set<NodeId>;
  /** Active disk-fault contributions per node, by token. */
  disk: Map<NodeId, Map<number, Partial<DiskFaults>>>;
  drifting: Set<NodeId>;
  offset: Set<NodeId>;
  removedMembers: Set<NodeId>;
}

export function newNemesisState(): NemesisState {
  return {
    partitionToken: 0,
    nextToken: 1,
    link: new Map(),
    crashed: new Set(),
    paused: new Set(),
    disk: new Map(),
    drifting: new Set(),
    offset: new Set(),
    removedMembers: new Set(),
  };
}

export interface KindContext {
  world: NemesisWorld;
  state: NemesisState;
  /** The system's admin message for an action, or null when it has none. */
  admin(action: AdminAction): Message | null;
}

/** A started fault: what it hit and how to undo it. */
export interface Started {
  fields: FaultFields;
  stop(): void;
}

/** Why a fault did not start. */
export interface Skipped {
  skip: string;
}

type Start<K extends FaultKind> = (event: FaultEventOf<K>, context: KindContext) => Started | Skipped;

/** Processes that are up and not paused: the ones that can hold a role. */
function liveNodes(context: KindContext): NodeId[] {
  return context.world.nodes().filter((id) => context.world.process(id) !== null && !context.state.paused.has(id));
}

/** The node holding `role` now: for a leader the one with the highest term; ties by id order. */
export function nodeWithRole(context: KindContext, role: TargetRole): NodeId | null {
  let best: NodeId | null = null;
  let bestTerm = -1;
  for (const id of liveNodes(context)) {
    const status = context.world.status(id);
    if (status.role !== role || status.down !== undefined) continue;
    const term = status.term ?? 0;
    // Followers: the first in id order is as good as any and keeps the choice stable.
    if (role === 'follower' && best !== null) continue;
    if (term > bestTerm) {
      best = id;
      bestTerm = term;
    }
  }
  return best;
}

function resolveTarget(event: { node?: NodeId; role?: TargetRole }, context: KindContext): NodeId | Skipped {
  if (event.node !== undefined) {
    if (!context.world.nodes().includes(event.node)) return { skip: `node ${event.node} does not exist` };
    return event.node;
  }
  const role = event.role;
  if (role === undefined) throw new Error('fault event without node or role passed validation');
  const found = nodeWithRole(context, role);
  return found ?? { skip: `no live node has role ${role}` };
}

function isSkipped(value: unknown): value is Skipped {
  return typeof value === 'object' && value !== null && 'skip' in value;
}

function combinedLinkFaults(state: NemesisState): LinkFaults {
  const combined: LinkFaults = { ...NO_LINK_FAULTS };
  for (const part of state.link.values()) {
    for (const key of Object.keys(part) as (keyof LinkFaults)[]) {
      if (key === 'den') continue;
      combined[key] = Math.max(combined[key], part[key] ?? 0);
    }
  }
  return combined;
}

function combinedDiskFaults(state: NemesisState, node: NodeId): DiskFaults {
  const combined: DiskFaults = { ...NO_DISK_FAULTS };
  for (const part of state.disk.get(node)?.values() ?? []) {
    combined.corruptReads ||= part.corruptReads ?? false;
    combined.fsyncFail ||= part.fsyncFail ?? false;
    combined.full ||= part.full ?? false;
    combined.stallNs = Math.max(combined.stallNs, part.stallNs ?? 0);
  }
  return combined;
}

function startPartition(shape: PartitionShape, fields: FaultFields, context: KindContext): Started | Skipped {
  const nodes = context.world.nodes();
  const named: NodeId[] = [];
  if (shape.shape === 'isolate') named.push(shape.node);
  if (shape.shape === 'halves') named.push(...shape.side);
  if (shape.shape === 'bridge') named.push(...shape.left, ...shape.right, shape.bridge);
  if (shape.shape === 'ring') named.push(...shape.order);
  if (shape.shape === 'one-way') named.push(...shape.from, ...shape.to);
  const missing = named.find((id) => !nodes.includes(id));
  if (missing !== undefined) return { skip: `node ${missing} does not exist` };
  const token = context.state.nextToken++;
  context.state.partitionToken = token;
  context.world.partition(shape);
  return {
    fields,
    stop() {
      // A later partition replaced this one: healing now would also lift that one early.
      if (context.state.partitionToken !== token) return;
      context.state.partitionToken = 0;
      context.world.heal();
    },
  };
}

function startLink(part: Partial<LinkFaults>, fields: FaultFields, context: KindContext): Started {
  const token = context.state.nextToken++;
  context.state.link.set(token, part);
  context.world.setLinkFaults(combinedLinkFaults(context.state));
  return {
    fields,
    stop() {
      if (!context.state.link.delete(token)) return;
      context.world.setLinkFaults(combinedLinkFaults(context.state));
    },
  };
}

function startDisk(event: FaultEvent & { node?: NodeId; role?: TargetRole }, part: Partial<DiskFaults>, context: KindContext): Started | Skipped {
  const node = resolveTarget(event, context);
  if (isSkipped(node)) return node;
  const token = context.state.nextToken++;
  let parts = context.state.disk.get(node);
  if (parts === undefined) {
    parts = new Map();
    context.state.disk.set(node, parts);
  }
  parts.set(token, part);
  context.world.diskFault(node, combinedDiskFaults(context.state, node));
  return {
    fields: { node },
    stop() {
      const active = context.state.disk.get(node);
      if (active === undefined || !active.delete(token)) return;
      context.world.diskFault(node, combinedDiskFaults(context.state, node));
    },
  };
}

/** Sends an admin action to the current leader; skipped when the system or the leader is missing. */
function sendAdmin(action: AdminAction, context: KindContext): Skipped | NodeId {
  const message = context.admin(action);
  if (message === null) return { skip: 'the system has no admin message for this action' };
  const leader = nodeWithRole(context, 'leader');
  if (leader === null) return { skip: 'no leader to send the admin action to' };
  context.world.inject('admin', leader, message);
  return leader;
}

const NOTHING: Started['stop'] = () => {};

const PROBABILITY_DEN = NO_LINK_FAULTS.den;

function fraction(probability: number): number {
  return Math.round(probability * PROBABILITY_DEN);
}

export const KIND_STARTS: { [K in FaultKind]: Start<K> } = {
  'partition-isolate': (event, context) => {
    const node = resolveTarget(event, context);
    if (isSkipped(node)) return node;
    return startPartition({ shape: 'isolate', node }, { node }, context);
  },
  'partition-halves': (event, context) => startPartition({ shape: 'halves', side: event.side }, { side: event.side.join(',') }, context),
  'partition-bridge': (event, context) =>
    startPartition(
      { shape: 'bridge', left: event.left, right: event.right, bridge: event.bridge },
      { left: event.left.join(','), right: event.right.join(','), bridge: event.bridge },
      context,
    ),
  'partition-ring': (event, context) => startPartition({ shape: 'ring', order: event.order }, { order: event.order.join(',') }, context),
  'partition-one-way': (event, context) =>
    startPartition({ shape: 'one-way', from: event.from, to: event.to }, { from: event.from.join(','), to: event.to.join(',') }, context),
  drop: (event, context) => startLink({ dropNum: fraction(event.probability) }, { probability: event.probability }, context),
  dup: (event, context) => startLink({ dupNum: fraction(event.probability) }, { probability: event.probability }, context),
  reorder: (event, context) =>
    startLink(
      { reorderNum: fraction(event.probability), reorderDelayNsMax: event.delayMsMax * NS_PER_MS },
      { probability: event.probability, delayMsMax: event.delayMsMax },
      context,
    ),
  delay: (event, context) =>
    startLink(
      { delayNsMin: event.latencyMsMin * NS_PER_MS, delayNsMax: event.latencyMsMax * NS_PER_MS },
      { latencyMsMin: event.latencyMsMin, latencyMsMax: event.latencyMsMax },
      context,
    ),
  clog: (event, context) => {
    const nodes = context.world.nodes();
    if (!nodes.includes(event.from) || !nodes.includes(event.to)) return { skip: 'clogged link names a missing node' };
    // A clog releases itself at its end time; without a duration it lasts to the end of the safety
    // phase, when the heal lifts every clog by clogging each link until now.
    const untilNs = event.durationMs === undefined ? Number.MAX_SAFE_INTEGER : context.world.nowNs() + event.durationMs * NS_PER_MS;
    context.world.clog(event.from, event.to, untilNs);
    return {
      fields: { from: event.from, to: event.to },
      stop() {
        if (event.durationMs === undefined) context.world.clog(event.from, event.to, context.world.nowNs());
      },
    };
  },
  crash: (event, context) => {
    const node = resolveTarget(event, context);
    if (isSkipped(node)) return node;
    if (context.state.crashed.has(node) || context.world.process(node) === null) return { skip: `${node} is already down` };
    context.state.crashed.add(node);
    context.state.paused.delete(node);
    context.world.crash(node, event.mode);
    return {
      fields: { node, mode: event.mode },
      stop() {
        if (!context.state.crashed.delete(node)) return;
        context.world.restart(node);
      },
    };
  },
  pause: (event, context) => {
    const node = resolveTarget(event, context);
    if (isSkipped(node)) return node;
    if (context.state.paused.has(node) || context.state.crashed.has(node)) return { skip: `${node} is already paused or down` };
    context.state.paused.add(node);
    context.world.pause(node);
    return {
      fields: { node },
      stop() {
        if (!context.state.paused.delete(node)) return;
        context.world.resume(node);
      },
    };
  },
  'clock-offset': (event, context) => {
    const node = resolveTarget(event, context);
    if (isSkipped(node)) return node;
    context.state.offset.add(node);
    context.world.clockOffset(node, event.offsetMs * NS_PER_MS);
    return {
      fields: { node, offsetMs: event.offsetMs },
      stop() {
        if (!context.state.offset.delete(node)) return;
        context.world.clockOffset(node, 0);
      },
    };
  },
  'clock-drift': (event, context) => {
    const node = resolveTarget(event, context);
    if (isSkipped(node)) return node;
    context.state.drifting.add(node);
    context.world.clockDrift(node, event.ppm);
    return {
      fields: { node, ppm: event.ppm },
      stop() {
        if (!context.state.drifting.delete(node)) return;
        context.world.clockDrift(node, 0);
      },
    };
  },
  'clock-jump': (event, context) => {
    const node = resolveTarget(event, context);
    if (isSkipped(node)) return node;
    context.world.clockJump(node, event.jumpMs * NS_PER_MS);
    return { fields: { node, jumpMs: event.jumpMs }, stop: NOTHING };
  },
  'disk-corrupt': (event, context) => startDisk(event, { corruptReads: true }, context),
  'disk-fsync-fail': (event, context) => startDisk(event, { fsyncFail: true }, context),
  'disk-stall': (event, context) => startDisk(event, { stallNs: event.stallMs * NS_PER_MS }, context),
  'disk-full': (event, context) => startDisk(event, { full: true }, context),
  'member-remove': (event, context) => {
    if (!context.world.nodes().includes(event.node)) return { skip: `node ${event.node} does not exist` };
    if (context.state.removedMembers.has(event.node)) return { skip: `${event.node} is already removed` };
    const leader = sendAdmin({ kind: 'remove-member', node: event.node }, context);
    if (isSkipped(leader)) return leader;
    context.state.removedMembers.add(event.node);
    return {
      fields: { node: event.node, via: leader },
      stop() {
        if (!context.state.removedMembers.has(event.node)) return;
        const via = sendAdmin({ kind: 'add-member', node: event.node }, context);
        // Without a leader the member stays out; the heal at the end of the safety phase retries.
        if (!isSkipped(via)) context.state.removedMembers.delete(event.node);
      },
    };
  },
  'member-add': (event, context) => {
    if (context.admin({ kind: 'add-member', node: event.node }) === null) return { skip: 'the system has no admin message for this action' };
    if (!context.world.nodes().includes(event.node)) context.world.addNode(event.node);
    const leader = sendAdmin({ kind: 'add-member', node: event.node }, context);
    if (isSkipped(leader)) return leader;
    context.state.removedMembers.delete(event.node);
    return { fields: { node: event.node, via: leader }, stop: NOTHING };
  },
  'leader-transfer': (event, context) => {
    if (!context.world.nodes().includes(event.to)) return { skip: `node ${event.to} does not exist` };
    const leader = sendAdmin({ kind: 'transfer-leader', to: event.to }, context);
    if (isSkipped(leader)) return leader;
    return { fields: { to: event.to, via: leader }, stop: NOTHING };
  },
};

/** Starts one fault event. */
export function startFault(event: FaultEvent, context: KindContext): Started | Skipped {
  const start = KIND_STARTS[event.kind] as Start<FaultKind>;
  return start(event as never, context);
}

export { isSkipped };
