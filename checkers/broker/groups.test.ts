// The group checks on hand-built histories: commits that only grow pass; a commit acknowledged
// below one acknowledged before it was invoked fails; concurrent commits may land in either order;
// two owners of a key in one generation fail.
import { describe, expect, it } from 'vitest';
import type { History, HistoryRecord } from '../../histories/schema.js';
import { checkGroups } from './groups.js';

type Op = { process: number; f: 'commit' | 'subscribe'; value: unknown };

/** Ops one after another (each completes before the next is invoked). */
function sequential(ops: Op[]): History {
  const records: HistoryRecord[] = [];
  for (const op of ops) {
    records.push({ index: records.length, process: op.process, type: 'invoke', f: op.f, value: null });
    records.push({ index: records.length, process: op.process, type: 'ok', f: op.f, value: op.value });
  }
  return records;
}

const commit = (process: number, offsets: Record<string, number>, generation = 1): Op => ({ process, f: 'commit', value: { offsets, generation } });
const subscribe = (process: number, member: string, generation: number, keys: number[]): Op => ({ process, f: 'subscribe', value: { member, generation, keys, offsets: {} } });

describe('the group checks', () => {
  it('pass commits that only grow, and one owner per key per generation', () => {
    const result = checkGroups(sequential([subscribe(0, 'a', 1, [0, 1]), commit(0, { 0: 3, 1: 1 }), subscribe(1, 'b', 2, [0]), subscribe(0, 'a', 2, [1]), commit(1, { 0: 5 })]));
    expect(result.verdict).toBe('valid');
    expect(result.summary).toMatch(/2 commits monotonic per key, 3 subscribes/);
  });

  it('find a committed offset moved back, with both ops', () => {
    const result = checkGroups(sequential([commit(0, { 2: 7 }, 3), commit(1, { 2: 4 }, 2)]));
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toContain('key 2: commit of offset 4 (op 3, generation 2) acknowledged after the commit of offset 7 (op 1)');
  });

  it('allow concurrent commits to complete in either order', () => {
    const history: History = [
      { index: 0, process: 0, type: 'invoke', f: 'commit', value: null },
      { index: 1, process: 1, type: 'invoke', f: 'commit', value: null },
      { index: 2, process: 0, type: 'ok', f: 'commit', value: { offsets: { 0: 9 }, generation: 1 } },
      { index: 3, process: 1, type: 'ok', f: 'commit', value: { offsets: { 0: 4 }, generation: 1 } },
    ];
    expect(checkGroups(history).verdict).toBe('valid');
  });

  it('find two owners of one key in one generation', () => {
    const result = checkGroups(sequential([subscribe(0, 'a', 4, [0, 1]), subscribe(1, 'b', 4, [1, 2])]));
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toContain('key 1 is owned by a (op 1) and b (op 3) in generation 4');
  });

  it('says it cannot read a malformed commit', () => {
    expect(checkGroups(sequential([{ process: 0, f: 'commit', value: { generation: 1 } }])).verdict).toBe('unknown');
  });
});
