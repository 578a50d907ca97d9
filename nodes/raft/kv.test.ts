import { describe, expect, it } from 'vitest';
import { KvStateMachine, chainStep, entryKey } from './kv.js';
import { HASH_SEED } from './hash.js';
import type { Entry, KvOp } from './types.js';

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
