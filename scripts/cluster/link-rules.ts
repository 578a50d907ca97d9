// What the nemesis's network faults mean for the fault proxies: a pure function from the network
// state a run is in (partition cuts, clogged links, link faults) to the rule list of each node's
// proxy. The proxy in front of node b governs every frame sent to b, so the directed link a -> b
// between nodes is the rule `a -> b` on b's proxy; links to clients are the wildcard rules.
// Partitions cut links between servers only, except an isolation, which (as in the simulator's
// partition planner) cuts the node off from every endpoint, clients included.
import type { NodeId } from '../../nodes/host.js';
import { NO_LINK_FAULTS, type LinkFaults, type PartitionShape } from '../../faults/world-port.js';
import type { LinkRule } from '../tcp/proxy.js';

/** Directed links between server nodes, as `from>to` keys. */
export type LinkSet = ReadonlySet<string>;

export function linkKey(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}

export interface NetworkState {
  /** Links between nodes the partition in force cuts. */
  cuts: LinkSet;
  /** Nodes cut off from clients too (an isolation). */
  isolated: ReadonlySet<NodeId>;
  /** Links whose frames are held until the clog lifts. */
  clogs: LinkSet;
  faults: LinkFaults;
}

export const HEALTHY_NETWORK: NetworkState = Object.freeze({ cuts: new Set<string>(), isolated: new Set<NodeId>(), clogs: new Set<string>(), faults: NO_LINK_FAULTS });

/** The links between `nodes` a partition shape cuts, and the nodes it isolates from clients too. */
export function partitionCuts(shape: PartitionShape, nodes: readonly NodeId[]): { cuts: Set<string>; isolated: Set<NodeId> } {
  const cuts = new Set<string>();
  const isolated = new Set<NodeId>();
  const cutBetween = (left: readonly NodeId[], right: readonly NodeId[]): void => {
    for (const a of left) {
      for (const b of right) {
        if (a === b) continue;
        cuts.add(linkKey(a, b));
        cuts.add(linkKey(b, a));
      }
    }
  };
  switch (shape.shape) {
    case 'isolate':
      cutBetween([shape.node], nodes);
      isolated.add(shape.node);
      break;
    case 'halves':
      cutBetween(
        shape.side,
        nodes.filter((node) => !shape.side.includes(node)),
      );
      break;
    case 'bridge':
      // The bridge reaches both sides and both sides reach it.
      cutBetween(
        shape.left.filter((node) => node !== shape.bridge),
        shape.right.filter((node) => node !== shape.bridge),
      );
      break;
    case 'ring': {
      const position = new Map(shape.order.map((id, index) => [id, index]));
      const n = shape.order.length;
      for (const a of shape.order) {
        for (const b of shape.order) {
          if (a === b) continue;
          const pa = position.get(a)!;
          const pb = position.get(b)!;
          if ((pa + 1) % n !== pb && (pb + 1) % n !== pa) cuts.add(linkKey(a, b));
        }
      }
      break;
    }
    case 'one-way':
      for (const a of shape.from) for (const b of shape.to) if (a !== b) cuts.add(linkKey(a, b));
      break;
  }
  return { cuts, isolated };
}

/** The part of a proxy rule that link faults set: loss, duplication, reordering, latency. */
export function linkFaultFields(faults: LinkFaults): Omit<LinkRule, 'from' | 'to'> {
  const percent = (numerator: number) => Math.min(100, (numerator / faults.den) * 100);
  const delayMs = Math.round(faults.delayNsMin / 1e6);
  return {
    lossPercent: percent(faults.dropNum),
    dupPercent: percent(faults.dupNum),
    reorderPercent: percent(faults.reorderNum),
    reorderMsMax: Math.ceil(faults.reorderDelayNsMax / 1e6),
    delayMs,
    jitterMs: Math.max(0, Math.round(faults.delayNsMax / 1e6) - delayMs),
  };
}

function isQuiet(fields: Omit<LinkRule, 'from' | 'to'>): boolean {
  return Object.values(fields).every((value) => value === 0 || value === false || value === undefined);
}

/** Every proxy's rule list for `state`; a healthy network gives every proxy an empty list. */
export function proxyRules(nodes: readonly NodeId[], state: NetworkState): Map<NodeId, LinkRule[]> {
  const base = linkFaultFields(state.faults);
  const rules = new Map<NodeId, LinkRule[]>();
  for (const to of nodes) {
    const list: LinkRule[] = [];
    const alone = state.isolated.has(to);
    // Links with clients (and anything else not a node), both ways.
    if (alone || !isQuiet(base)) {
      list.push({ from: '*', to, ...base, cut: alone }, { from: to, to: '*', ...base, cut: alone });
    }
    for (const from of nodes) {
      if (from === to) continue;
      const rule = { ...base, cut: state.cuts.has(linkKey(from, to)), hold: state.clogs.has(linkKey(from, to)) };
      if (!isQuiet(rule)) list.push({ from, to, ...rule });
    }
    rules.set(to, list);
  }
  return rules;
}
