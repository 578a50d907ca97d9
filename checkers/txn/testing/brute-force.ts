// Dumb, obviously right twins of the transactional checker, for property tests on small histories:
// - `serializable`: tries every order of the committed transactions, runs them one at a time on
//   empty lists or registers, and asks whether every read returns what it returned in the history;
// - `cycleClasses`: enumerates every simple cycle of a dependency graph by DFS and classifies each
//   by Adya's rules (ww only: G0; no rw: G1c; one rw: G-single; more: G2-item).
import type { GraphBuilder } from '../graph.js';
import { RW, WR, WW, type Scalar, type Txn } from '../types.js';

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i += 1) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i]!, ...tail];
  }
}

function runs(order: readonly Txn[], model: 'list-append' | 'rw-register'): boolean {
  const lists = new Map<string, Scalar[]>();
  const registers = new Map<string, Scalar | null>();
  for (const txn of order) {
    for (const op of txn.ops) {
      if (op.f === 'append') lists.set(op.key, [...(lists.get(op.key) ?? []), op.value]);
      else if (op.f === 'w') registers.set(op.key, op.value);
      else if (model === 'list-append') {
        const now = lists.get(op.key) ?? [];
        const seen = (op.value ?? []) as Scalar[];
        if (now.length !== seen.length || now.some((v, i) => v !== seen[i])) return false;
      } else if ((registers.get(op.key) ?? null) !== op.value) return false;
    }
  }
  return true;
}

/** Whether some serial order of the committed transactions explains every read. */
export function serializable(txns: readonly Txn[], model: 'list-append' | 'rw-register'): boolean {
  const committed = txns.filter((txn) => txn.status === 'ok');
  for (const order of permutations(committed)) if (runs(order, model)) return true;
  return false;
}

export type BaseClass = 'G0' | 'G1c' | 'G-single' | 'G2-item';

/** The classes of all simple cycles over the data edges of `builder` (each edge used as any of its kinds). */
export function cycleClasses(builder: GraphBuilder): Set<BaseClass> {
  const n = builder.nodes;
  const out: { to: number; bit: number }[][] = Array.from({ length: n }, () => []);
  for (let e = 0; e < builder.size; e += 1) {
    for (const bit of [WW, WR, RW]) if ((builder.bits[e]! & bit) !== 0) out[builder.from[e]!]!.push({ to: builder.to[e]!, bit });
  }
  const classes = new Set<BaseClass>();
  const onPath = new Array<boolean>(n).fill(false);
  const bits: number[] = [];
  // Cycles rooted at their smallest node, so each is walked from one start.
  const walk = (start: number, node: number): void => {
    for (const { to, bit } of out[node]!) {
      if (to === start) {
        const all = [...bits, bit];
        const rw = all.filter((b) => b === RW).length;
        classes.add(rw === 0 ? (all.every((b) => b === WW) ? 'G0' : 'G1c') : rw === 1 ? 'G-single' : 'G2-item');
        continue;
      }
      if (to < start || onPath[to]) continue;
      onPath[to] = true;
      bits.push(bit);
      walk(start, to);
      bits.pop();
      onPath[to] = false;
    }
  };
  for (let start = 0; start < n; start += 1) {
    onPath[start] = true;
    walk(start, start);
    onPath[start] = false;
  }
  return classes;
}
