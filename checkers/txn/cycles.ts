// The shortest cycle of one anomaly class inside one strongly connected component. A class is an
// anchor edge kind plus the kinds the rest of the cycle may use and must contain (Adya's G0: only
// ww; G1c: ww and wr with a wr; G-single: exactly one rw; G2-item: two or more rw; the -process and
// -realtime variants also use those order edges and contain at least one). The search is a BFS
// from each anchor edge's target back to its source over (node, flags) states, restricted to the
// component, where flags record whether the path so far used an rw and an order edge.
import { type Budget, type Graph } from './graph.js';
import { DATA, PROCESS, REALTIME, RW, WR, WW, type CycleClass } from './types.js';

export interface CycleSpec {
  cls: CycleClass;
  anchor: number;
  /** Kinds the path from the anchor's target back to its source may use. */
  path: number;
  /** The path must use an rw edge (so the cycle has two or more). */
  needRw: boolean;
  /** The cycle must use an edge of this order kind (0: none needed). */
  needOrder: number;
}

function variants(cls: 'G0' | 'G1c' | 'G-single' | 'G2-item', anchor: number, path: number, needRw: boolean): CycleSpec[] {
  return [
    { cls, anchor, path, needRw, needOrder: 0 },
    { cls: `${cls}-process`, anchor, path: path | PROCESS, needRw, needOrder: PROCESS },
    { cls: `${cls}-realtime`, anchor, path: path | PROCESS | REALTIME, needRw, needOrder: REALTIME },
  ];
}

/** Every class, weakest-forbidden first within each order kind. */
export const CYCLE_SPECS: readonly CycleSpec[] = [
  ...variants('G0', WW, WW, false),
  ...variants('G1c', WR, WW | WR, false),
  ...variants('G-single', RW, WW | WR, false),
  ...variants('G2-item', RW, DATA, true),
].sort((a, b) => a.needOrder - b.needOrder);

/** One step of a cycle: the edge id (into the builder's arrays) and the kind it is used as. */
export interface CycleStep {
  edge: number;
  from: number;
  to: number;
  bit: number;
}

const FLAG_RW = 1;
const FLAG_ORDER = 2;
/** After the first cycle is found, this many more anchor targets are tried for a shorter one. */
const TARGETS_AFTER_FOUND_MAX = 64;

/** Scratch arrays reused over components, sized for the whole graph once. */
export class CycleSearch {
  private readonly local: Int32Array;
  private dist = new Int32Array(0);
  private parentState = new Int32Array(0);
  private parentSlot = new Int32Array(0);
  private parentBit = new Uint8Array(0);
  private queue = new Int32Array(0);
  /** The component being searched: local index -> node. */
  private componentNode: readonly number[] = [];

  constructor(private readonly graph: Graph, private readonly budget: Budget) {
    this.local = new Int32Array(graph.nodes).fill(-1);
  }

  /**
   * The shortest cycle of `spec` in `component` found within the budget, or null. `complete` is
   * false when the budget ended the search early (a shorter or any cycle may have been missed).
   */
  find(component: readonly number[], spec: CycleSpec): { cycle: CycleStep[] | null; complete: boolean } {
    const graph = this.graph;
    const size = component.length;
    component.forEach((node, i) => (this.local[node] = i));
    this.componentNode = component;
    try {
      if (this.dist.length < size * 4) {
        this.dist = new Int32Array(size * 4);
        this.parentState = new Int32Array(size * 4);
        this.parentSlot = new Int32Array(size * 4);
        this.parentBit = new Uint8Array(size * 4);
        this.queue = new Int32Array(size * 4);
      }
      // Anchor edges grouped by their target: one BFS from a target serves all its anchors.
      const anchorsByTarget = new Map<number, number[]>();
      for (const from of component) {
        if (!this.budget.spend(graph.offset[from + 1]! - graph.offset[from]! + 1)) return { cycle: null, complete: false };
        for (let slot = graph.offset[from]!; slot < graph.offset[from + 1]!; slot += 1) {
          if ((graph.bits[slot]! & spec.anchor) === 0 || this.local[graph.target[slot]!] === -1) continue;
          const to = graph.target[slot]!;
          let list = anchorsByTarget.get(to);
          if (list === undefined) anchorsByTarget.set(to, (list = []));
          list.push(slot);
        }
      }
      let best: CycleStep[] | null = null;
      let targetsAfterFound = 0;
      for (const [start, anchorSlots] of anchorsByTarget) {
        if (best !== null && (best.length <= 2 || targetsAfterFound++ >= TARGETS_AFTER_FOUND_MAX)) break;
        // A path of `best.length - 2` edges or fewer, plus the anchor, is strictly shorter.
        const limit = best === null ? Number.MAX_SAFE_INTEGER : best.length - 2;
        const found = this.bfs(start, anchorSlots, spec, limit);
        if (found === 'budget') return { cycle: best, complete: false };
        if (found !== null) best = found;
      }
      return { cycle: best, complete: true };
    } finally {
      for (const node of component) this.local[node] = -1;
    }
  }

  /** BFS from `start`; the shortest path to the source of one of `anchorSlots`, closed by it. */
  private bfs(start: number, anchorSlots: number[], spec: CycleSpec, pathEdgesMax: number): CycleStep[] | null | 'budget' {
    const graph = this.graph;
    const need = (spec.needRw ? FLAG_RW : 0) | (spec.needOrder !== 0 ? FLAG_ORDER : 0);
    const sources = new Map<number, number>();
    for (const slot of anchorSlots) {
      const source = this.sourceOf(slot);
      if (!sources.has(source)) sources.set(source, slot);
    }
    const dist = this.dist;
    const touched: number[] = [];
    const startState = this.local[start]! * 4;
    let head = 0;
    let tail = 0;
    const visit = (state: number, d: number, parent: number, slot: number, bit: number): void => {
      if (dist[state] !== 0) return;
      dist[state] = d + 1;
      this.parentState[state] = parent;
      this.parentSlot[state] = slot;
      this.parentBit[state] = bit;
      touched.push(state);
      this.queue[tail++] = state;
    };
    try {
      visit(startState, 0, -1, -1, 0);
      while (head < tail) {
        const state = this.queue[head++]!;
        const d = dist[state]! - 1;
        const node = this.nodeOfState(state);
        const flags = state & 3;
        const anchorSlot = sources.get(node);
        if (anchorSlot !== undefined && (flags & need) === need) {
          // A walk that needed flags may repeat a node; its simple part of this class, if any.
          const cycle = simpleCycleOf(this.path(state, anchorSlot, spec.anchor), spec);
          if (cycle !== null) return cycle;
        }
        if (d >= pathEdgesMax) continue;
        if (!this.budget.spend(graph.offset[node + 1]! - graph.offset[node]! + 1)) return 'budget';
        for (let slot = graph.offset[node]!; slot < graph.offset[node + 1]!; slot += 1) {
          const bits = graph.bits[slot]! & spec.path;
          if (bits === 0) continue;
          const next = this.local[graph.target[slot]!]!;
          if (next === -1) continue;
          // An edge with several kinds may be used as each; the plain data use comes first.
          const plain = bits & DATA & ~RW;
          if (plain !== 0) visit(next * 4 + flags, d, state, slot, plain & WW ? WW : WR);
          if ((bits & RW) !== 0) visit(next * 4 + (flags | FLAG_RW), d, state, slot, RW);
          const order = bits & (PROCESS | REALTIME);
          if (order !== 0) {
            const counts = (order & spec.needOrder) !== 0;
            const bit = counts ? spec.needOrder : order & PROCESS ? PROCESS : REALTIME;
            visit(next * 4 + (counts ? flags | FLAG_ORDER : flags), d, state, slot, bit);
          }
        }
      }
      return null;
    } finally {
      for (const state of touched) dist[state] = 0;
    }
  }

  private nodeOfState(state: number): number {
    return this.componentNode[state >> 2]!;
  }

  private sourceOf(slot: number): number {
    return this.graph.builder.from[this.graph.edge[slot]!]!;
  }

  private path(endState: number, anchorSlot: number, anchorBit: number): CycleStep[] {
    const steps: CycleStep[] = [];
    let state = endState;
    while (this.parentState[state] !== -1) {
      const slot = this.parentSlot[state]!;
      const edge = this.graph.edge[slot]!;
      steps.push({ edge, from: this.graph.builder.from[edge]!, to: this.graph.target[slot]!, bit: this.parentBit[state]! });
      state = this.parentState[state]!;
    }
    steps.reverse();
    const anchorEdge = this.graph.edge[anchorSlot]!;
    steps.push({ edge: anchorEdge, from: this.graph.builder.from[anchorEdge]!, to: this.graph.target[anchorSlot]!, bit: anchorBit });
    // Start the cycle at its anchor edge so G-single reads "rw first".
    steps.unshift(steps.pop()!);
    return steps;
  }
}

/** The number of rw uses a cycle of this class has: 0 (G0, G1c), exactly 1 (G-single), 2 or more. */
function rwCountFits(spec: CycleSpec, rw: number): boolean {
  if (spec.anchor !== RW) return rw === 0;
  return spec.needRw ? rw >= 2 : rw === 1;
}

/** Whether a simple cycle is of the class `spec` describes. */
export function cycleFits(spec: CycleSpec, steps: readonly CycleStep[]): boolean {
  let rw = 0;
  let anchor = false;
  let order = spec.needOrder === 0;
  for (const step of steps) {
    if (step.bit === RW) rw += 1;
    if (step.bit === spec.anchor) anchor = true;
    if (step.bit === spec.needOrder) order = true;
    if ((step.bit & (spec.path | spec.anchor)) === 0) return false;
  }
  return anchor && order && rwCountFits(spec, rw);
}

/**
 * A closed walk split at repeated nodes into simple cycles; the shortest that fits the class, or
 * null. A walk without repeats is returned as it is when it fits.
 */
export function simpleCycleOf(walk: CycleStep[], spec: CycleSpec): CycleStep[] | null {
  const pieces: CycleStep[][] = [];
  const stack: CycleStep[] = [];
  const at = new Map<number, number>();
  at.set(walk[0]!.from, 0);
  for (const step of walk) {
    stack.push(step);
    const seen = at.get(step.to);
    if (seen !== undefined) {
      const piece = stack.splice(seen);
      for (const s of piece) if (s.to !== step.to) at.delete(s.to);
      pieces.push(piece);
    } else {
      at.set(step.to, stack.length);
    }
  }
  let best: CycleStep[] | null = null;
  for (const piece of pieces) if (cycleFits(spec, piece) && (best === null || piece.length < best.length)) best = piece;
  return best;
}
