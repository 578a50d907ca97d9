// Dependencies of a list-append history (Elle, section 4). Every element is appended once, so a
// read's list names the transactions that wrote each element; the longest read of a key gives its
// version order, and every other read must be a prefix of it. From that order:
// - ww: the writer of element i precedes the writer of element i+1;
// - wr: the writer of a read's last (foreign) element precedes the reader;
// - rw: the reader precedes the writer of the element that comes right after what it saw;
// - a committed append no read saw follows the whole longest read.
// Reads of a transaction's own appends are internal: they are checked against what the
// transaction itself did and give no edge.
import type { GraphBuilder } from './graph.js';
import { Findings, nameTxn } from './findings.js';
import { showValue } from './txns.js';
import { RW, WR, WW, type Scalar, type Txn } from './types.js';

interface Writer {
  txn: Txn;
  /** The last element this transaction appended to the key. */
  final: Scalar;
}

interface Read {
  txn: Txn;
  /** The list as read. */
  list: readonly Scalar[];
  /** How many leading elements came from others (the rest are the reader's own appends). */
  external: number;
  /** The first read of this key in the transaction, before its own appends to it. */
  beforeOwnWrite: boolean;
  /** The reader's own appends to the key before this read. */
  own: readonly Scalar[];
}

interface KeyState {
  writers: Map<Scalar, Writer>;
  reads: Read[];
}

function stateOf(keys: Map<string, KeyState>, key: string): KeyState {
  let state = keys.get(key);
  if (state === undefined) keys.set(key, (state = { writers: new Map(), reads: [] }));
  return state;
}

function sameList(a: readonly Scalar[], b: readonly Scalar[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

const NONE: readonly Scalar[] = [];

/** Whether `list` ends with `tail`. */
function endsWith(list: readonly Scalar[], tail: readonly Scalar[]): boolean {
  if (tail.length > list.length) return false;
  const offset = list.length - tail.length;
  for (let i = 0; i < tail.length; i += 1) if (list[offset + i] !== tail[i]) return false;
  return true;
}

/** Collects writers, reads and internal-consistency findings, transaction by transaction. */
function collect(txns: readonly Txn[], findings: Findings): Map<string, KeyState> {
  const keys = new Map<string, KeyState>();
  for (const txn of txns) {
    // What this transaction knows of each key: the whole list once it read it (`complete`), else
    // only its own appends. `list` may be the read's own array until the next append copies it.
    const known = new Map<string, { list: readonly Scalar[]; complete: boolean; appended: Scalar[] }>();
    for (const op of txn.ops) {
      const state = stateOf(keys, op.key);
      let mine = known.get(op.key);
      if (mine === undefined) known.set(op.key, (mine = { list: NONE, complete: false, appended: [] }));
      if (op.f === 'append') {
        const earlier = state.writers.get(op.value);
        if (earlier !== undefined) {
          findings.add('duplicate-appends', op.key, [earlier.txn, txn], `${nameTxn(earlier.txn)} and ${nameTxn(txn)} both appended ${showValue(op.value)} to key ${op.key}`);
        } else {
          state.writers.set(op.value, { txn, final: op.value });
        }
        mine.list = [...mine.list, op.value];
        mine.appended.push(op.value);
        continue;
      }
      if (op.f === 'w') continue;
      if (txn.status !== 'ok') continue;
      if (op.value !== null && !Array.isArray(op.value)) {
        findings.add('garbage-read', op.key, [txn], `${nameTxn(txn)} read ${showValue(op.value)} from key ${op.key}, which is not a list`);
        continue;
      }
      const list = op.value ?? NONE;
      const consistent = mine.complete ? sameList(list, mine.list) : endsWith(list, mine.list);
      if (!consistent) {
        const expected = mine.complete ? showValue(mine.list) : `a list ending in ${showValue(mine.list)}`;
        findings.add('internal', op.key, [txn], `${nameTxn(txn)} read ${showValue(list)} from key ${op.key}, but its own earlier reads and appends say ${expected}`);
      }
      // The foreign part is what precedes the first of its own appends.
      const appended = mine.appended;
      const firstOwn = appended.length === 0 ? -1 : list.findIndex((value) => appended.includes(value));
      const external = firstOwn === -1 ? list.length : firstOwn;
      state.reads.push({ txn, list, external, beforeOwnWrite: appended.length === 0, own: appended.length === 0 ? NONE : [...appended] });
      mine.list = list;
      mine.complete = true;
    }
  }
  // The final append of each transaction to each key, for intermediate reads.
  for (const state of keys.values()) {
    const last = new Map<Txn, Scalar>();
    for (const [value, writer] of state.writers) last.set(writer.txn, value);
    for (const writer of state.writers.values()) writer.final = last.get(writer.txn)!;
  }
  return keys;
}

/**
 * Adds the ww, wr and rw edges of a list-append history to `builder` and records the non-cycle
 * anomalies. Returns false when the edge budget ran out.
 */
export function addListAppendEdges(txns: readonly Txn[], builder: GraphBuilder, findings: Findings): boolean {
  const keys = collect(txns, findings);
  for (const [key, state] of keys) {
    let longest: readonly Scalar[] = [];
    for (const read of state.reads) if (read.list.length > longest.length) longest = read.list;
    const writerOf = (value: Scalar): Txn | undefined => {
      const writer = state.writers.get(value)?.txn;
      return writer === undefined || writer.status === 'fail' ? undefined : writer;
    };
    // Checks on the reads themselves: duplicates, garbage, aborted and intermediate reads, prefixes.
    let incompatibleReported = false;
    const lostUpdate = new Map<number, Txn[]>();
    const seen = new Set<Scalar>();
    for (const read of state.reads) {
      seen.clear();
      let duplicate = false;
      let future: Scalar | undefined;
      for (const value of read.list) {
        if (!duplicate && seen.has(value)) {
          findings.add('duplicate-elements', key, [read.txn], `${nameTxn(read.txn)} read ${showValue(read.list)} from key ${key}: ${showValue(value)} appears twice`);
          duplicate = true;
        }
        seen.add(value);
        const writer = state.writers.get(value);
        if (writer === undefined) {
          findings.add('garbage-read', key, [read.txn], `${nameTxn(read.txn)} read ${showValue(value)} in key ${key} (${showValue(read.list)}), which no transaction appended`);
        } else if (writer.txn === read.txn) {
          if (future === undefined && !read.own.includes(value)) future = value;
        } else if (writer.txn.status === 'fail') {
          findings.add('G1a', key, [writer.txn, read.txn], `${nameTxn(read.txn)} read ${showValue(value)} in key ${key}, appended by the aborted ${nameTxn(writer.txn)}`);
        }
      }
      if (future !== undefined) {
        findings.add('internal', key, [read.txn], `${nameTxn(read.txn)} read ${showValue(read.list)} from key ${key}, which holds ${showValue(future)}, an append it made only later`);
      }
      if (read.external > 0) {
        const last = read.list[read.external - 1]!;
        const writer = state.writers.get(last);
        if (writer !== undefined && writer.txn !== read.txn && writer.final !== last && writer.txn.status !== 'fail') {
          findings.add('G1b', key, [writer.txn, read.txn], `${nameTxn(read.txn)} read key ${key} as ${showValue(read.list)}, ending in ${showValue(last)}, an intermediate append of ${nameTxn(writer.txn)}, whose final append to it was ${showValue(writer.final)}`);
        }
      }
      let prefix = read.list === longest || read.list.length <= longest.length;
      for (let i = 0; prefix && read.list !== longest && i < read.list.length; i += 1) prefix = longest[i] === read.list[i];
      if (!prefix) {
        if (!incompatibleReported) {
          const owner = state.reads.find((other) => other.list === longest)!.txn;
          findings.add('incompatible-order', key, [read.txn, owner], `key ${key} was read as ${showValue(read.list)} by ${nameTxn(read.txn)} and as ${showValue(longest)} by ${nameTxn(owner)}: neither is a prefix of the other`);
          incompatibleReported = true;
        }
        continue;
      }
      if (read.beforeOwnWrite && txnAppendsTo(read.txn, key)) {
        const group = lostUpdate.get(read.list.length) ?? [];
        group.push(read.txn);
        lostUpdate.set(read.list.length, group);
      }
      // wr: the writer of the last foreign element precedes the reader.
      if (read.external > 0) {
        const value = read.list[read.external - 1]!;
        const writer = writerOf(value);
        if (writer !== undefined && !builder.add(writer.id, read.txn.id, WR, key, value, null)) return false;
      }
      // rw: the reader precedes whoever appended the element after what it saw from others.
      if (read.external === read.list.length && read.external < longest.length) {
        const next = longest[read.external]!;
        const writer = writerOf(next);
        const seen = read.external > 0 ? read.list[read.external - 1]! : null;
        if (writer !== undefined && !builder.add(read.txn.id, writer.id, RW, key, seen, next)) return false;
      }
    }
    for (const [length, group] of lostUpdate) {
      const distinct = [...new Set(group)];
      if (distinct.length < 2) continue;
      findings.add('lost-update', key, distinct, `${distinct.map(nameTxn).join(' and ')} all read key ${key} as ${showValue(longest.slice(0, length))} and then appended to it`);
    }
    // A transaction's appends to a key land in its own order: the version order holds a prefix of
    // them, at increasing positions (interleaving with others shows up as a ww cycle).
    const position = new Map<Scalar, number>();
    longest.forEach((value, i) => position.set(value, i));
    const appendsOf = new Map<Txn, Scalar[]>();
    for (const [value, writer] of state.writers) {
      const list = appendsOf.get(writer.txn) ?? [];
      list.push(value);
      appendsOf.set(writer.txn, list);
    }
    for (const [writer, values] of appendsOf) {
      if (writer.status === 'fail' || values.length < 2) continue;
      let ordered = true;
      let previous = -1;
      let absent = false;
      for (const value of values) {
        const at = position.get(value);
        if (at === undefined) absent = true;
        else if (absent || at < previous) ordered = false;
        else previous = at;
      }
      if (!ordered) {
        findings.add('incompatible-order', key, [writer], `${nameTxn(writer)} appended ${values.map((v) => showValue(v)).join(', ')} to key ${key} in that order, but the longest read ${showValue(longest)} has them otherwise`);
      }
    }
    // ww: consecutive elements of the version order.
    for (let i = 1; i < longest.length; i += 1) {
      const a = writerOf(longest[i - 1]!);
      const b = writerOf(longest[i]!);
      if (a !== undefined && b !== undefined && !builder.add(a.id, b.id, WW, key, longest[i - 1]!, longest[i]!)) return false;
    }
    // A committed append no read saw still lies in the key's final list, which every read is a
    // prefix of: it follows the whole longest read, so it follows that read's last writer (ww) and
    // every reader that saw all of it (rw). Indeterminate appends may never have happened.
    const inLongest = new Set(longest);
    const lastWriter = longest.length > 0 ? writerOf(longest[longest.length - 1]!) : undefined;
    const sawAll = state.reads.filter((read) => read.list.length === longest.length && read.external === read.list.length);
    for (const [value, writer] of state.writers) {
      if (inLongest.has(value) || writer.txn.status !== 'ok') continue;
      const last = longest.length > 0 ? longest[longest.length - 1]! : null;
      if (lastWriter !== undefined && !builder.add(lastWriter.id, writer.txn.id, WW, key, last, value)) return false;
      for (const read of sawAll) if (!builder.add(read.txn.id, writer.txn.id, RW, key, last, value)) return false;
    }
  }
  return true;
}

function txnAppendsTo(txn: Txn, key: string): boolean {
  return txn.ops.some((op) => op.f === 'append' && op.key === key);
}
