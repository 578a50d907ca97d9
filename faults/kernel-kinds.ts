// The kernel's fault kinds, one object each (faults/kind.ts): partitions of every shape, link
// faults, process faults, clock faults and disk faults. None of them knows a system: a targeted
// kind aims at a node id or at a target set the system names, resolved when the fault starts.
import { z } from 'zod';
import { NS_PER_MS, type NodeId, type Random } from '../nodes/host.js';
import type { AnyFaultKind, DrawContext, FaultEvent, FaultKindSpec, KindContext, Skipped, Started, Touched } from './kind.js';
import { isSkipped } from './kind.js';
import { NO_DISK_FAULTS, NO_LINK_FAULTS, type DiskFaults, type LinkFaults, type PartitionShape } from './world-port.js';

const nodeId = z.string().min(1).max(64);
const atMs = z.number().int().nonnegative().max(86_400_000);
/** Absent: the fault lasts until the safety phase ends (instant kinds ignore it). */
const durationMs = z.number().int().positive().max(86_400_000).optional();
const probability = z.number().min(0).max(1);
const nodeList = z.array(nodeId).min(1).max(64);
const roleName = z.string().min(1).max(64);
const diskMode = z.enum(['lose', 'tear']);

/** The strict schema of one kind's event: the common fields and its own. */
export function eventSchema<K extends string, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.object({ atMs, kind: z.literal(kind), durationMs, ...shape }).strict();
}

/** Targeted kinds carry exactly one of `node` and `role`. */
function targetedSchema<K extends string, S extends z.ZodRawShape>(kind: K, shape: S) {
  return eventSchema(kind, { node: nodeId.optional(), role: roleName.optional(), ...shape }).refine(
    (event) => ((event as { node?: unknown }).node === undefined) !== ((event as { role?: unknown }).role === undefined),
    { path: ['node'], message: 'give exactly one of "node" (a node id) or "role" (a target set of the system)' },
  );
}

/** State the kernel kinds share within one run. */
interface KernelState {
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
}

const KERNEL = 'kernel';

export function kernelState(context: KindContext): KernelState {
  return context.state<KernelState>(KERNEL, () => ({
    partitionToken: 0,
    nextToken: 1,
    link: new Map(),
    crashed: new Set(),
    paused: new Set(),
    disk: new Map(),
    drifting: new Set(),
    offset: new Set(),
  }));
}

/** Processes that are up, not paused and not refusing to serve: the ones that can stand for a target. */
export function liveNodes(context: Pick<KindContext, 'world'>, paused: ReadonlySet<NodeId>): NodeId[] {
  const world = context.world;
  return world.nodes().filter((id) => world.process(id) !== null && !paused.has(id) && world.status(id).down === undefined);
}

function combinedLinkFaults(state: KernelState): LinkFaults {
  const combined: LinkFaults = { ...NO_LINK_FAULTS };
  for (const part of state.link.values()) {
    for (const key of Object.keys(part) as (keyof LinkFaults)[]) {
      if (key === 'den') continue;
      combined[key] = Math.max(combined[key], part[key] ?? 0);
    }
  }
  return combined;
}

function combinedDiskFaults(state: KernelState, node: NodeId): DiskFaults {
  const combined: DiskFaults = { ...NO_DISK_FAULTS };
  for (const part of state.disk.get(node)?.values() ?? []) {
    combined.corruptReads ||= part.corruptReads ?? false;
    combined.fsyncFail ||= part.fsyncFail ?? false;
    combined.full ||= part.full ?? false;
    combined.stallNs = Math.max(combined.stallNs, part.stallNs ?? 0);
  }
  return combined;
}

/** Which nodes a partition cuts off from a majority: the smaller side, or all when no majority is left. */
function partitionTouched(shape: PartitionShape, nodes: readonly NodeId[]): Touched {
  const smaller = (side: readonly NodeId[], other: readonly NodeId[]): Touched => {
    if (side.length === other.length) return 'all';
    return side.length < other.length ? side : other;
  };
  switch (shape.shape) {
    case 'isolate':
      return [shape.node];
    case 'halves':
      return smaller(
        shape.side,
        nodes.filter((node) => !shape.side.includes(node)),
      );
    case 'one-way':
      // Links inside each side still work; the smaller side is the one that lost its peers.
      if (shape.from.length === shape.to.length) return [...shape.from, ...shape.to];
      return shape.from.length < shape.to.length ? shape.from : shape.to;
    case 'bridge':
    case 'ring':
      // Every node still reaches some majority through someone; whether the system copes is its
      // own business, so no node counts as surely healthy.
      return 'all';
  }
}

function partitionNodes(shape: PartitionShape): NodeId[] {
  switch (shape.shape) {
    case 'isolate':
      return [shape.node];
    case 'halves':
      return [...shape.side];
    case 'bridge':
      return [...shape.left, ...shape.right, shape.bridge];
    case 'ring':
      return [...shape.order];
    case 'one-way':
      return [...shape.from, ...shape.to];
  }
}

function startPartition(shape: PartitionShape, fields: Started['fields'], context: KindContext): Started | Skipped {
  const state = kernelState(context);
  const nodes = context.world.nodes();
  const missing = partitionNodes(shape).find((id) => !nodes.includes(id));
  if (missing !== undefined) return { skip: `node ${missing} does not exist` };
  const token = state.nextToken++;
  state.partitionToken = token;
  context.world.partition(shape);
  return {
    fields,
    touched: partitionTouched(shape, nodes),
    stop() {
      // A later partition replaced this one: healing now would also lift that one early.
      if (state.partitionToken !== token) return;
      state.partitionToken = 0;
      context.world.heal();
    },
  };
}

/** Link faults up to this probability cost retries, never agreement: they touch no node. */
export const HARMLESS_PROBABILITY_MAX = 0.2;

function startLink(part: Partial<LinkFaults>, fields: Started['fields'], touched: Touched, context: KindContext): Started {
  const state = kernelState(context);
  const token = state.nextToken++;
  state.link.set(token, part);
  context.world.setLinkFaults(combinedLinkFaults(state));
  return {
    fields,
    touched,
    stop() {
      if (!state.link.delete(token)) return;
      context.world.setLinkFaults(combinedLinkFaults(state));
    },
  };
}

/**
 * A full or failing disk counts as touching every node: a node whose fsyncs fail may keep serving
 * what it can (a leader that retries rather than crash itself), which can stall the whole cluster
 * for as long as the fault lasts; that is a choice of the node, not a bug we plant. A stall or a
 * corruption touches only its node.
 */
function startDisk(event: FaultEvent, part: Partial<DiskFaults>, wide: boolean, context: KindContext): Started | Skipped {
  const node = context.target(event);
  if (isSkipped(node)) return node;
  const state = kernelState(context);
  const token = state.nextToken++;
  let parts = state.disk.get(node);
  if (parts === undefined) {
    parts = new Map();
    state.disk.set(node, parts);
  }
  parts.set(token, part);
  context.world.diskFault(node, combinedDiskFaults(state, node));
  return {
    fields: { node },
    touched: wide ? 'all' : [node],
    stop() {
      const active = state.disk.get(node);
      if (active === undefined || !active.delete(token)) return;
      context.world.diskFault(node, combinedDiskFaults(state, node));
    },
  };
}

const NOTHING: Started['stop'] = () => {};

function fraction(value: number): number {
  return Math.round(value * NO_LINK_FAULTS.den);
}

/** A probability in steps of 1/1000 up to `max`, at least 1/1000. */
function drawProbability(random: Random, max: number): number {
  const steps = Math.max(1, Math.round(max * 1000));
  return random.range(1, steps) / 1000;
}

/**
 * A target for a targeted kind: half the time one of the system's target sets (each equally
 * likely), otherwise a node id. With no target sets, always a node id.
 */
function drawTarget(random: Random, context: DrawContext): { node: NodeId } | { role: string } {
  const names = context.targets;
  if (names.length === 0) return { node: random.pick(context.nodes) };
  const draw = random.int(2 * names.length);
  if (draw < names.length) return { role: names[draw]! };
  return { node: random.pick(context.nodes) };
}

function targetNamed(event: { node?: NodeId }): NodeId[] {
  return event.node === undefined ? [] : [event.node];
}

function shuffled(random: Random, context: DrawContext): NodeId[] {
  return random.shuffle([...context.nodes]);
}

type EventOf<S extends z.ZodType> = z.infer<S> & FaultEvent;

/** Builds a kind, inferring its event type from its schema. */
function kind<S extends z.ZodType>(spec: Omit<FaultKindSpec<EventOf<S>>, 'schema'> & { schema: S }): FaultKindSpec<EventOf<S>> {
  return spec as unknown as FaultKindSpec<EventOf<S>>;
}

const isolateSchema = targetedSchema('partition-isolate', {});
const halvesSchema = eventSchema('partition-halves', { side: nodeList });
const bridgeSchema = eventSchema('partition-bridge', { left: nodeList, right: nodeList, bridge: nodeId });
const ringSchema = eventSchema('partition-ring', { order: nodeList });
const oneWaySchema = eventSchema('partition-one-way', { from: nodeList, to: nodeList });
const dropSchema = eventSchema('drop', { probability });
const dupSchema = eventSchema('dup', { probability });
const reorderSchema = eventSchema('reorder', { probability, delayMsMax: z.number().int().positive().max(60_000) });
const delaySchema = eventSchema('delay', {
  latencyMsMin: z.number().int().nonnegative().max(60_000),
  latencyMsMax: z.number().int().nonnegative().max(60_000),
}).refine((event) => event.latencyMsMin <= event.latencyMsMax, { path: ['latencyMsMin'], message: 'must not exceed latencyMsMax' });
const clogSchema = eventSchema('clog', { from: nodeId, to: nodeId });
const crashSchema = targetedSchema('crash', { mode: diskMode });
const pauseSchema = targetedSchema('pause', {});
const offsetSchema = targetedSchema('clock-offset', { offsetMs: z.number().int().min(-3_600_000).max(3_600_000) });
const driftSchema = targetedSchema('clock-drift', { ppm: z.number().int().min(-100_000).max(100_000) });
const jumpSchema = targetedSchema('clock-jump', { jumpMs: z.number().int().min(-3_600_000).max(3_600_000) });
const corruptSchema = targetedSchema('disk-corrupt', {});
const fsyncFailSchema = targetedSchema('disk-fsync-fail', {});
const stallSchema = targetedSchema('disk-stall', { stallMs: z.number().int().positive().max(60_000) });
const fullSchema = targetedSchema('disk-full', {});

const PARTITION = ['partition'];
const NETWORK = ['network'];
const PROCESS = ['process'];
const CLOCK = ['clock'];
const DISK = ['disk'];

/** Partitions and crashes move a system's leadership and membership: drawn twice as often. */
const MOVING = 2;

export const KERNEL_KINDS: readonly AnyFaultKind[] = [
  kind({
    name: 'partition-isolate',
    description: 'cut one node (by id or target set) off from every other node',
    groups: PARTITION,
    schema: isolateSchema,
    instant: false,
    targeted: true,
    weight: MOVING,
    nodesMin: 2,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => {
      const base = { atMs, durationMs };
      const first = context.targets[0];
      if (first === undefined) return { ...base, kind: 'partition-isolate' as const, node: random.pick(context.nodes) };
      return random.chance(1, 2) ? { ...base, kind: 'partition-isolate' as const, role: first } : { ...base, kind: 'partition-isolate' as const, node: random.pick(context.nodes) };
    },
    start: (event, context) => {
      const node = context.target(event);
      if (isSkipped(node)) return node;
      return startPartition({ shape: 'isolate', node }, { node }, context);
    },
  }),
  kind({
    name: 'partition-halves',
    description: 'split the cluster in two sides; `side` is one of them',
    groups: PARTITION,
    schema: halvesSchema,
    instant: false,
    targeted: false,
    weight: MOVING,
    nodesMin: 2,
    named: (event) => [...event.side],
    draw: (random, atMs, durationMs, context) => {
      const order = shuffled(random, context);
      return { atMs, durationMs, kind: 'partition-halves' as const, side: order.slice(0, Math.floor(context.nodes.length / 2)) };
    },
    start: (event, context) => startPartition({ shape: 'halves', side: event.side }, { side: event.side.join(',') }, context),
  }),
  kind({
    name: 'partition-bridge',
    description: 'two sides that reach each other only through the bridge node',
    groups: PARTITION,
    schema: bridgeSchema,
    instant: false,
    targeted: false,
    weight: MOVING,
    nodesMin: 3,
    named: (event) => [...event.left, ...event.right, event.bridge],
    draw: (random, atMs, durationMs, context) => {
      const [bridge, ...rest] = shuffled(random, context);
      const half = Math.floor(rest.length / 2);
      return { atMs, durationMs, kind: 'partition-bridge' as const, bridge: bridge!, left: rest.slice(0, half), right: rest.slice(half) };
    },
    start: (event, context) =>
      startPartition(
        { shape: 'bridge', left: event.left, right: event.right, bridge: event.bridge },
        { left: event.left.join(','), right: event.right.join(','), bridge: event.bridge },
        context,
      ),
  }),
  kind({
    name: 'partition-ring',
    description: 'each node reaches only its neighbours in `order`',
    groups: PARTITION,
    schema: ringSchema,
    instant: false,
    targeted: false,
    weight: MOVING,
    nodesMin: 3,
    named: (event) => [...event.order],
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'partition-ring' as const, order: shuffled(random, context) }),
    start: (event, context) => startPartition({ shape: 'ring', order: event.order }, { order: event.order.join(',') }, context),
  }),
  kind({
    name: 'partition-one-way',
    description: 'messages from `from` to `to` are lost; the other direction works',
    groups: PARTITION,
    schema: oneWaySchema,
    instant: false,
    targeted: false,
    weight: MOVING,
    nodesMin: 2,
    named: (event) => [...event.from, ...event.to],
    draw: (random, atMs, durationMs, context) => {
      const order = shuffled(random, context);
      const cut = random.range(1, context.nodes.length - 1);
      return { atMs, durationMs, kind: 'partition-one-way' as const, from: order.slice(0, cut), to: order.slice(cut) };
    },
    start: (event, context) =>
      startPartition({ shape: 'one-way', from: event.from, to: event.to }, { from: event.from.join(','), to: event.to.join(',') }, context),
  }),
  kind({
    name: 'drop',
    description: 'lose each message with a probability',
    groups: NETWORK,
    schema: dropSchema,
    instant: false,
    targeted: false,
    weight: 1,
    nodesMin: 1,
    named: () => [],
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'drop' as const, probability: drawProbability(random, context.linkProbabilityMax) }),
    start: (event, context) =>
      startLink({ dropNum: fraction(event.probability) }, { probability: event.probability }, event.probability <= HARMLESS_PROBABILITY_MAX ? [] : 'all', context),
  }),
  kind({
    name: 'dup',
    description: 'deliver each message twice with a probability',
    groups: NETWORK,
    schema: dupSchema,
    instant: false,
    targeted: false,
    weight: 1,
    nodesMin: 1,
    named: () => [],
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'dup' as const, probability: drawProbability(random, context.linkProbabilityMax) }),
    start: (event, context) =>
      startLink({ dupNum: fraction(event.probability) }, { probability: event.probability }, event.probability <= HARMLESS_PROBABILITY_MAX ? [] : 'all', context),
  }),
  kind({
    name: 'reorder',
    description: 'hold each message back up to `delayMsMax` with a probability',
    groups: NETWORK,
    schema: reorderSchema,
    instant: false,
    targeted: false,
    weight: 1,
    nodesMin: 1,
    named: () => [],
    draw: (random, atMs, durationMs, context) => ({
      atMs,
      durationMs,
      kind: 'reorder' as const,
      probability: drawProbability(random, context.linkProbabilityMax),
      delayMsMax: random.range(1, 50),
    }),
    start: (event, context) =>
      startLink(
        { reorderNum: fraction(event.probability), reorderDelayNsMax: event.delayMsMax * NS_PER_MS },
        { probability: event.probability, delayMsMax: event.delayMsMax },
        event.probability <= HARMLESS_PROBABILITY_MAX ? [] : 'all',
        context,
      ),
  }),
  kind({
    name: 'delay',
    description: 'add latency drawn in [latencyMsMin, latencyMsMax] to every message',
    groups: NETWORK,
    schema: delaySchema,
    instant: false,
    targeted: false,
    weight: 1,
    nodesMin: 1,
    named: () => [],
    draw: (random, atMs, durationMs) => {
      const latencyMsMin = random.range(0, 20);
      return { atMs, durationMs, kind: 'delay' as const, latencyMsMin, latencyMsMax: latencyMsMin + random.range(0, 100) };
    },
    // Added latency may push any exchange past a timeout: it touches every node.
    start: (event, context) =>
      startLink(
        { delayNsMin: event.latencyMsMin * NS_PER_MS, delayNsMax: event.latencyMsMax * NS_PER_MS },
        { latencyMsMin: event.latencyMsMin, latencyMsMax: event.latencyMsMax },
        'all',
        context,
      ),
  }),
  kind({
    name: 'clog',
    description: 'hold every message from `from` to `to` until the clog ends',
    groups: NETWORK,
    schema: clogSchema,
    instant: false,
    targeted: false,
    weight: 1,
    nodesMin: 2,
    named: (event) => [event.from, event.to],
    draw: (random, atMs, durationMs, context) => {
      const [from, to] = shuffled(random, context);
      return { atMs, durationMs, kind: 'clog' as const, from: from!, to: to! };
    },
    start: (event, context) => {
      const nodes = context.world.nodes();
      if (!nodes.includes(event.from) || !nodes.includes(event.to)) return { skip: 'clogged link names a missing node' };
      // A clog releases itself at its end time; without a duration it lasts to the end of the
      // safety phase, when the heal lifts every clog by clogging each link until now.
      const untilNs = event.durationMs === undefined ? Number.MAX_SAFE_INTEGER : context.world.nowNs() + event.durationMs * NS_PER_MS;
      context.world.clog(event.from, event.to, untilNs);
      return {
        fields: { from: event.from, to: event.to },
        touched: [event.from, event.to],
        stop() {
          if (event.durationMs === undefined) context.world.clog(event.from, event.to, context.world.nowNs());
        },
      };
    },
  }),
  kind({
    name: 'crash',
    description: 'kill a process; unsynced writes are lost (`lose`) or torn (`tear`); restarted at the stop',
    groups: PROCESS,
    schema: crashSchema,
    instant: false,
    targeted: true,
    weight: MOVING,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => ({
      atMs,
      durationMs,
      kind: 'crash' as const,
      ...drawTarget(random, context),
      mode: random.chance(1, 2) ? ('lose' as const) : ('tear' as const),
    }),
    start: (event, context) => {
      const node = context.target(event);
      if (isSkipped(node)) return node;
      const state = kernelState(context);
      if (state.crashed.has(node) || context.world.process(node) === null) return { skip: `${node} is already down` };
      state.crashed.add(node);
      state.paused.delete(node);
      context.world.crash(node, event.mode);
      return {
        fields: { node, mode: event.mode },
        touched: [node],
        stop() {
          if (!state.crashed.delete(node)) return;
          context.world.restart(node);
        },
      };
    },
  }),
  kind({
    name: 'pause',
    description: 'stop a process without losing anything; its events wait for the resume',
    groups: PROCESS,
    schema: pauseSchema,
    instant: false,
    targeted: true,
    weight: MOVING,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'pause' as const, ...drawTarget(random, context) }),
    start: (event, context) => {
      const node = context.target(event);
      if (isSkipped(node)) return node;
      const state = kernelState(context);
      if (state.paused.has(node) || state.crashed.has(node)) return { skip: `${node} is already paused or down` };
      state.paused.add(node);
      context.world.pause(node);
      return {
        fields: { node },
        touched: [node],
        stop() {
          if (!state.paused.delete(node)) return;
          context.world.resume(node);
        },
      };
    },
  }),
  kind({
    name: 'clock-offset',
    description: "set a node's clock `offsetMs` away from true time",
    groups: CLOCK,
    schema: offsetSchema,
    instant: false,
    targeted: true,
    weight: 1,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'clock-offset' as const, ...drawTarget(random, context), offsetMs: random.range(-500, 500) }),
    start: (event, context) => {
      const node = context.target(event);
      if (isSkipped(node)) return node;
      const state = kernelState(context);
      state.offset.add(node);
      context.world.clockOffset(node, event.offsetMs * NS_PER_MS);
      return {
        fields: { node, offsetMs: event.offsetMs },
        touched: [node],
        stop() {
          if (!state.offset.delete(node)) return;
          context.world.clockOffset(node, 0);
        },
      };
    },
  }),
  kind({
    name: 'clock-drift',
    description: "make a node's clock run `ppm` parts per million fast or slow",
    groups: CLOCK,
    schema: driftSchema,
    instant: false,
    targeted: true,
    weight: 1,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'clock-drift' as const, ...drawTarget(random, context), ppm: random.range(-50_000, 50_000) }),
    start: (event, context) => {
      const node = context.target(event);
      if (isSkipped(node)) return node;
      const state = kernelState(context);
      state.drifting.add(node);
      context.world.clockDrift(node, event.ppm);
      return {
        fields: { node, ppm: event.ppm },
        touched: [node],
        stop() {
          if (!state.drifting.delete(node)) return;
          context.world.clockDrift(node, 0);
        },
      };
    },
  }),
  kind({
    name: 'clock-jump',
    description: "jump a node's clock `jumpMs` forward or back, at one instant",
    groups: CLOCK,
    schema: jumpSchema,
    instant: true,
    targeted: true,
    weight: 1,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, _durationMs, context) => ({ atMs, kind: 'clock-jump' as const, ...drawTarget(random, context), jumpMs: random.range(-2_000, 2_000) }),
    start: (event, context) => {
      const node = context.target(event);
      if (isSkipped(node)) return node;
      context.world.clockJump(node, event.jumpMs * NS_PER_MS);
      return { fields: { node, jumpMs: event.jumpMs }, touched: [node], stop: NOTHING };
    },
  }),
  kind({
    name: 'disk-corrupt',
    description: "reads of a node's disk may return corrupted bytes",
    groups: DISK,
    schema: corruptSchema,
    instant: false,
    targeted: true,
    weight: 1,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'disk-corrupt' as const, ...drawTarget(random, context) }),
    start: (event, context) => startDisk(event, { corruptReads: true }, false, context),
  }),
  kind({
    name: 'disk-fsync-fail',
    description: "a node's fsyncs fail",
    groups: DISK,
    schema: fsyncFailSchema,
    instant: false,
    targeted: true,
    weight: 1,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'disk-fsync-fail' as const, ...drawTarget(random, context) }),
    start: (event, context) => startDisk(event, { fsyncFail: true }, true, context),
  }),
  kind({
    name: 'disk-stall',
    description: "a node's fsyncs take `stallMs` longer",
    groups: DISK,
    schema: stallSchema,
    instant: false,
    targeted: true,
    weight: 1,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'disk-stall' as const, ...drawTarget(random, context), stallMs: random.range(10, 500) }),
    start: (event, context) => startDisk(event, { stallNs: event.stallMs * NS_PER_MS }, false, context),
  }),
  kind({
    name: 'disk-full',
    description: "a node's writes fail with ENOSPC",
    groups: DISK,
    schema: fullSchema,
    instant: false,
    targeted: true,
    weight: 1,
    nodesMin: 1,
    named: targetNamed,
    draw: (random, atMs, durationMs, context) => ({ atMs, durationMs, kind: 'disk-full' as const, ...drawTarget(random, context) }),
    start: (event, context) => startDisk(event, { full: true }, true, context),
  }),
];

/**
 * Ends the kernel's faults at the heal, after every active fault was stopped: lifts a partition a
 * later one replaced, every link fault and clog, restarts what is down, resumes what is paused,
 * clears disk faults and drift. Clock offsets stay: a node's clock is its own, and skew is normal.
 */
export function healKernel(context: KindContext): void {
  const state = kernelState(context);
  const world = context.world;
  world.heal();
  world.setLinkFaults(NO_LINK_FAULTS);
  for (const node of world.nodes()) {
    if (state.crashed.delete(node) || world.process(node) === null) world.restart(node);
    if (state.paused.delete(node)) world.resume(node);
    world.diskFault(node, NO_DISK_FAULTS);
    world.clockDrift(node, 0);
  }
  state.link.clear();
  state.disk.clear();
  state.drifting.clear();
  state.offset.clear();
}

/** The paused set, for target resolution (a paused node cannot stand for a target). */
export function pausedNodes(context: KindContext): ReadonlySet<NodeId> {
  return kernelState(context).paused;
}
