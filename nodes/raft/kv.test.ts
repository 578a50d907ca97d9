import { describe, expect, it } from 'vitest';
import { KvStateMachine, chainStep, entryKey, isValidKvOp } from './kv.js';
import { HASH_SEED } from './hash.js';
import { ByteWriter, readRecord, writeRecord } from './wal-codec.js';
import type { Entry, KvOp, TxnMicroOp } from './types.js';

let index = 0;
function kvEntry(client: string, seq: number, op: KvOp): Entry {
  index++;
  return { index, term: 1, data: { kind: 'kv', client, seq, op } };
}

describe('KvStateMachine', () => {
  it('writes, reads and compare-and-sets', () => {
    index = 0;
    const kv = new KvStateMachine();
    expect(kv.apply(kvEntry('c1', 1, { f: 'write', key: 'x', value: 3 })).result).toEqual({ outcome: 'ok', value: 3 });
    expect(kv.apply(kvEntry('c1', 2, { f: 'cas', key: 'x', value: [2, 9] })).result).toEqual({ outcome: 'fail', value: 3, error: 'cas-mismatch' });
    expect(kv.apply(kvEntry('c1', 3, { f: 'cas', key: 'x', value: [3, 9] })).result).toEqual({ outcome: 'ok', value: 9 });
    expect(kv.read('x')).toBe(9);
    expect(kv.read('never')).toBeNull();
  });

  it('applies a retried command once and answers it with the first result', () => {
    index = 0;
    const kv = new KvStateMachine();
    kv.apply(kvEntry('c1', 1, { f: 'write', key: 'x', value: 1 }));
    kv.apply(kvEntry('c2', 1, { f: 'write', key: 'x', value: 2 }));
    // c1's write retried (the same seq) after c2's: it must not overwrite 2.
    const again = kv.apply(kvEntry('c1', 1, { f: 'write', key: 'x', value: 1 }));
    expect(again).toEqual({ result: { outcome: 'ok', value: 1 }, duplicate: true });
    expect(kv.read('x')).toBe(2);
    // An older seq than the session's is dropped without an answer.
    kv.apply(kvEntry('c1', 2, { f: 'write', key: 'y', value: 5 }));
    expect(kv.apply(kvEntry('c1', 1, { f: 'write', key: 'x', value: 1 })).result).toBeNull();
    expect(kv.read('x')).toBe(2);
  });

  it('without sessions (the planted bug) applies a retry twice', () => {
    index = 0;
    const kv = new KvStateMachine(false);
    kv.apply(kvEntry('c1', 1, { f: 'write', key: 'x', value: 1 }));
    kv.apply(kvEntry('c2', 1, { f: 'write', key: 'x', value: 2 }));
    kv.apply(kvEntry('c1', 1, { f: 'write', key: 'x', value: 1 }));
    expect(kv.read('x')).toBe(1);
  });

  it('round-trips through a snapshot, sessions and chain included', () => {
    index = 0;
    const kv = new KvStateMachine();
    for (let k = 1; k <= 20; k++) kv.apply(kvEntry(`c${k % 3}`, k, { f: 'write', key: `k${k % 4}`, value: k }));
    const copy = new KvStateMachine();
    copy.restore(kv.serialize(), kv.appliedIndex, kv.chain);
    expect(copy.serialize()).toBe(kv.serialize());
    const next = kvEntry('c1', 19, { f: 'write', key: 'k0', value: 99 });
    expect(copy.apply(next)).toEqual(kv.apply(next));
    expect(copy.chain).toBe(kv.chain);
  });

  it('refuses to skip or repeat an index', () => {
    const kv = new KvStateMachine();
    expect(() => kv.apply({ index: 2, term: 1, data: { kind: 'noop' } })).toThrow(/in order/);
  });

  it('chains differ when any applied command differs', () => {
    const a: Entry = { index: 1, term: 1, data: { kind: 'kv', client: 'c1', seq: 1, op: { f: 'write', key: 'x', value: 1 } } };
    const b: Entry = { index: 1, term: 1, data: { kind: 'kv', client: 'c1', seq: 1, op: { f: 'write', key: 'x', value: 2 } } };
    expect(entryKey(a.data)).not.toBe(entryKey(b.data));
    expect(chainStep(HASH_SEED, a)).not.toBe(chainStep(HASH_SEED, b));
  });
});

describe('transactions in the state machine', () => {
  const txn = (ops: TxnMicroOp[]): KvOp => ({ f: 'txn', key: 'txn', value: ops });

  it('applies a transaction at once: its reads see its own appends and writes', () => {
    index = 0;
    const kv = new KvStateMachine();
    kv.apply(kvEntry('c1', 1, txn([['append', 'l', 1], ['w', 'r', 4]])));
    const outcome = kv.apply(kvEntry('c2', 1, txn([['r', 'l', null], ['append', 'l', 2], ['r', 'l', null], ['r', 'r', null], ['r', 'none', null]])));
    expect(outcome.result).toEqual({ outcome: 'ok', value: null, txn: [['r', 'l', [1]], ['append', 'l', 2], ['r', 'l', [1, 2]], ['r', 'r', 4], ['r', 'none', null]] });
    // A retry is answered with the first result, reads included, and not applied again.
    expect(kv.apply(kvEntry('c2', 1, txn([['r', 'l', null], ['append', 'l', 2]])))).toEqual({ result: outcome.result, duplicate: true });
    expect(kv.readTxn([['r', 'l', null]])).toEqual([['r', 'l', [1, 2]]]);
  });

  it('reads over pending entries only when asked (the read-uncommitted bug)', () => {
    index = 0;
    const kv = new KvStateMachine();
    kv.apply(kvEntry('c1', 1, txn([['append', 'l', 1]])));
    const pending = [kvEntry('c1', 2, txn([['append', 'l', 2]])), kvEntry('c1', 3, { f: 'write', key: 'r', value: 7 })];
    expect(kv.readTxn([['r', 'l', null], ['r', 'r', null]])).toEqual([['r', 'l', [1]], ['r', 'r', null]]);
    expect(kv.readTxn([['r', 'l', null], ['r', 'r', null]], pending)).toEqual([['r', 'l', [1, 2]], ['r', 'r', 7]]);
    // Nothing applied changed.
    expect(kv.readTxn([['r', 'l', null]])).toEqual([['r', 'l', [1]]]);
  });

  it('snapshots lists and txn results, and a state without them serializes as before', () => {
    index = 0;
    const plain = new KvStateMachine();
    plain.apply(kvEntry('c1', 1, { f: 'write', key: 'x', value: 1 }));
    expect(plain.serialize()).toBe('{"v":[["x",1]],"s":[["c1",1,"ok",1,null,1]]}');
    const kv = new KvStateMachine();
    index = 0;
    kv.apply(kvEntry('c1', 1, txn([['append', 'l', 1], ['r', 'l', null]])));
    const copy = new KvStateMachine();
    copy.restore(kv.serialize(), kv.appliedIndex, kv.chain);
    expect(copy.serialize()).toBe(kv.serialize());
    expect(copy.readTxn([['r', 'l', null]])).toEqual([['r', 'l', [1]]]);
    expect(copy.sessionResult('c1', 1)?.txn).toEqual([['append', 'l', 1], ['r', 'l', [1]]]);
  });

  it('validates micro-ops, and txn entries hash and name by their content', () => {
    expect(isValidKvOp(txn([['append', 'l', 1], ['r', 'l', null]]))).toBe(true);
    expect(isValidKvOp(txn([]))).toBe(false);
    expect(isValidKvOp({ f: 'txn', key: 'txn', value: [['r', 'l', [1]]] })).toBe(false);
    expect(isValidKvOp({ f: 'txn', key: 'txn', value: [['cas', 'l', 1]] })).toBe(false);
    const a: Entry = { index: 1, term: 1, data: { kind: 'kv', client: 'c1', seq: 1, op: txn([['append', 'l', 1]]) } };
    const b: Entry = { index: 1, term: 1, data: { kind: 'kv', client: 'c1', seq: 1, op: txn([['append', 'l', 2]]) } };
    expect(entryKey(a.data)).not.toBe(entryKey(b.data));
    expect(chainStep(HASH_SEED, a)).not.toBe(chainStep(HASH_SEED, b));
  });

  it('round-trips txn entries through the WAL codec', () => {
    const entry: Entry = { index: 5, term: 2, data: { kind: 'kv', client: 'c1', seq: 3, op: txn([['append', 'l', 1], ['w', 'r', 2.5], ['r', 'l', null]]) } };
    const w = new ByteWriter(16);
    writeRecord(w, { t: 'ent', e: [entry] });
    expect(readRecord(w.bytes, 0, w.at)).toEqual({ t: 'ent', e: [entry] });
  });
});
