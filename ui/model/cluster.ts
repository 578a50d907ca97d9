// The cluster's state at one instant, from a run's fault bands: which server nodes exist, which are
// crashed or paused, and which links a partition cuts. The report draws it as the topology; it is
// computed from the fault fields faults/ records (isolate, halves, bridge, ring, one-way).
import type { FaultBand } from './faults.js';
import type { RunModel } from './run.js';

export interface ClusterAt {
  timeNs: number;
  nodes: string[];
  crashed: string[];
  paused: string[];
  /** The partition in force, or null. */
  partition: FaultBand | null;
  /** Groups of nodes that still reach each other (for isolate and halves); the rest stand alone. */
  groups: string[][];
  /** Links cut by the partition; `oneWay` when only `from` -> `to` is cut. */
  cuts: { from: string; to: string; oneWay: boolean }[];
}

/** Most nodes the topology draws; a scenario allows at most 15 servers. */
export const TOPOLOGY_NODES_MAX = 64;

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  return [];
}

/** Sorts `n2` before `n10`. */
export function naturalSort(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * The server nodes of a run: `n1..nK` from the scenario's node count, plus any node named by the
 * history or the faults (clients `cN` are processes, not servers, and are left out).
 */
export function serverNodes(model: RunModel): string[] {
  const names = new Set<string>();
  const scenario = model.run.scenario as { nodes?: unknown } | null;
  if (scenario !== null && typeof scenario === 'object' && typeof scenario.nodes === 'number' && Number.isInteger(scenario.nodes)) {
    for (let i = 1; i <= Math.min(scenario.nodes, TOPOLOGY_NODES_MAX); i++) names.add(`n${i}`);
  }
  for (const op of model.timeline.ops) if (op.node !== undefined && names.size < TOPOLOGY_NODES_MAX) names.add(op.node);
  for (const band of model.bands) {
    if (band.family === 'process' && band.node !== undefined && names.size < TOPOLOGY_NODES_MAX) names.add(band.node);
    if (band.family === 'partition') for (const name of partitionNodes(band)) if (names.size < TOPOLOGY_NODES_MAX) names.add(name);
  }
  return naturalSort([...names].filter((name) => !/^c\d+$/.test(name)));
}

function partitionNodes(band: FaultBand): string[] {
  const fields = band.fields;
  return [...list(fields.node), ...list(fields.side), ...list(fields.left), ...list(fields.right), ...list(fields.bridge), ...list(fields.order), ...list(fields.from), ...list(fields.to)];
}

/** Can `a` send to `b` under the partition band? */
export function reaches(band: FaultBand, a: string, b: string): boolean {
  if (a === b) return true;
  const fields = band.fields;
  const shape = band.kind.replace(/^partition-?/, '');
  if (shape === 'isolate' || (shape === '' && fields.node !== undefined)) {
    const node = list(fields.node)[0];
    return a !== node && b !== node;
  }
  if (shape === 'halves') {
    const side = new Set(list(fields.side));
    return side.has(a) === side.has(b);
  }
  if (shape === 'bridge') {
    const left = new Set(list(fields.left));
    const right = new Set(list(fields.right));
    return !((left.has(a) && right.has(b)) || (right.has(a) && left.has(b)));
  }
  if (shape === 'ring') {
    const order = list(fields.order);
    const i = order.indexOf(a);
    const j = order.indexOf(b);
    if (i === -1 || j === -1) return true;
    const distance = Math.abs(i - j);
    return distance === 1 || distance === order.length - 1;
  }
  if (shape === 'one-way') {
    const from = new Set(list(fields.from));
    const to = new Set(list(fields.to));
    return !(from.has(a) && to.has(b));
  }
  // A partition we cannot read: draw no cut rather than a wrong one.
  return true;
}

/** The cluster at time `t`: the latest partition in force, crashed and paused nodes. */
export function clusterAt(model: RunModel, timeNs: number): ClusterAt {
  const nodes = serverNodes(model);
  const active = model.bands.filter((band) => band.endNs !== null && band.startNs <= timeNs && timeNs < band.endNs);
  const crashed = naturalSort(new Set(active.filter((band) => band.kind.startsWith('crash') && band.node !== undefined).map((band) => band.node!)));
  const paused = naturalSort(new Set(active.filter((band) => band.kind.startsWith('pause') && band.node !== undefined).map((band) => band.node!)));
  const partitions = active.filter((band) => band.family === 'partition');
  const partition = partitions.length > 0 ? partitions[partitions.length - 1]! : null;
  const cuts: ClusterAt['cuts'] = [];
  let groups: string[][] = [];
  if (partition !== null) {
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i]!;
        const b = nodes[j]!;
        const ab = reaches(partition, a, b);
        const ba = reaches(partition, b, a);
        if (!ab && !ba) cuts.push({ from: a, to: b, oneWay: false });
        else if (!ab) cuts.push({ from: a, to: b, oneWay: true });
        else if (!ba) cuts.push({ from: b, to: a, oneWay: true });
      }
    }
    const shape = partition.kind.replace(/^partition-?/, '');
    if (shape === 'isolate' || shape === 'halves') {
      // Two sides: those that reach the first node and those that do not.
      const first = nodes.find((node) => nodes.some((other) => other !== node && !reaches(partition, node, other)));
      if (first !== undefined) {
        const side = nodes.filter((node) => reaches(partition, first, node));
        const rest = nodes.filter((node) => !side.includes(node));
        groups = [side, rest].filter((group) => group.length > 0);
      }
    } else if (shape === 'bridge') {
      groups = [list(partition.fields.left), list(partition.fields.right)].map((group) => group.filter((node) => nodes.includes(node)));
    }
  }
  return { timeNs, nodes, crashed, paused, partition, groups, cuts };
}
