// Dependencies of an rw-register history. Every value is written once per key, so a read names
// its writer: wr always. The version order is only partly known: the initial nil precedes every
// written value, so a reader of nil precedes every writer of the key (rw); with `wfr` (Elle's
// wfr-keys: a transaction that reads a key and then writes it installs its write after what it
// read) the read value precedes the written one, giving ww from its writer and rw from its other
// readers. Reads after a transaction's own write are internal and give no edge.
import type { GraphBuilder } from './graph.js';
import { Findings, nameTxn } from './findings.js';
import { showValue, TxnInputError } from './txns.js';
import { RW, WR, WW, type Scalar, type Txn } from './types.js';

interface KeyState {
  writers: Map<Scalar, { txn: Txn; final: boolean }>;
  /** External reads of committed transactions: the value seen (null: the initial state). */
  reads: { txn: Txn; value: Scalar | null }[];
  /** Versions known to follow others (wfr): [read value or null, written value, writer]. */
  follows: { before: Scalar | null; after: Scalar; txn: Txn }[];
}

export interface RegisterOptions {
  /** A transaction's write to a key follows the value it read of that key before (default false). */
  wfr?: boolean;
}

export function addRegisterEdges(txns: readonly Txn[], builder: GraphBuilder, findings: Findings, options: RegisterOptions = {}): boolean {
  const keys = new Map<string, KeyState>();
  const stateOf = (key: string): KeyState => {
    let state = keys.get(key);
    if (state === undefined) keys.set(key, (state = { writers: new Map(), reads: [], follows: [] }));
    return state;
  };
  for (const txn of txns) {
    const known = new Map<string, { value: Scalar | null; wrote: boolean; readFirst: Scalar | null | undefined }>();
    for (const op of txn.ops) {
      const state = stateOf(op.key);
      const mine = known.get(op.key);
      if (op.f === 'w') {
        const earlier = state.writers.get(op.value);
        if (earlier !== undefined && earlier.txn !== txn) {
          throw new TxnInputError(`key ${op.key}: ${nameTxn(earlier.txn)} and ${nameTxn(txn)} both wrote ${showValue(op.value)}; rw-register histories need unique values per key`);
        }
        for (const writer of state.writers.values()) if (writer.txn === txn) writer.final = false;
        state.writers.set(op.value, { txn, final: true });
        if (options.wfr === true && mine !== undefined && !mine.wrote && mine.readFirst !== undefined && txn.status === 'ok') {
          state.follows.push({ before: mine.readFirst, after: op.value, txn });
        }
        known.set(op.key, { value: op.value, wrote: true, readFirst: mine?.readFirst });
        continue;
      }
      if (op.f === 'append') throw new TxnInputError(`${nameTxn(txn)}: an append in an rw-register history; check it with --model list-append`);
      if (txn.status !== 'ok') continue;
      if (Array.isArray(op.value)) {
        findings.add('garbage-read', op.key, [txn], `${nameTxn(txn)} read a list ${showValue(op.value)} from register ${op.key}`);
        continue;
      }
      if (mine !== undefined) {
        if (op.value !== mine.value) {
          findings.add('internal', op.key, [txn], `${nameTxn(txn)} read ${showValue(op.value)} from key ${op.key}, but it had ${mine.wrote ? 'written' : 'read'} ${showValue(mine.value)} there before`);
        }
        continue;
      }
      known.set(op.key, { value: op.value, wrote: false, readFirst: op.value });
      state.reads.push({ txn, value: op.value });
    }
  }
  for (const [key, state] of keys) {
    const writerOf = (value: Scalar): Txn | undefined => {
      const writer = state.writers.get(value)?.txn;
      return writer === undefined || writer.status === 'fail' ? undefined : writer;
    };
    const readersOf = new Map<Scalar | null, Txn[]>();
    for (const read of state.reads) {
      const list = readersOf.get(read.value) ?? [];
      list.push(read.txn);
      readersOf.set(read.value, list);
      if (read.value === null) continue;
      const writer = state.writers.get(read.value);
      if (writer === undefined) {
        findings.add('garbage-read', key, [read.txn], `${nameTxn(read.txn)} read ${showValue(read.value)} from key ${key}, which no transaction wrote`);
        continue;
      }
      if (writer.txn.status === 'fail') {
        findings.add('G1a', key, [writer.txn, read.txn], `${nameTxn(read.txn)} read ${showValue(read.value)} from key ${key}, written by the aborted ${nameTxn(writer.txn)}`);
        continue;
      }
      if (!writer.final) {
        findings.add('G1b', key, [writer.txn, read.txn], `${nameTxn(read.txn)} read ${showValue(read.value)} from key ${key}, an intermediate write of ${nameTxn(writer.txn)}, which wrote the key again later`);
      }
      if (!builder.add(writer.txn.id, read.txn.id, WR, key, read.value, null)) return false;
    }
    // Lost update: two committed transactions read the same version and both wrote the key.
    for (const [value, readers] of readersOf) {
      const writing = readers.filter((txn) => txn.ops.some((op) => op.f === 'w' && op.key === key));
      if (writing.length >= 2) findings.add('lost-update', key, writing, `${writing.map(nameTxn).join(' and ')} all read key ${key} as ${showValue(value)} and then wrote it`);
    }
    // The initial state precedes every write.
    for (const reader of readersOf.get(null) ?? []) {
      for (const [value, writer] of state.writers) {
        if (writer.txn.status === 'fail') continue;
        if (!builder.add(reader.id, writer.txn.id, RW, key, null, value)) return false;
      }
    }
    for (const { before, after, txn } of state.follows) {
      if (before !== null) {
        const writer = writerOf(before);
        if (writer !== undefined && !builder.add(writer.id, txn.id, WW, key, before, after)) return false;
      }
      // Readers of `before` other than the overwriter precede it (nil readers already have this edge).
      if (before === null) continue;
      for (const reader of readersOf.get(before) ?? []) if (!builder.add(reader.id, txn.id, RW, key, before, after)) return false;
    }
  }
  return true;
}
