// When, during a run, a majority of the cluster was untouched by faults. A replicated system must
// make progress then (a minority crashed, paused, cut off or skewed must not stop the rest), so the
// liveness checker holds the history to progress in these stretches, not only after the heal.
//
// Input: the fault actions as the runner records them (CheckContext.faults): `<kind>.start` with
// `touched` (the nodes it faulted, comma-joined, or `*` for possibly every node: each fault kind
// says so itself, faults/kind.ts), `instant` on kinds that act at one instant, and `event` (its
// index in the schedule); `<kind>.stop` with the same `event` (and `lingers` when its undoing is
// not certain: the window then lasts to the heal); `<kind>.skip`; and `heal.start` (with `outside`,
// the nodes still out of the system through the liveness phase). A
// start without `touched` counts as touching every node: overstating a fault only ever demands
// less progress, never more.
import type { FaultAction, NodeId } from '../nodes/host.js';
import { TOUCHED_ALL } from '../faults/nemesis.js';

export interface Stretch {
  startNs: number;
  endNs: number;
}

interface Window {
  startNs: number;
  endNs: number;
  /** Nodes touched, or null for "possibly every node". */
  nodes: readonly NodeId[] | null;
  /** Started at or after the heal: in force through the liveness phase. */
  afterHeal: boolean;
}

/** The nodes a started fault touched, as it recorded them, or null when it may touch them all. */
export function touchedNodes(fields: Readonly<Record<string, unknown>>): NodeId[] | null {
  const touched = fields.touched;
  if (typeof touched !== 'string' || touched === TOUCHED_ALL) return null;
  return touched === '' ? [] : touched.split(',');
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
      // Members the system could not put back stay faulted through the liveness phase.
      const outside = action.fields.outside;
      if (typeof outside === 'string' && outside !== '') windows.push({ startNs: action.time, endNs: Infinity, nodes: outside.split(','), afterHeal: true });
      continue;
    }
    const event = action.fields.event;
    if (phase === 'start') {
      const window: Window = { startNs: action.time, endNs: Infinity, nodes: touchedNodes(action.fields), afterHeal: action.time >= healNs };
      if (action.fields.instant === true) window.endNs = action.time;
      else if (typeof event === 'number') open.set(event, window);
      windows.push(window);
    } else if (phase === 'stop' && typeof event === 'number') {
      // A lingering stop only asked for the undoing: the window lasts to the heal.
      const window = open.get(event);
      if (window !== undefined && action.fields.lingers !== true) window.endNs = action.time;
      open.delete(event);
    }
  }
  // Whatever had not stopped by the heal stopped there; what the liveness phase keeps down (a
  // minority crashed in core mode, a member still outside) lasts to the end.
  for (const window of windows) if (!window.afterHeal) window.endNs = Math.min(window.endNs, healNs);

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
