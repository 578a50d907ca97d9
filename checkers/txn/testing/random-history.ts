// Small random list-append histories for property tests. Half are made by running the committed
// transactions one at a time in a random order (serializable unless a read is then disturbed),
// half give every read a random prefix of a random final order of each key (mostly not).
import fc from 'fast-check';
import type { History } from '../../../histories/schema.js';

type Shape = { f: 'append' | 'r'; key: string }[];

export interface RandomTxnHistory {
  history: History;
  mode: 'serial' | 'random';
}

function pick<T>(items: readonly T[], choice: number): T {
  return items[choice % items.length]!;
}

function shuffled<T>(items: readonly T[], choices: readonly number[]): T[] {
  const rest = [...items];
  const out: T[] = [];
  let i = 0;
  while (rest.length > 0) out.push(rest.splice((choices[i++ % Math.max(1, choices.length)] ?? 0) % rest.length, 1)[0]!);
  return out;
}

export function build(shapes: Shape[], failed: boolean[], serial: boolean, choices: number[], disturb: boolean): RandomTxnHistory {
  let next = 1;
  const txns = shapes.map((shape, id) => ({
    id,
    ok: !failed[id],
    ops: shape.map((op) => (op.f === 'append' ? ['append', op.key, next++] : ['r', op.key, null]) as [string, string, number | number[] | null]),
  }));
  let c = 0;
  const choose = (): number => choices[c++ % Math.max(1, choices.length)] ?? 0;
  if (serial) {
    const lists = new Map<string, number[]>();
    for (const txn of shuffled(txns.filter((t) => t.ok), choices)) {
      for (const op of txn.ops) {
        if (op[0] === 'append') lists.set(op[1], [...(lists.get(op[1]) ?? []), op[2] as number]);
        else op[2] = [...(lists.get(op[1]) ?? [])];
      }
    }
    if (disturb) {
      const reads = txns.filter((t) => t.ok).flatMap((t) => t.ops.filter((op) => op[0] === 'r'));
      if (reads.length > 0) {
        const read = pick(reads, choose());
        const all = lists.get(read[1]) ?? [];
        read[2] = all.slice(0, choose() % (all.length + 1));
      }
    }
  } else {
    const finals = new Map<string, number[]>();
    for (const key of ['x', 'y', 'z']) {
      const values = txns.filter((t) => t.ok || choose() % 4 === 0).flatMap((t) => t.ops.filter((op) => op[0] === 'append' && op[1] === key).map((op) => op[2] as number));
      finals.set(key, shuffled(values, choices.slice(c)));
    }
    for (const txn of txns) for (const op of txn.ops) if (op[0] === 'r') {
      const all = finals.get(op[1])!;
      op[2] = all.slice(0, choose() % (all.length + 1));
    }
  }
  const history: History = [];
  for (const txn of txns) {
    history.push({ index: history.length, process: txn.id, type: 'invoke', f: 'txn', value: txn.ops.map((op) => [op[0], op[1], op[0] === 'r' ? null : op[2]]) });
    history.push({ index: history.length, process: txn.id, type: txn.ok ? 'ok' : 'fail', f: 'txn', value: txn.ops.map((op) => [op[0], op[1], op[0] === 'r' && !txn.ok ? null : op[2]]) });
  }
  return { history, mode: serial ? 'serial' : 'random' };
}

export const randomTxnHistory: fc.Arbitrary<RandomTxnHistory> = fc
  .record({
    shapes: fc.array(fc.array(fc.record({ f: fc.constantFrom<'append' | 'r'>('append', 'r'), key: fc.constantFrom('x', 'y', 'z') }), { minLength: 1, maxLength: 3 }), {
      minLength: 2,
      maxLength: 5,
    }),
    failOne: fc.nat(9),
    serial: fc.boolean(),
    disturb: fc.boolean(),
    choices: fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }),
  })
  // At most one aborted transaction (none when failOne >= 5), so most have several committed ones.
  .map(({ shapes, failOne, serial, disturb, choices }) => build(shapes, shapes.map((_, i) => i === failOne), serial, choices, disturb));
