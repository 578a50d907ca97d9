// When, during a run, a majority of the cluster was untouched by faults. A consensus system must
// make progress then (a minority crashed, paused, cut off or skewed must not stop the rest), so the
// liveness checker holds the history to progress in these stretches, not only after the heal.
//
// Input: the fault actions as the runner records them (CheckContext.faults): `<kind>.start` with
// the fields naming what it hit and `event` (its index in the schedule), `<kind>.stop` with the same
// `event`, `<kind>.skip`, and `heal.start`. Which nodes a fault touches is read from its fields;
// duplication, reordering and loss of at most a fifth of messages touch no node (they cost retries,
// never agreement); a fault whose reach is wider or not known for certain (added latency, ring and
// bridge partitions, a full or failing disk, added members, leader transfers, kinds this file does
// not know) counts as touching every node, so no progress is demanded while it lasts. Overstating
// a fault only ever demands less, never more.
//
// A full or failing disk counts as wide on purpose: a Raft leader whose fsyncs fail may keep its
// role while it cannot persist (the node retries rather than crash itself), which stalls the
// cluster for as long as the fault lasts; that is a design choice of the node, not a bug we plant.
import type { NodeId } from '../nodes/host.js';
import type { FaultAction } from './system.js';

export interface Stretch {
  startNs: number;
  endNs: number;
}

/** Kinds that act at one instant and record no stop. */
const INSTANT_KINDS: ReadonlySet<string> = new Set(['clock-jump', 'member-add', 'leader-transfer']);
/** Kinds whose `node` field is the one node they touch. */
const ONE_NODE_KINDS: ReadonlySet<string> = new Set([
  'partition-isolate',
  'crash',
  'pause',
  'clock-offset',
  'clock-drift',
  'clock-jump',
  'disk-corrupt',
  'disk-stall',
  'member-remove',
]);
/** Link faults that cost retries but cannot keep a healthy majority from agreeing, up to a fifth of messages. */
const HARMLESS_KINDS: ReadonlySet<string> = new Set(['dup', 'reorder', 'drop']);
const HARMLESS_PROBABILITY_MAX = 0.2;

interface Window {
  startNs: number;
  endNs: number;
  /** Nodes touched, or null for "possibly every node". */
  nodes: readonly NodeId[] | null;
}

function list(value: unknown): NodeId[] | null {
  return typeof value === 'string' && value.length > 0 ? value.split(',') : null;
}

/** The nodes a started fault touches, or null when it may touch them all. */
export function touchedNodes(kind: string, fields: Readonly<Record<string, unknown>>, cluster: readonly NodeId[]): NodeId[] | null {
  if (HARMLESS_KINDS.has(kind)) {
    const probability = fields.probability;
    return typeof probability === 'number' && probability <= HARMLESS_PROBABILITY_MAX ? [] : null;
  }
  if (ONE_NODE_KINDS.has(kind)) return typeof fields.node === 'string' ? [fields.node] : null;
  if (kind === 'clog') return typeof fields.from === 'string' && typeof fields.to === 'string' ? [fields.from, fields.to] : null;
  if (kind === 'partition-halves') {
    const side = list(fields.side);
    if (side === null) return null;
    const other = cluster.filter((node) => !side.includes(node));
    // The smaller side is cut off from the larger; equal halves leave no majority anywhere.
    if (side.length === other.length) return null;
    return side.length < other.length ? side : other;
  }
  if (kind === 'partition-one-way') {
    const from = list(fields.from);
    const to = list(fields.to);
    if (from === null || to === null) return null;
    // Links inside each side still work; the smaller side is the one that lost its peers.
    if (from.length === to.length) return [...from, ...to];
    return from.length < to.length ? from : to;
  }
  return null;
}

/**
 * The stretches of [0, endNs] in which the faults in force touch at most a minority of `cluster`
 * (faults that touch every node excepted): sorted, disjoint, merged where they meet.
 */
export function majorityHealthyStretches(actions: readonly FaultAction[], cluster: readonly NodeId[], endNs: number): Stretch[] {
  const windows: Window[] = [];
  const open = new Map<number, Window>();
  let healNs = endNs;
  for (const action of actions) {
    const dot = action.kind.lastIndexOf('.');
    const kind = action.kind.slice(0, dot);
    const phase = action.kind.slice(dot + 1);
    if (kind === 'heal') {
      healNs = Math.min(healNs, action.time);
      continue;
    }
    const event = action.fields.event;
    if (phase === 'start') {
      const window: Window = { startNs: action.time, endNs: Infinity, nodes: touchedNodes(kind, action.fields, cluster) };
      if (INSTANT_KINDS.has(kind)) window.endNs = action.time;
      else if (typeof event === 'number') open.set(event, window);
      windows.push(window);
    } else if (phase === 'stop' && typeof event === 'number') {
      const window = open.get(event);
      if (window !== undefined) window.endNs = action.time;
      open.delete(event);
    }
  }
  // Whatever had not stopped by the heal stopped there.
  for (const window of windows) window.endNs = Math.min(window.endNs, healNs);

  // Instant faults touching one node change nothing a majority needs; those that may touch every
  // node (a leader transfer, a member added) split a stretch at their instant.
  const splits = windows.filter((window) => window.startNs === window.endNs && window.nodes === null).map((window) => window.startNs);
  const lasting = windows.filter((window) => window.startNs < window.endNs);
  const times = new Set<number>([0, endNs, ...splits.filter((time) => time <= endNs)]);
  for (const window of lasting) {
    if (window.startNs <= endNs) times.add(window.startNs);
    if (window.endNs <= endNs) times.add(window.endNs);
  }
  const points = [...times].sort((a, b) => a - b);
  const splitAt = new Set(splits);
  const majority = Math.floor(cluster.length / 2) + 1;
  const stretches: Stretch[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i]!;
    const to = points[i + 1]!;
    // A fault is in force over [from, to) when it started by `from` and had not ended by then.
    const touched = new Set<NodeId>();
    let everyNode = false;
    for (const window of lasting) {
      if (!(window.startNs <= from && window.endNs > from)) continue;
      if (window.nodes === null) everyNode = true;
      else for (const node of window.nodes) touched.add(node);
    }
    const healthy = !everyNode && cluster.filter((node) => !touched.has(node)).length >= majority;
    if (!healthy) continue;
    const last = stretches.at(-1);
    if (last !== undefined && last.endNs === from && !splitAt.has(from)) last.endNs = to;
    else stretches.push({ startNs: from, endNs: to });
  }
  return stretches;
}
