// Generated list-append histories for the elle benchmark, in Jepsen's shape: `concurrency`
// processes, transactions of 1 to 4 micro-ops over a few active keys, each key retired after
// `writesPerKeyMax` appends (so lists stay short) and replaced by a fresh one. Each transaction
// takes effect atomically at its completion, so the history is strict serializable; with
// `skewEvery`, every that many transactions a write-skew pair is planted (two concurrent
// transactions each reading the key the other appends to, before either took effect): a G2-item
// cycle of two, and nothing else wrong.
import type { History } from '../../../histories/schema.js';

export interface GenerateOptions {
  txns: number;
  seed: number;
  concurrency?: number;
  activeKeys?: number;
  writesPerKeyMax?: number;
  /** Plant a write-skew pair every this many transactions (0: none). */
  skewEvery?: number;
}

/** xorshift32: deterministic, fast, good enough for shapes of benchmark histories. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

type Op = [string, string, number | number[] | null];

export function generateListAppend(options: GenerateOptions): { history: History; planted: number } {
  const next = random(options.seed);
  const concurrency = options.concurrency ?? 10;
  const writesMax = options.writesPerKeyMax ?? 16;
  const keys: string[] = [];
  let keyNext = 0;
  for (let i = 0; i < (options.activeKeys ?? 8); i += 1) keys.push(String(keyNext++));
  const lists = new Map<string, number[]>();
  const history: History = [];
  const push = (process: number, type: 'invoke' | 'ok', value: Op[]): void => {
    history.push({ index: history.length, process, type, f: 'txn', value });
  };
  const invokeValue = (ops: Op[]): Op[] => ops.map((op) => (op[0] === 'r' ? [op[0], op[1], null] : op));
  const append = (key: string, ops: Op[]): void => {
    const list = lists.get(key) ?? [];
    const value = list.length + 1;
    ops.push(['append', key, value]);
    list.push(value);
    lists.set(key, list);
    if (list.length >= writesMax) {
      const slot = keys.indexOf(key);
      if (slot >= 0) keys[slot] = String(keyNext++);
    }
  };
  // Running transactions: their ops, applied (reads filled in) when they complete.
  const running: { process: number; shape: { f: 'append' | 'r'; key: string }[] }[] = [];
  let started = 0;
  let planted = 0;
  const skewEvery = options.skewEvery ?? 0;
  const complete = (slot: number): void => {
    const txn = running.splice(slot, 1)[0]!;
    const ops: Op[] = [];
    for (const op of txn.shape) {
      if (op.f === 'r') ops.push(['r', op.key, [...(lists.get(op.key) ?? [])]]);
      else append(op.key, ops);
    }
    // The invoke was written when it started; its appends' values are known only now, so the
    // invoke record is patched (the history is built in memory, never streamed half-made).
    const invoke = history[invokeAt.get(txn)!]!;
    invoke.value = invokeValue(ops);
    push(txn.process, 'ok', ops);
  };
  const invokeAt = new Map<object, number>();
  const free: number[] = [];
  for (let p = concurrency - 1; p >= 0; p -= 1) free.push(p);
  while (started < options.txns || running.length > 0) {
    if (skewEvery > 0 && started > 0 && started % skewEvery === 0 && started + 2 <= options.txns && free.length >= 2 && running.length === 0) {
      // Write skew on two fresh keys: both read before either appends.
      const a = String(keyNext++);
      const b = String(keyNext++);
      const p1 = free.pop()!;
      const p2 = free.pop()!;
      const t1: Op[] = [['r', a, []], ['append', b, 1]];
      const t2: Op[] = [['r', b, []], ['append', a, 1]];
      push(p1, 'invoke', invokeValue(t1));
      push(p2, 'invoke', invokeValue(t2));
      push(p1, 'ok', t1);
      push(p2, 'ok', t2);
      lists.set(a, [1]);
      lists.set(b, [1]);
      free.push(p1, p2);
      started += 2;
      planted += 1;
      continue;
    }
    const mayStart = started < options.txns && free.length > 0 && !(skewEvery > 0 && started > 0 && started % skewEvery === 0);
    if (mayStart && (running.length === 0 || next() < 0.5)) {
      const process = free.pop()!;
      const length = 1 + Math.floor(next() * 4);
      const shape: { f: 'append' | 'r'; key: string }[] = [];
      for (let i = 0; i < length; i += 1) shape.push({ f: next() < 0.5 ? 'append' : 'r', key: keys[Math.floor(next() * keys.length)]! });
      const txn = { process, shape };
      invokeAt.set(txn, history.length);
      push(process, 'invoke', []);
      running.push(txn);
      started += 1;
      continue;
    }
    const slot = Math.floor(next() * running.length);
    const process = running[slot]!.process;
    complete(slot);
    free.push(process);
  }
  return { history, planted };
}
