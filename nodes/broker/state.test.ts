// The controller's pure decisions: replica assignment, clean and unclean leader election, and the
// group coordinator's assignor, regrouping and commit fencing.
import { describe, expect, it } from 'vitest';
import { assignReplicas, electLeader, initialState, type PartitionState } from './state.js';
import { commitAllowed, rangeAssign, regroup } from './groups.js';

const state = (fields: Partial<PartitionState>): PartitionState => ({ ...initialState(['n1', 'n2', 'n3']), ...fields });
const aliveOnly = (...ids: string[]) => (id: string) => ids.includes(id);

describe('the controller', () => {
  it('assigns rf brokers in a row per partition', () => {
    expect(assignReplicas(['n1', 'n2', 'n3', 'n4', 'n5'], 3, 3)).toEqual(['n4', 'n5', 'n1']);
    expect(assignReplicas(['n1', 'n2'], 0, 3)).toEqual(['n1', 'n2']);
  });

  it('elects a live ISR member at the next epoch and drops the gone leader from the ISR', () => {
    const next = electLeader(state({ leader: 'n1', leaderEpoch: 4, isr: ['n1', 'n3'], partitionEpoch: 9 }), aliveOnly('n2', 'n3'), { uncleanAllowed: false, anyReplica: false });
    expect(next).toMatchObject({ leader: 'n3', leaderEpoch: 5, isr: ['n3'], partitionEpoch: 10 });
  });

  it('leaves the partition leaderless rather than elect an out-of-sync replica, unless unclean election is allowed', () => {
    const stuck = state({ leader: 'n1', isr: ['n1'] });
    expect(electLeader(stuck, aliveOnly('n2'), { uncleanAllowed: false, anyReplica: false })).toMatchObject({ leader: null, isr: ['n1'], leaderEpoch: 1 });
    expect(electLeader(stuck, aliveOnly('n2'), { uncleanAllowed: true, anyReplica: false })).toMatchObject({ leader: 'n2', isr: ['n2'] });
    // Nothing to do when there is no leader and no candidate.
    expect(electLeader(state({ leader: null, isr: ['n1'] }), aliveOnly(), { uncleanAllowed: false, anyReplica: false })).toBeNull();
  });

  it('with the planted bug, elects the first live replica though an ISR member is alive', () => {
    const next = electLeader(state({ leader: 'n1', isr: ['n1', 'n3'] }), aliveOnly('n2', 'n3'), { uncleanAllowed: false, anyReplica: true });
    expect(next).toMatchObject({ leader: 'n2', isr: ['n2'] });
  });
});

describe('the group coordinator', () => {
  it('deals partitions in contiguous ranges to the sorted members', () => {
    expect(rangeAssign(['b', 'a'], 5)).toEqual({ a: [0, 1, 2], b: [3, 4] });
    expect(rangeAssign(['a', 'b', 'c', 'd'], 3)).toEqual({ a: [0], b: [1], c: [2], d: [] });
  });

  it('starts a new generation on a change of members and keeps the committed offsets', () => {
    const first = regroup(null, ['a'], 3);
    expect(first).toMatchObject({ generation: 1, members: ['a'], offsets: {} });
    const second = regroup({ ...first, offsets: { 0: 7 } }, ['a', 'b'], 3);
    expect(second).toMatchObject({ generation: 2, members: ['a', 'b'], assignment: { a: [0, 1], b: [2] }, offsets: { 0: 7 } });
  });

  it('accepts a commit only from a current member for its own partitions, unless unfenced', () => {
    const doc = regroup(regroup(null, ['a'], 3), ['a', 'b'], 3);
    expect(commitAllowed(doc, 'a', 2, ['0', '1'], true)).toBe(true);
    expect(commitAllowed(doc, 'a', 1, ['0'], true)).toBe(false);
    expect(commitAllowed(doc, 'a', 2, ['2'], true)).toBe(false);
    expect(commitAllowed(doc, 'c', 2, ['2'], true)).toBe(false);
    expect(commitAllowed(doc, 'a', 1, ['2'], false)).toBe(true);
  });
});
