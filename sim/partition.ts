// Partitions as a connectivity relation: a directed "can reach" matrix over every endpoint on the
// network (server nodes, clients, and external senders such as the runner's `admin`).
//
// Shapes are defined over the server nodes. Clients (and external senders) reach every server by
// default, whatever the servers' partition, because a partition of the cluster's own links is the
// fault most shapes describe; a client is cut only by a spec that names it (`isolate` of a client,
// `one-way` from or to it, or `client-reach`). A message is checked against the relation when it is
// sent and again when it arrives, so no message crosses a partition that is active at its arrival.
import type { NodeId } from '../nodes/host.js';
import { assert } from './assert.js';
import type { SimRandom } from './random.js';

export type PartitionSpec = (
  | { kind: 'isolate'; node: NodeId }
  /** Servers split in two sides that cannot talk; `minority` defaults to floor(n/2) servers drawn at random. */
  | { kind: 'halves'; minority?: NodeId[] }
  /** Two sides plus one bridge server that reaches both (Jepsen's bridge); drawn when not given. */
  | { kind: 'bridge'; bridge?: NodeId; left?: NodeId[]; right?: NodeId[] }
  /** Each server reaches only its two neighbours in `order` (drawn when not given): overlapping majorities. */
  | { kind: 'ring'; order?: NodeId[] }
  /** Messages from `from` to `to` are lost; the other direction still works. */
  | { kind: 'one-way'; from: NodeId; to: NodeId }
  /** Explicit components of servers; a server in no group is isolated from every other server. */
  | { kind: 'groups'; groups: NodeId[][] }
  /** A client (or external sender) reaches only the listed servers, both directions. */
  | { kind: 'client-reach'; client: NodeId; reach: NodeId[] }
) & {
  /** Add these cuts to the current partition instead of replacing it. */
  merge?: boolean;
};

export const PARTITION_KINDS = ['isolate', 'halves', 'bridge', 'ring', 'one-way', 'groups', 'client-reach'] as const;

/** A partition made concrete: directed cuts between ids, and a short description for the trace. */
export interface PartitionPlan {
  cuts: [NodeId, NodeId][];
  /** E.g. `n1,n2|n3,n4,n5`, for the trace and a person reading it. */
  shape: string;
}

/** Turns a spec into concrete cuts. `servers` are the current members, `all` every endpoint id. */
export function planPartition(
  spec: PartitionSpec,
  servers: readonly NodeId[],
  all: readonly NodeId[],
  random: SimRandom,
): PartitionPlan {
  const known = new Set(all);
  const requireKnown = (id: NodeId, role: string): void => {
    if (!known.has(id)) throw new Error(`partition ${spec.kind}: unknown ${role} "${id}"`);
  };
  const cuts: [NodeId, NodeId][] = [];
  const cutBetween = (sides: readonly (readonly NodeId[])[]): void => {
    // Servers on different sides cannot reach each other; within a side they can.
    const sideOf = new Map<NodeId, number>();
    sides.forEach((side, index) => side.forEach((id) => sideOf.set(id, index)));
    for (const a of servers) {
      for (const b of servers) {
        if (a === b) continue;
        const sa = sideOf.get(a);
        const sb = sideOf.get(b);
        if (sa === undefined || sb === undefined || sa !== sb) cuts.push([a, b]);
      }
    }
  };
  switch (spec.kind) {
    case 'isolate': {
      requireKnown(spec.node, 'node');
      for (const other of all) {
        if (other === spec.node) continue;
        cuts.push([spec.node, other], [other, spec.node]);
      }
      return { cuts, shape: `${spec.node}|*` };
    }
    case 'halves': {
      const minority = spec.minority ?? random.shuffle([...servers]).slice(0, Math.floor(servers.length / 2));
      minority.forEach((id) => requireKnown(id, 'node'));
      const minoritySet = new Set(minority);
      const majority = servers.filter((id) => !minoritySet.has(id));
      cutBetween([minority, majority]);
      return { cuts, shape: `${[...minority].join(',')}|${majority.join(',')}` };
    }
    case 'bridge': {
      let bridge = spec.bridge;
      let left = spec.left;
      let right = spec.right;
      if (bridge === undefined || left === undefined || right === undefined) {
        const shuffled = random.shuffle(servers.filter((id) => id !== spec.bridge));
        bridge = spec.bridge ?? shuffled.pop();
        assert(bridge !== undefined, 'partition bridge: needs at least one server');
        const half = Math.floor(shuffled.length / 2);
        left = left ?? shuffled.slice(0, half);
        right = right ?? shuffled.slice(half);
      }
      requireKnown(bridge, 'bridge');
      [...left, ...right].forEach((id) => requireKnown(id, 'node'));
      cutBetween([left, right]);
      // The bridge reaches both sides and both sides reach it: remove its cuts.
      const kept = cuts.filter(([a, b]) => a !== bridge && b !== bridge);
      return { cuts: kept, shape: `${left.join(',')}|${bridge}|${right.join(',')}` };
    }
    case 'ring': {
      const order = spec.order ?? random.shuffle([...servers]);
      order.forEach((id) => requireKnown(id, 'node'));
      const n = order.length;
      const position = new Map(order.map((id, index) => [id, index]));
      for (const a of servers) {
        for (const b of servers) {
          if (a === b) continue;
          const pa = position.get(a);
          const pb = position.get(b);
          const neighbours = pa !== undefined && pb !== undefined && ((pa + 1) % n === pb || (pb + 1) % n === pa);
          if (!neighbours) cuts.push([a, b]);
        }
      }
      return { cuts, shape: `ring:${order.join(',')}` };
    }
    case 'one-way': {
      requireKnown(spec.from, 'node');
      requireKnown(spec.to, 'node');
      assert(spec.from !== spec.to, 'partition one-way: from and to must differ');
      cuts.push([spec.from, spec.to]);
      return { cuts, shape: `${spec.from}->${spec.to}` };
    }
    case 'groups': {
      spec.groups.flat().forEach((id) => requireKnown(id, 'node'));
      cutBetween(spec.groups);
      return { cuts, shape: spec.groups.map((group) => group.join(',')).join('|') };
    }
    case 'client-reach': {
      requireKnown(spec.client, 'client');
      spec.reach.forEach((id) => requireKnown(id, 'node'));
      const reach = new Set(spec.reach);
      for (const server of servers) {
        if (reach.has(server) || server === spec.client) continue;
        cuts.push([spec.client, server], [server, spec.client]);
      }
      return { cuts, shape: `${spec.client}->${spec.reach.join(',')}` };
    }
    default:
      throw new Error(`unknown partition kind ${JSON.stringify((spec as { kind: unknown }).kind)} (expected one of ${PARTITION_KINDS.join(', ')})`);
  }
}

/** The directed cut matrix over endpoint indices. */
export class Reachability {
  private cut: Uint8Array;
  private capacity: number;
  /** Number of cut directed links: zero means everything reaches everything (the fast path). */
  cutCount = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.cut = new Uint8Array(capacity * capacity);
  }

  /** Grows to `capacity` endpoints, keeping existing cuts (the row stride changes). */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const next = new Uint8Array(capacity * capacity);
    for (let a = 0; a < this.capacity; a++) {
      next.set(this.cut.subarray(a * this.capacity, (a + 1) * this.capacity), a * capacity);
    }
    this.cut = next;
    this.capacity = capacity;
  }

  reaches(from: number, to: number): boolean {
    return this.cutCount === 0 || this.cut[from * this.capacity + to] === 0;
  }

  sever(from: number, to: number): void {
    assert(from >= 0 && to >= 0 && from < this.capacity && to < this.capacity, 'reachability: index out of range');
    const link = from * this.capacity + to;
    if (this.cut[link] === 0) {
      this.cut[link] = 1;
      this.cutCount++;
    }
  }

  healAll(): void {
    this.cut.fill(0);
    this.cutCount = 0;
  }
}
