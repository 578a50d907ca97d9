// The dependency graph: transactions are nodes 0..n-1, edges carry kind bits (types.ts) and the
// data that explains them. Edges are collected into flat arrays and then laid out as compressed
// adjacency (CSR), because histories of a million transactions give several million edges and an
// object per edge would not fit the memory budget.
import type { Scalar } from './types.js';

export class GraphBuilder {
  readonly from: number[] = [];
  readonly to: number[] = [];
  readonly bits: number[] = [];
  /** Per edge: the key, and the two values explaining it (see EdgeWhy in types.ts); null for order edges. */
  readonly keys: (string | null)[] = [];
  readonly valueA: (Scalar | null)[] = [];
  readonly valueB: (Scalar | null)[] = [];

  constructor(readonly nodes: number, readonly edgesMax: number) {}

  get size(): number {
    return this.from.length;
  }

  /** Adds one edge; false when the edge budget is spent (the caller reports unknown). */
  add(from: number, to: number, bit: number, key: string | null = null, a: Scalar | null = null, b: Scalar | null = null): boolean {
    if (from === to) return true;
    if (this.from.length >= this.edgesMax) return false;
    this.from.push(from);
    this.to.push(to);
    this.bits.push(bit);
    this.keys.push(key);
    this.valueA.push(a);
    this.valueB.push(b);
    return true;
  }
}

/** Compressed adjacency: the out-edges of node v are edge ids `edge[offset[v] .. offset[v+1])`. */
export interface Graph {
  nodes: number;
  offset: Int32Array;
  /** Edge ids into the builder's arrays, grouped by source node. */
  edge: Int32Array;
  target: Int32Array;
  bits: Uint8Array;
  builder: GraphBuilder;
}

export function buildGraph(builder: GraphBuilder): Graph {
  const n = builder.nodes;
  const m = builder.size;
  const offset = new Int32Array(n + 1);
  for (let e = 0; e < m; e += 1) offset[builder.from[e]! + 1] += 1;
  for (let v = 0; v < n; v += 1) offset[v + 1] += offset[v]!;
  const fill = offset.slice(0, n);
  const edge = new Int32Array(m);
  const target = new Int32Array(m);
  const bits = new Uint8Array(m);
  for (let e = 0; e < m; e += 1) {
    const slot = fill[builder.from[e]!]!++;
    edge[slot] = e;
    target[slot] = builder.to[e]!;
    bits[slot] = builder.bits[e]!;
  }
  return { nodes: n, offset, edge, target, bits, builder };
}

/** A shared step counter: every loop over nodes or edges spends from it, so no search hangs. */
export class Budget {
  steps = 0;
  constructor(readonly stepsMax: number) {}

  /** Spends `count` steps; false once the budget is gone. */
  spend(count = 1): boolean {
    this.steps += count;
    return this.steps <= this.stepsMax;
  }

  get exhausted(): boolean {
    return this.steps > this.stepsMax;
  }
}

/**
 * Strongly connected components with more than one node, over edges whose bits meet `mask`
 * (Tarjan's algorithm, iterative so a long chain cannot overflow the stack). Returns null when the
 * budget runs out.
 */
export function stronglyConnected(graph: Graph, mask: number, budget: Budget): number[][] | null {
  const n = graph.nodes;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let stackSize = 0;
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let counter = 0;
  const components: number[][] = [];
  for (let root = 0; root < n; root += 1) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = graph.offset[root]!;
    index[root] = low[root] = counter++;
    stack[stackSize++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      if (!budget.spend()) return null;
      const v = callNode[depth]!;
      const end = graph.offset[v + 1]!;
      let slot = callEdge[depth]!;
      let descended = false;
      while (slot < end) {
        const w = graph.target[slot]!;
        const usable = (graph.bits[slot]! & mask) !== 0;
        slot += 1;
        if (!usable) continue;
        if (index[w] === -1) {
          callEdge[depth] = slot;
          depth += 1;
          callNode[depth] = w;
          callEdge[depth] = graph.offset[w]!;
          index[w] = low[w] = counter++;
          stack[stackSize++] = w;
          onStack[w] = 1;
          descended = true;
          break;
        }
        if (onStack[w] === 1 && index[w]! < low[v]!) low[v] = index[w]!;
      }
      if (descended) continue;
      callEdge[depth] = slot;
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack[--stackSize]!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        if (component.length > 1) components.push(component.sort((a, b) => a - b));
      }
      depth -= 1;
      if (depth >= 0) {
        const parent = callNode[depth]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return components;
}
